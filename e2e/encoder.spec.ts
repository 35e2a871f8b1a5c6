import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { resolveSharedDir } from '../src/node/paths.ts';
import { trackOutsideRequests } from './fixtures/outside-requests.ts';

interface Reference {
  sentences: string[];
  ids: number[][];
  emb: number[][];
}

const reference = JSON.parse(
  readFileSync(join(resolveSharedDir(undefined), 'reference/use-lite/reference-vectors.json'), 'utf8'),
) as Reference;
// The last sentence has pieces outside the vocabulary (id 0): the TF.js output is undefined there, so ids only.
const comparable = reference.sentences.slice(0, -1);

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

type Harness = {
  load(
    options: object,
  ): Promise<{ device?: string; deviceReason?: string; error?: { name: string; message: string; code?: string } }>;
  encode(texts: string[]): Promise<{ embedding: number[]; tokens: number; truncated: boolean }[]>;
  progressEvents(): string[];
  tokenize(texts: string[]): Promise<number[][]>;
};

async function openHarness(page: Page): Promise<string[]> {
  const outside = trackOutsideRequests(page);
  await page.goto('/e2e/fixtures/encoder.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  return outside;
}

async function encodeReference(page: Page, options: object) {
  const info = await page.evaluate((o) => (window as unknown as { harness: Harness }).harness.load(o), options);
  expect(info.error, JSON.stringify(info.error)).toBeUndefined();
  const encoded = await page.evaluate(
    (texts) => (window as unknown as { harness: Harness }).harness.encode(texts),
    comparable,
  );
  return { info, similarities: encoded.map((e, i) => cosine(e.embedding, reference.emb[i]!)) };
}

test.describe('encoder in the router worker', () => {
  let outside: string[] = [];
  test.beforeEach(async ({ page }) => {
    outside = await openHarness(page);
  });
  test.afterEach(() => {
    expect(outside, 'requests that left localhost').toEqual([]);
  });

  test('WASM fp32 reproduces the TF.js reference vectors', async ({ page }) => {
    const { info, similarities } = await encodeReference(page, { device: 'wasm', dtype: 'fp32' });
    expect(info.device).toBe('wasm');
    for (const similarity of similarities) expect(similarity).toBeGreaterThanOrEqual(0.9999);
  });

  test('WASM int8 (the default variant) stays within cosine 0.999', async ({ page }) => {
    const { info, similarities } = await encodeReference(page, { device: 'wasm' });
    expect(info.device).toBe('wasm');
    for (const similarity of similarities) expect(similarity).toBeGreaterThanOrEqual(0.999);
    const events = await page.evaluate(() => (window as unknown as { harness: Harness }).harness.progressEvents());
    expect(events).toContain('done:onnx/model_int8.onnx');
  });

  test('WebGPU fp32 reproduces the TF.js reference vectors', async ({ page }) => {
    const { info, similarities } = await encodeReference(page, { device: 'webgpu', dtype: 'fp32' });
    expect(info.device).toBe('webgpu');
    for (const similarity of similarities) expect(similarity).toBeGreaterThanOrEqual(0.9999);
  });

  test("device 'auto' ends on a device that reproduces the reference, and says why", async ({ page }) => {
    const { info, similarities } = await encodeReference(page, { device: 'auto', dtype: 'fp32' });
    expect(['wasm', 'webgpu']).toContain(info.device);
    expect(info.deviceReason).toMatch(/WebGPU|WASM/);
    for (const similarity of similarities) expect(similarity).toBeGreaterThanOrEqual(0.9999);
  });

  test("device 'auto' skips a software WebGPU adapter, which is slower than WASM", async ({ page }) => {
    const fallback = await page.evaluate(async () => {
      const adapter = await (
        navigator as unknown as {
          gpu?: { requestAdapter(): Promise<{ info?: { isFallbackAdapter?: boolean } } | null> };
        }
      ).gpu?.requestAdapter();
      return adapter?.info?.isFallbackAdapter === true;
    });
    test.skip(!fallback, 'this browser has a hardware WebGPU adapter');
    const info = await page.evaluate(() =>
      (window as unknown as { harness: Harness }).harness.load({ device: 'auto' }),
    );
    expect(info.device).toBe('wasm');
    expect(info.deviceReason).toMatch(/^WASM, because the only WebGPU adapter is a software fallback/);
  });

  test('WebGPU after a WASM model in the same worker fails with an error that says what to do', async ({ page }) => {
    const onWasm = await page.evaluate(() =>
      (window as unknown as { harness: Harness }).harness.load({ device: 'wasm' }),
    );
    expect(onWasm.device).toBe('wasm');
    const info = await page.evaluate(() =>
      (window as unknown as { harness: Harness }).harness.load({ device: 'webgpu' }),
    );
    expect(info.error?.name).toBe('ModelLoadError');
    expect(info.error?.message).toMatch(/already runs its faster WASM-only build.*fresh worker/);
  });

  test('the shipped tokenizer gives the reference token ids in the browser', async ({ page }) => {
    const ids = await page.evaluate(
      (texts) => (window as unknown as { harness: Harness }).harness.tokenize(texts),
      reference.sentences,
    );
    expect(ids).toEqual(reference.ids);
  });

  test('a missing model shows a clear error on the page', async ({ page }) => {
    const info = await page.evaluate(() =>
      (window as unknown as { harness: Harness }).harness.load({ model: 'no-such-model' }),
    );
    expect(info.error?.code).toBe('model_not_found');
    await expect(page.locator('#error')).toContainText('no-such-model');
    await expect(page.locator('#status')).toHaveText('failed');
  });
});
