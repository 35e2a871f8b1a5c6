import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/core/errors.ts';
import { readModelFile, resolveModelLocation } from '../../src/encoder/model-location.ts';
import { PROJECT_ROOT } from './use-lite-fixture.ts';

describe('resolveModelLocation', () => {
  it('looks a name up under the project models folder by default', () => {
    expect(resolveModelLocation('universal-sentence-encoder-lite', { allowRemoteModels: false })).toEqual({
      name: 'universal-sentence-encoder-lite',
      modelId: 'universal-sentence-encoder-lite',
      localModelPath: join(PROJECT_ROOT, 'public/models/'),
      allowRemoteModels: false,
    });
  });

  it('keeps a Hub id whole and passes the Hub opt-in through', () => {
    expect(
      resolveModelLocation('Xenova/bge-small-en-v1.5', { localModelPath: '/models/', allowRemoteModels: true }),
    ).toEqual({
      name: 'Xenova/bge-small-en-v1.5',
      modelId: 'Xenova/bge-small-en-v1.5',
      localModelPath: '/models/',
      allowRemoteModels: true,
    });
  });

  it.each([
    ['https://cdn.example.com/models/use-lite/', 'https://cdn.example.com/models/'],
    ['/srv/models/use-lite', '/srv/models/'],
    ['./models/use-lite', './models/'],
    ['file:///srv/my%20models/use-lite', '/srv/my models/'],
  ])('splits the location %s into its folder and name, with no Hub fallback', (model, localModelPath) => {
    expect(resolveModelLocation(model, { allowRemoteModels: true })).toEqual({
      name: 'use-lite',
      modelId: 'use-lite',
      localModelPath,
      allowRemoteModels: false,
    });
  });

  it('rejects a location without a folder name', () => {
    expect(() => resolveModelLocation('/', { allowRemoteModels: false })).toThrow(ModelLoadError);
  });
});

describe('readModelFile', () => {
  it('reads a local file and reports a missing one as model_not_found', async () => {
    const root = mkdtempSync(join(tmpdir(), 'routellm-location-'));
    try {
      mkdirSync(join(root, 'm/onnx'), { recursive: true });
      writeFileSync(join(root, 'm/onnx/model.onnx'), 'bytes');
      const location = resolveModelLocation(join(root, 'm'), { allowRemoteModels: false });
      expect(new TextDecoder().decode(await readModelFile(location, 'onnx/model.onnx'))).toBe('bytes');
      await expect(readModelFile(location, 'config.json')).rejects.toMatchObject({
        code: 'model_not_found',
        message: `${join(root, 'm/config.json')} does not exist.`,
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('readModelFile over HTTP', () => {
  it('names the URL and what came back when a server does not serve the model files', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      // As a single-page app's dev server would: the app's page for every unknown path, and a 404 for one.
      if (req.url?.endsWith('/missing.json')) res.writeHead(404).end();
      else res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>app</title>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    const location = resolveModelLocation(`http://127.0.0.1:${port}/models/use-lite/`, { allowRemoteModels: false });
    try {
      await expect(readModelFile(location, 'config.json')).rejects.toThrow(
        new RegExp(
          `http://127\\.0\\.0\\.1:${port}/models/use-lite/config\\.json answered an HTML page where a model file should be`,
        ),
      );
      await expect(readModelFile(location, 'missing.json')).rejects.toMatchObject({
        code: 'model_not_found',
        message: expect.stringMatching(/missing\.json answered HTTP 404/),
      });
    } finally {
      server.close();
    }
  });
});
