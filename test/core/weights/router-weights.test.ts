/**
 * The router-weights format, run against both readers: fetch over a real local HTTP server (as the worker reads
 * /routers/<router>/) and the fs reader over the same folders on disk (as `npm run eval` reads public/routers/).
 * Every case must come out the same through both, so weights load in the browser exactly when they load in Node.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/core/errors.ts';
import {
  manifestCalibration,
  readRouterWeights,
  type WeightsFileReader,
  type WeightsProgressEvent,
} from '../../../src/core/weights/router-weights.ts';
import { sha256Hex } from '../../../src/core/weights/sha256.ts';
import { PROJECT_ROOT } from '../../../src/node/paths.ts';
import {
  DEFAULT_ROUTERS_DIR,
  fsWeightsReader,
  readRouterFolder,
  writeRouterFolder,
} from '../../../src/node/router-weights.ts';
import { httpWeightsReader } from '../../../src/worker/http-weights-reader.ts';

const E2E_ROUTERS_DIR = path.join(PROJECT_ROOT, 'e2e', 'fixtures', 'routers');

let scratch: string;
let baseUrl: string;
let closeServer: () => Promise<void>;

/** A static file server over URL prefixes; a directory answers 403, as most static servers do. */
async function serve(roots: Record<string, string>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const root = Object.entries(roots).find(([prefix]) => pathname.startsWith(prefix));
    if (!root) return void response.writeHead(404).end();
    readFile(path.join(root[1], pathname.slice(root[0].length))).then(
      (bytes) =>
        response
          .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.byteLength })
          .end(bytes),
      (error: NodeJS.ErrnoException) => response.writeHead(error.code === 'EISDIR' ? 403 : 404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'router-weights-'));
  const server = await serve({
    '/scratch/': scratch,
    '/routers/': DEFAULT_ROUTERS_DIR,
    '/e2e-routers/': E2E_ROUTERS_DIR,
  });
  baseUrl = server.url;
  closeServer = server.close;
});

afterAll(async () => {
  await closeServer();
  await rm(scratch, { recursive: true, force: true });
});

/** One folder, as both readers see it. */
interface Folder {
  readonly dir: string;
  readonly url: string;
}

const DIRECTORY = Symbol('directory');
let folderCount = 0;

/** A new folder under the scratch folder holding these files (DIRECTORY: a subfolder by that name). */
async function folder(files: Record<string, string | Uint8Array | typeof DIRECTORY>): Promise<Folder> {
  const name = `folder-${++folderCount}`;
  const dir = path.join(scratch, name);
  await mkdir(dir);
  for (const [file, content] of Object.entries(files)) {
    if (content === DIRECTORY) await mkdir(path.join(dir, file));
    else await writeFile(path.join(dir, file), content);
  }
  return { dir, url: `${baseUrl}/scratch/${name}/` };
}

/** The manifest entry for a file, hashed by node:crypto so the test does not trust the code it checks. */
function entry(content: string): { bytes: number; sha256: string } {
  return { bytes: Buffer.byteLength(content), sha256: createHash('sha256').update(content).digest('hex') };
}

const readers: { name: string; open: (folder: Folder) => { read: WeightsFileReader; where: string } }[] = [
  { name: 'HTTP (fetch)', open: ({ url }) => ({ read: httpWeightsReader(url), where: url }) },
  { name: 'fs', open: ({ dir }) => ({ read: fsWeightsReader(dir), where: `${dir}${path.sep}` }) },
];

