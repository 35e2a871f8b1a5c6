/**
 * Verification is opt-in in what loads, not only in what runs: a relay without `verify` (routellm-relay, and
 * `routellm-web relay` too) never loads transformers.js or onnxruntime, nor does one verifying with `length`, which
 * needs no model. Each case runs in a fresh Node process that records every module it resolves.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/node/paths.ts';

/** Resolve hooks, registered before the code under test loads: each resolved URL is appended to a file. */
const RECORDING_HOOKS = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(file, resolved.url + '\\n');
  return resolved;
}`;

/** The URLs of every module `code` (an ES module body, run from the project root) made Node resolve. */
async function modulesLoadedBy(code: string): Promise<string[]> {
  const folder = mkdtempSync(path.join(tmpdir(), 'relay-lazy-'));
  const file = path.join(folder, 'resolved.txt');
  const script = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(RECORDING_HOOKS)}), { data: { file: ${JSON.stringify(file)} } });
${code}`;
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT,
      timeout: 60_000,
    });
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const INFERENCE = /@huggingface\/transformers|onnxruntime/;
const inference = (urls: string[]) => urls.filter((url) => INFERENCE.test(url));
const config = (verify?: object) =>
  JSON.stringify({
    models: {
      strong: { baseURL: 'http://127.0.0.1:9/v1', model: 's', pricing: { input: 1, output: 1 } },
      weak: { baseURL: 'http://127.0.0.1:9/v1', model: 'w', pricing: { input: 1, output: 1 } },
    },
    ...(verify && { verify }),
  });

describe('what a relay loads', () => {
  it('sees the inference stack when it is loaded (the check itself works)', async () => {
    expect(inference(await modulesLoadedBy(`await import('./src/encoder/index.ts');`))).not.toEqual([]);
  });

  it('routellm-relay (src/relay/node.ts), started and stopped, loads no inference stack and nothing of relay-verify', async () => {
    const urls = await modulesLoadedBy(`
const { startNodeRelay } = await import('./src/relay/node.ts');
const relay = await startNodeRelay({ config: ${config()}, port: 0 });
await relay.close();`);
    expect(urls.some((url) => url.endsWith('/src/relay/node.ts'))).toBe(true);
    expect(inference(urls)).toEqual([]);
    expect(urls.filter((url) => url.includes('/src/relay-verify/'))).toEqual([]);
  });

  it('routellm-web relay without verify loads none of it either, and with verify by length only relay-verify', async () => {
    const start = (verify?: object) => `
const { startVerifyingRelay } = await import('./src/cli/relay.ts');
const relay = await startVerifyingRelay({ config: ${config(verify)}, port: 0 });
await relay.close();`;
    const plain = await modulesLoadedBy(start());
    expect(inference(plain)).toEqual([]);
    expect(plain.filter((url) => url.includes('/src/relay-verify/'))).toEqual([]);
    const byLength = await modulesLoadedBy(start({ router: 'length', threshold: 0.3, to: 'weak' }));
    expect(byLength.some((url) => url.includes('/src/relay-verify/index.ts'))).toBe(true);
    expect(inference(byLength)).toEqual([]);
  });
});
