import { expect, test, type Page } from '@playwright/test';
import { trackOutsideRequests } from './fixtures/outside-requests.ts';

type Outcome<T> = { value: T } | { error: { name: string; code?: string; message: string } };
interface Decision {
  model: string;
  tier: string;
  score: number;
  threshold: number;
  device: string;
  calibration: string;
  truncated: boolean;
  latencyMs: number;
}
interface Sdk {
  create(options: object): Promise<
    Outcome<{
      index: number;
      state: string;
      reason?: string;
      info?: { device: string; models: { requirement: string; id: string; dtype: string }[] };
    }>
  >;
  route(index: number, prompts: string[]): Promise<Outcome<Decision[]>>;
  routeAndAbort(
    index: number,
    prompts: string[],
    afterMs: number,
  ): Promise<{ outcome: Outcome<Decision[]>; ms: number }>;
}

const PROMPTS = [
  'What is 2+2?',
  'Prove that the square root of two is irrational.',
  'Write a haiku about autumn rain in Kyoto.',
];
/** The learned-router path: a head over the real USE-lite embedding, weights fetched like /routers/<name>/. */
const FIXTURE_HEAD = { router: 'fixture-head', weightsUrl: '/e2e/fixtures/routers/fixture-head/' };

let outside: string[];
test.beforeEach(async ({ page }) => {
  outside = trackOutsideRequests(page);
  await page.goto('/e2e/fixtures/sdk.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
});
test.afterEach(() => {
  expect(outside, 'requests that left localhost').toEqual([]);
});

/** Calls `window.sdk[method](...args)` in the page. */
function sdk<M extends keyof Sdk>(
  page: Page,
  method: M,
  ...args: Parameters<Sdk[M]>
): Promise<Awaited<ReturnType<Sdk[M]>>> {
  return page.evaluate(
    ([name, values]) =>
      (window as unknown as { sdk: Record<string, (...input: unknown[]) => Promise<unknown>> }).sdk[name]!(...values),
    [method, args] as [string, unknown[]],
  ) as Promise<Awaited<ReturnType<Sdk[M]>>>;
}

function value<T>(outcome: Outcome<T>): T {
  if ('error' in outcome) throw new Error(`${outcome.error.name}: ${outcome.error.message}`);
  return outcome.value;
}

test('a learned router loads its weights and encoder in the worker and routes on WASM', async ({ page }) => {
  const created = value(await sdk(page, 'create', { ...FIXTURE_HEAD, strongPct: 0.5, device: 'wasm' }));
  expect(created.state, created.reason).toBe('ready');
  expect(created.info!.device).toBe('wasm');
  expect(created.info!.models).toEqual([
    expect.objectContaining({
      requirement: 'embedder',
      dtype: 'int8',
      id: expect.stringMatching(/^universal-sentence-encoder-lite@int8-[0-9a-f]{8}$/),
    }),
  ]);
  const decisions = value(await sdk(page, 'route', created.index, PROMPTS));
  expect(decisions).toHaveLength(3);
  for (const decision of decisions) {
    expect(decision).toMatchObject({ device: 'wasm', calibration: 'manifest', threshold: 0.5, truncated: false });
    expect(decision.score).toBeGreaterThan(0);
    expect(decision.score).toBeLessThan(1);
    expect(decision.model).toBe(decision.score >= 0.5 ? 'strong' : 'weak');
  }
  expect(new Set(decisions.map((decision) => decision.score)).size).toBe(3);
});

test('WebGPU routes the same prompts to the same scores as WASM', async ({ page }) => {
  const options = { ...FIXTURE_HEAD, threshold: 0.5, encoder: { dtype: 'fp32' } };
  const onWasm = value(await sdk(page, 'create', { ...options, device: 'wasm' }));
  const onGpu = value(await sdk(page, 'create', { ...options, device: 'webgpu' }));
  expect(onGpu.info!.device).toBe('webgpu');
  const wasmScores = value(await sdk(page, 'route', onWasm.index, PROMPTS));
  const gpuScores = value(await sdk(page, 'route', onGpu.index, PROMPTS));
  gpuScores.forEach((decision, index) => {
    expect(decision.device).toBe('webgpu');
    expect(decision.score).toBeCloseTo(wasmScores[index]!.score, 3);
  });
});

test('aborting a batch stops it in the worker and rejects with AbortError', async ({ page }) => {
  const created = value(await sdk(page, 'create', { ...FIXTURE_HEAD, threshold: 0.5, device: 'wasm' }));
  const prompts = Array.from(
    { length: 400 },
    (_, index) => `Question number ${index}: what is ${index} times ${index + 7}?`,
  );
  const { outcome, ms } = await sdk(page, 'routeAndAbort', created.index, prompts, 100);
  expect('error' in outcome && outcome.error).toMatchObject({ name: 'AbortError', code: 'aborted' });
  expect(ms).toBeLessThan(2000);
  // The worker is free again at once: a new call is not queued behind the rest of the aborted batch.
  const started = Date.now();
  value(await sdk(page, 'route', created.index, ['One more?']));
  expect(Date.now() - started).toBeLessThan(1500);
});

test('a router without weights falls back to the strong model and says why', async ({ page }) => {
  const created = value(
    await sdk(page, 'create', { router: 'fixture-head', weightsUrl: '/e2e/fixtures/routers/missing/', threshold: 0.5 }),
  );
  expect(created.state).toBe('fallback');
  const [decision] = value(await sdk(page, 'route', created.index, ['Hello']));
  expect(decision).toMatchObject({
    model: 'strong',
    fallback: true,
    score: null,
    fallbackReason: expect.stringContaining('manifest.json is missing'),
  });
});