describe.each(readers)('readRouterWeights over the $name reader', ({ open }) => {
  async function load(
    files: Record<string, string | Uint8Array | typeof DIRECTORY>,
    onProgress?: (event: WeightsProgressEvent) => void,
  ) {
    const { read, where } = open(await folder(files));
    return { where, result: readRouterWeights(read, where, onProgress) };
  }
  const manifestWith = (fields: Record<string, unknown>) =>
    JSON.stringify({ files: { 'w.bin': entry('abc') }, ...fields });

  it('reads the manifest and every file it names, reporting progress per file', async () => {
    const events: WeightsProgressEvent[] = [];
    const manifest = { seed: 7, files: { 'a.bin': entry('AAAA'), 'b.json': entry('{}') } };
    const { result } = await load(
      { 'manifest.json': JSON.stringify(manifest), 'a.bin': 'AAAA', 'b.json': '{}', 'unnamed.bin': 'x' },
      (event) => events.push(event),
    );
    const weights = await result;
    expect(weights.manifest).toEqual(manifest);
    expect([...weights.files.keys()]).toEqual(['a.bin', 'b.json']);
    expect(new TextDecoder().decode(weights.files.get('a.bin'))).toBe('AAAA');

    expect(events[0]).toEqual({ status: 'initiate', file: 'manifest.json', loaded: 0, total: 0 });
    expect(events.filter((event) => event.status === 'done').map((event) => `${event.file}:${event.loaded}`)).toEqual([
      `manifest.json:${JSON.stringify(manifest).length}`,
      'a.bin:4',
      'b.json:2',
    ]);
    for (const file of ['manifest.json', 'a.bin', 'b.json']) {
      const ofFile = events.filter((event) => event.file === file);
      expect(ofFile[0]!.status, file).toBe('initiate');
      expect(ofFile.at(-1)!.status, file).toBe('done');
      const lastProgress = ofFile.filter((event) => event.status === 'progress').at(-1)!;
      expect(lastProgress, file).toMatchObject({ loaded: ofFile.at(-1)!.loaded, total: ofFile.at(-1)!.loaded });
    }
  });

  it('reads a folder with no weight files', async () => {
    const { result } = await load({ 'manifest.json': JSON.stringify({ files: {} }) });
    expect((await result).files.size).toBe(0);
  });

  it('is model_not_found without a manifest', async () => {
    const { where, result } = await load({ 'w.bin': 'abc' });
    await expect(result).rejects.toMatchObject({
      name: 'ModelLoadError',
      code: 'model_not_found',
      message: `No router weights at ${where} (manifest.json is missing).`,
    });
    const { read, where: nowhere } = open({
      dir: path.join(scratch, 'no-such-folder'),
      url: `${baseUrl}/scratch/no-such-folder/`,
    });
    await expect(readRouterWeights(read, nowhere)).rejects.toMatchObject({ code: 'model_not_found' });
  });

  it('is model_load_failed for a manifest that is not a JSON object', async () => {
    const { where, result } = await load({ 'manifest.json': '{nope' });
    await expect(result).rejects.toMatchObject({
      code: 'model_load_failed',
      message: expect.stringContaining(`${where}manifest.json is not valid JSON`),
    });
    await expect((await load({ 'manifest.json': '[1]' })).result).rejects.toThrow(
      /manifest.json must hold a JSON object/,
    );
  });

  it('takes "files" only as an object keyed by file name, each with its size and SHA-256', async () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /"files" must be an object keyed by file name/],
      [['w.bin'], /"files" must be an object keyed by file name/],
      ['w.bin', /"files" must be an object keyed by file name/],
      [{ 'w.bin': { sha256: entry('abc').sha256 } }, /"w.bin" does not give its size/],
      [{ 'w.bin': { bytes: 3 } }, /the sha256 of "w.bin" is not 64 lowercase hex digits/],
      [{ 'w.bin': { bytes: 3, sha256: entry('abc').sha256.toUpperCase() } }, /not 64 lowercase hex digits/],
      [{ 'w.bin': true }, /"w.bin" does not give its size/],
    ];
    for (const [files, message] of cases) {
      const { result } = await load({ 'manifest.json': JSON.stringify({ files }), 'w.bin': 'abc' });
      await expect(result, JSON.stringify(files)).rejects.toMatchObject({
        name: 'ModelLoadError',
        code: 'model_load_failed',
        message: expect.stringMatching(message),
      });
    }
  });

  it('fails when a named file is missing or cannot be read', async () => {
    const { where, result } = await load({ 'manifest.json': JSON.stringify({ files: { 'gone.bin': entry('abc') } }) });
    await expect(result).rejects.toMatchObject({
      code: 'model_load_failed',
      message: `${where}gone.bin, named in manifest.json, is missing.`,
    });
    const unreadable = await load({
      'manifest.json': JSON.stringify({ files: { 'w.bin': entry('abc') } }),
      'w.bin': DIRECTORY,
    });
    await expect(unreadable.result).rejects.toMatchObject({ name: 'ModelLoadError', code: 'model_load_failed' });
  });

  it('refuses a file whose size or SHA-256 differs from the manifest', async () => {
    for (const content of ['abd', 'abcd']) {
      const { where, result } = await load({ 'manifest.json': manifestWith({}), 'w.bin': content });
      await expect(result, content).rejects.toMatchObject({
        code: 'model_load_failed',
        message: `${where}w.bin does not match its size and SHA-256 in manifest.json (a stale or damaged copy).`,
      });
    }
  });

  it('never reads outside the folder, even where the file exists and matches', async () => {
    await writeFile(path.join(scratch, 'outside.bin'), 'abc');
    const names = [
      '../outside.bin',
      `${scratch}/outside.bin`,
      `${baseUrl}/scratch/outside.bin`,
      'sub/w.bin',
      './w.bin',
      '..',
      '.',
      '',
      'manifest.json',
      'a\\b',
      '.hidden',
    ];
    for (const name of names) {
      const { result } = await load({
        'manifest.json': JSON.stringify({ files: { [name]: entry('abc') } }),
        'w.bin': 'abc',
      });
      await expect(result, name).rejects.toMatchObject({
        code: 'model_load_failed',
        message: expect.stringContaining(`"${name}" is not a weight file name inside the folder`),
      });
    }
  });

  it('takes a calibration quantile table only when it is usable, and none at all', async () => {
    const table = [0.1, 0.4, 0.4, 0.9];
    const loaded = await (
      await load({ 'manifest.json': manifestWith({ calibration: { quantiles: table, prompts: 'p' } }), 'w.bin': 'abc' })
    ).result;
    expect(manifestCalibration(loaded.manifest)).toEqual({ quantiles: table, prompts: 'p' });
    const uncalibrated = await (await load({ 'manifest.json': manifestWith({}), 'w.bin': 'abc' })).result;
    expect(manifestCalibration(uncalibrated.manifest)).toBeUndefined();
    for (const calibration of [
      3,
      {},
      { quantiles: [0.5] },
      { quantiles: [0.5, 0.4] },
      { quantiles: [0, 'x'] },
      { quantiles: [0, 1], prompts: 4 },
    ]) {
      const { result } = await load({ 'manifest.json': manifestWith({ calibration }), 'w.bin': 'abc' });
      await expect(result, JSON.stringify(calibration)).rejects.toMatchObject({
        code: 'model_load_failed',
        message: expect.stringMatching(/manifest.json: calibration\./),
      });
    }
  });

  it('reads what writeRouterFolder writes', async () => {
    const dir = path.join(scratch, `written-${++folderCount}`);
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const written = await writeRouterFolder(
      dir,
      { router: 'r', calibration: { quantiles: [0, 1] } },
      new Map<string, Uint8Array | string>([
        ['w.bin', bytes],
        ['h.json', '{"a":1}'],
      ]),
    );
    const { read, where } = open({ dir, url: `${baseUrl}/scratch/${path.basename(dir)}/` });
    const weights = await readRouterWeights(read, where);
    expect(weights.manifest).toEqual(written);
    expect(weights.files.get('w.bin')).toEqual(bytes);
    expect(new TextDecoder().decode(weights.files.get('h.json'))).toBe('{"a":1}');
  });
});

