/**
 * Issue 17 in a browser: a router trained on a user's CSV alone (`npm run train -- --sources none`) is served as the
 * folder train wrote, and loads by URL in the SDK (`weightsUrl`) and in `<route-chat>` (`weights-url`), routing as it
 * does in Node.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { userGoldenCsv } from '../test/training/user-golden-fixture.ts';
import { trackOutsideRequests } from './fixtures/outside-requests.ts';
import { startRelayFixture, type RelayFixture } from './fixtures/relay.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Git-ignored, under the dev server's root, so the page fetches the folder exactly as train wrote it. */
const WORK = path.join(ROOT, 'test-results', 'own-router');
const FOLDER_URL = '/test-results/own-router/support-desk/';
/** Calculus goes to the strong model and cooking to the weak one in the fixture data; the threshold sits between. */
const THRESHOLD = 0.7;
const CALCULUS = 'Explain derivative integral Taylor series convergence Jacobian limit.';
const COOKING = 'Help me with garlic butter risotto onion simmer basil.';

let nodeScores: Map<string, number>;
let relay: RelayFixture;
let outside: string[];

test.beforeAll(async () => {
  test.setTimeout(300_000);
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });
  await writeFile(path.join(WORK, 'train.csv'), userGoldenCsv(160, 1));
  await writeFile(
    path.join(WORK, 'prompts.jsonl'),
    `${[CALCULUS, COOKING].map((prompt) => JSON.stringify({ prompt })).join('\n')}\n`,
  );
  const run = (script: string, args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT });
  await run('src/cli/train.ts', [
    '--router',
    'knn-gain',
    '--out',
    path.join(WORK, 'support-desk'),
    '--sources',
    'none',
    '--golden',
    path.join(WORK, 'train.csv'),
    '--no-eval',
  ]);
  await run('src/cli/score.ts', [
    '--weights',
    path.join(WORK, 'support-desk'),
    '--input',
    path.join(WORK, 'prompts.jsonl'),
    '--field',
    'prompt',
    '--out',
    path.join(WORK, 'scores.jsonl'),
  ]);
  const lines = (await readFile(path.join(WORK, 'scores.jsonl'), 'utf8')).trim().split('\n');
  nodeScores = new Map(
    lines
      .map((line) => JSON.parse(line) as { prompt: string; score: number })
      .map(({ prompt, score }) => [prompt, score]),
  );
  relay = await startRelayFixture();
});
test.afterAll(async () => {
  await relay?.close();
});
test.beforeEach(({ page }) => {
  outside = trackOutsideRequests(page);
});
test.afterEach(() => {
  expect(outside, 'requests that left localhost').toEqual([]);
});

test('the trained folder scores on both sides of the threshold in Node', () => {
  expect(nodeScores.get(CALCULUS)).toBeGreaterThan(THRESHOLD + 0.05);
  expect(nodeScores.get(COOKING)).toBeLessThan(THRESHOLD - 0.05);
});

test('the SDK loads the trained folder by weightsUrl and routes as Node scores it', async ({ page }) => {
  await page.goto('/e2e/fixtures/sdk.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
  const call = (method: string, ...args: unknown[]) =>
    page.evaluate(
      ([name, values]) =>
        (window as unknown as { sdk: Record<string, (...input: unknown[]) => Promise<unknown>> }).sdk[name]!(...values),
      [method, args] as [string, unknown[]],
    ) as Promise<{ value?: unknown; error?: { message: string } }>;
  const created = await call('create', {
    router: 'knn-gain',
    weightsUrl: FOLDER_URL,
    threshold: THRESHOLD,
    device: 'wasm',
  });
  expect(created.error).toBeUndefined();
  expect(created.value).toMatchObject({ state: 'ready' });
  const routed = await call('route', (created.value as { index: number }).index, [CALCULUS, COOKING]);
  const decisions = routed.value as { tier: string; score: number; router: string }[];
  expect(decisions.map((decision) => decision.tier)).toEqual(['strong', 'weak']);
  // The browser's WASM encoder gives the embeddings Node's does (cosine >= 0.999), so the scores agree closely.
  expect(decisions[0]!.score).toBeCloseTo(nodeScores.get(CALCULUS)!, 2);
  expect(decisions[1]!.score).toBeCloseTo(nodeScores.get(COOKING)!, 2);
});

test('<route-chat weights-url> routes with the trained folder', async ({ page }) => {
  const attributes = {
    'relay-url': relay.relayUrl,
    router: 'knn-gain',
    'weights-url': FOLDER_URL,
    threshold: String(THRESHOLD),
    device: 'wasm',
  };
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(`/e2e/fixtures/route-chat.html?${new URLSearchParams(attributes)}`);
  const chat = page.locator('route-chat');
  await expect(chat.locator('[part~="status"]')).not.toContainText('Loading');
  for (const prompt of [CALCULUS, COOKING]) {
    const before = await chat.locator('[part~="assistant"]').count();
    await chat.locator('textarea').fill(prompt);
    await chat.locator('textarea').press('Enter');
    await expect(chat.locator('[part~="assistant"]').nth(before)).toHaveAttribute('aria-busy', 'false');
  }
  const decisions = await decisionsOf(page);
  expect(decisions.map(({ prompt, tier }) => [prompt, tier])).toEqual([
    [CALCULUS, 'strong'],
    [COOKING, 'weak'],
  ]);
  expect(decisions[0]!.score).toBeCloseTo(nodeScores.get(CALCULUS)!, 2);
  // The weights came from the trained folder, not from /routers/knn-gain/.
  expect(requested.some((url) => url.includes(`${FOLDER_URL}weights.bin`))).toBe(true);
  expect(requested.some((url) => url.includes('/routers/knn-gain/'))).toBe(false);
});

async function decisionsOf(page: Page): Promise<{ prompt: string; tier: string; score: number }[]> {
  const events = await page.evaluate(
    () => (window as unknown as { routeEvents: { type: string; detail: Record<string, unknown> }[] }).routeEvents,
  );
  return events
    .filter((event) => event.type === 'route-decision')
    .map((event) => {
      const decision = event.detail['decision'] as { tier: string; score: number };
      return { prompt: event.detail['prompt'] as string, tier: decision.tier, score: decision.score };
    });
}
