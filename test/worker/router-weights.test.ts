import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/core/errors.ts';
import { manifestQuantileTable, readRouterWeights, weightFileEntries, type WeightsProgressEvent } from '../../src/worker/router-weights.ts';
import { memoryWeights } from './test-routers.ts';

const FOLDER = 'http://app.test/routers/mf/';

function read(files: Record<string, string>, onProgress?: (event: WeightsProgressEvent) => void) {
  const { reader } = memoryWeights({ [FOLDER]: new Map(Object.entries(files)) });
  return readRouterWeights(reader(FOLDER), FOLDER, onProgress);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('readRouterWeights', () => {
  it('reads the manifest and every file it lists, reporting progress per file', async () => {
    const events: string[] = [];
    const weights = await read(
      { 'manifest.json': JSON.stringify({ files: ['a.bin', 'sub/b.json'], seed: 7 }), 'a.bin': 'AAAA', 'sub/b.json': '{}' },
      (event) => events.push(`${event.status}:${event.file}:${event.loaded}`),
    );
    expect(weights.manifest['seed']).toBe(7);
    expect([...weights.files.keys()]).toEqual(['a.bin', 'sub/b.json']);
    expect(new TextDecoder().decode(weights.files.get('a.bin'))).toBe('AAAA');
    expect(events).toContain('done:a.bin:4');
    expect(events[0]).toBe('initiate:manifest.json:0');
  });

  it('takes files as an object keyed by name and checks each SHA-256 it gives', async () => {
    const manifest = (hash: string) => JSON.stringify({ files: { 'w.bin': { sha256: hash, bytes: 3 } } });
    await expect(read({ 'manifest.json': manifest(sha256('abc')), 'w.bin': 'abc' })).resolves.toMatchObject({ files: expect.any(Map) });
    await expect(read({ 'manifest.json': manifest(sha256('abc')), 'w.bin': 'abd' })).rejects.toThrow(/w.bin does not match the SHA-256/);
    await expect(read({ 'manifest.json': manifest('xyz'), 'w.bin': 'abc' })).rejects.toThrow(/not 64 hex digits/);
  });

  it('is model_not_found without a manifest and model_load_failed for a broken one', async () => {
    await expect(read({})).rejects.toMatchObject({ name: 'ModelLoadError', code: 'model_not_found' });
    await expect(read({ 'manifest.json': '{nope' })).rejects.toMatchObject({ code: 'model_load_failed', message: expect.stringContaining('not valid JSON') });
    await expect(read({ 'manifest.json': '[1]' })).rejects.toThrow(/must hold a JSON object/);
    await expect(read({ 'manifest.json': JSON.stringify({ files: ['gone.bin'] }) })).rejects.toThrow(`${FOLDER}gone.bin, named in manifest.json, is missing.`);
    await expect(read({ 'manifest.json': JSON.stringify({ files: 'w.bin' }) })).rejects.toBeInstanceOf(ModelLoadError);
  });

  it('never reads outside the folder', () => {
    for (const name of ['../secret', '/etc/passwd', 'a/../../b', 'http://evil.test/x', './a', 'a//b', 'manifest.json', '']) {
      expect(() => weightFileEntries({ files: [name] }, 'm'), name).toThrow(/is not a weight file name inside the folder/);
    }
    expect(weightFileEntries({ files: ['w.bin', 'heads/h-1.json', 'a..b'] }, 'm').map((entry) => entry.name)).toEqual(['w.bin', 'heads/h-1.json', 'a..b']);
    expect(weightFileEntries({}, 'm')).toEqual([]);
  });
});

describe('manifestQuantileTable', () => {
  it('reads calibration.quantiles and ignores anything that is not a table of numbers', () => {
    expect(manifestQuantileTable({ calibration: { quantiles: [0, 0.5, 1] } })).toEqual([0, 0.5, 1]);
    expect(manifestQuantileTable({})).toBeUndefined();
    expect(manifestQuantileTable({ calibration: { quantiles: [0.5] } })).toBeUndefined();
    expect(manifestQuantileTable({ calibration: { quantiles: [0, 'x'] } })).toBeUndefined();
    expect(manifestQuantileTable({ calibration: 3 })).toBeUndefined();
  });
});