describe('committed router weights', () => {
  const committed = async (root: string) =>
    (await readdir(root, { withFileTypes: true }))
      .filter((item) => item.isDirectory() && existsSync(path.join(root, item.name, 'manifest.json')))
      .map((item) => item.name);

  it('load through both readers to the same manifest and bytes, matching their recorded hashes', async () => {
    const folders = [
      ...(await committed(DEFAULT_ROUTERS_DIR)).map((name) => ({
        dir: path.join(DEFAULT_ROUTERS_DIR, name),
        url: `${baseUrl}/routers/${name}/`,
      })),
      ...(await committed(E2E_ROUTERS_DIR)).map((name) => ({
        dir: path.join(E2E_ROUTERS_DIR, name),
        url: `${baseUrl}/e2e-routers/${name}/`,
      })),
    ];
    expect(folders.length).toBeGreaterThanOrEqual(5);
    for (const { dir, url } of folders) {
      const fromDisk = await readRouterFolder(dir);
      const fromHttp = await readRouterWeights(httpWeightsReader(url), url);
      expect(fromHttp.manifest, dir).toEqual(fromDisk.manifest);
      expect([...fromHttp.files.keys()], dir).toEqual([...fromDisk.files.keys()]);
      for (const [name, bytes] of fromDisk.files) {
        expect(Buffer.from(fromHttp.files.get(name)!).equals(Buffer.from(bytes)), `${dir}/${name}`).toBe(true);
        expect(createHash('sha256').update(bytes).digest('hex'), `${dir}/${name}`).toBe(
          (fromDisk.manifest['files'] as Record<string, { sha256: string }>)[name]!.sha256,
        );
      }
      expect(manifestCalibration(fromDisk.manifest)?.quantiles.length, dir).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('sha256Hex', () => {
  it('is the standard SHA-256 (as node:crypto computes it)', () => {
    for (const text of ['', 'abc', 'é'.repeat(1000)]) {
      const bytes = new TextEncoder().encode(text);
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });
});

describe('writeRouterFolder', () => {
  it('refuses a file name the readers would refuse, before writing anything', async () => {
    const dir = path.join(scratch, 'refused');
    for (const name of ['../escape.bin', 'sub/w.bin', 'manifest.json']) {
      await expect(writeRouterFolder(dir, {}, new Map([[name, 'x']])), name).rejects.toBeInstanceOf(InvalidInputError);
    }
    expect(existsSync(dir) || existsSync(`${dir}.partial`)).toBe(false);
    expect(existsSync(path.join(scratch, 'escape.bin'))).toBe(false);
  });
});

describe('httpWeightsReader', () => {
  it('names the URL when a server answers a weight file with an HTML page (an SPA fallback)', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/routers/knn-gain/`;
    try {
      await expect(readRouterWeights(httpWeightsReader(url), url)).rejects.toMatchObject({
        code: 'model_not_found',
        message: expect.stringContaining(`${url}manifest.json answered an HTML page`),
      });
    } finally {
      server.close();
    }
  });
});
