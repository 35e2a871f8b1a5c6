import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { buildDemoData } from '../scripts/build-demo-data.ts';
import type { DemoIndex } from '../src/elements/demo-data.ts';
import { trackOutsideRequests } from './fixtures/outside-requests.ts';

/** The explorer's data for this run (the baseline routers only, which need no scoring at build time). */
let dataDir: string;
let outside: string[];
test.beforeAll(async () => {
  dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'e2e-demo-data-')), 'demo-data');
  const quiet = { stdout: { write: () => true }, stderr: { write: () => true, isTTY: false }, env: process.env };
  await buildDemoData(['--out', dataDir, '--routers', 'length,random'], quiet);
});
test.afterAll(async () => {
  await rm(path.dirname(dataDir), { recursive: true, force: true });
});
test.beforeEach(({ page }) => {
  outside = trackOutsideRequests(page);
});
test.afterEach(() => {
  expect(outside, 'requests that left localhost').toEqual([]);
});

test('the benchmark explorer shows the routers’ curves and moves decisions with the threshold', async ({ page }) => {
  await page.route('**/demo-data/*', (route) =>
    route.fulfill({ path: path.join(dataDir, path.basename(new URL(route.request().url()).pathname)) }),
  );
  await page.goto('/');
  const explorer = page.locator('benchmark-explorer');
  await expect(explorer.locator('[role="tab"][aria-selected="true"]')).toContainText('MT-Bench');
  const lengthRow = explorer.locator('[part~="metrics"] tr', { hasText: 'length' });
  // The length router's APGR on MT-Bench, as `npm run eval` and the golden file have it.
  await expect(lengthRow).toContainText('0.556');

  const slider = explorer.locator('#threshold');
  const strongCount = () => explorer.locator('[part~="prompt"][part~="strong"]').count();
  await explorer.locator('select').selectOption('strong');
  const before = await explorer.locator('[part~="prompts"] header').textContent();
  await slider.focus();
  for (let step = 0; step < 30; step++) await page.keyboard.press('ArrowRight');
  const after = await explorer.locator('[part~="prompts"] header').textContent();
  expect(Number(after!.match(/([\d,]+) prompts/)![1])).toBeLessThan(Number(before!.match(/([\d,]+) prompts/)![1]));
  expect(await strongCount()).toBeGreaterThan(0);

  const tabs = explorer.locator('[role="tab"]');
  await tabs.first().focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(explorer.locator('[role="tab"][aria-selected="true"]')).toContainText('GSM8K');
  await expect(explorer.locator('[part~="metrics"] tr', { hasText: 'length' })).toContainText('0.599');
  await explorer.locator('[part~="prompt"] summary').first().click();
  await expect(explorer.locator('details[open] .answers h4')).toHaveCount(2);
  await expect(explorer.locator('details[open] .answers')).toContainText('gpt-4-1106-preview');
});

test('while learned routers are still being scored, the explorer shows the baselines and says which are coming', async ({
  page,
}) => {
  await page.route('**/demo-data/*', async (route) => {
    const file = path.join(dataDir, path.basename(new URL(route.request().url()).pathname));
    if (!file.endsWith('index.json')) return route.fulfill({ path: file });
    // The index as `npm start` publishes it before scoring a learned router.
    const index = JSON.parse(await readFile(file, 'utf8')) as DemoIndex;
    index.routers.push({
      name: 'knn-gain',
      description: 'learned',
      source: 'pending',
      note: 'being scored by this build',
    });
    return route.fulfill({ json: { ...index, fingerprint: '' } });
  });
  await page.goto('/');
  const explorer = page.locator('benchmark-explorer');
  await expect(explorer.locator('[part~="metrics"] tr', { hasText: 'length' })).toContainText('0.556');
  await expect(explorer.locator('[part~="pending"]')).toContainText('Still being scored by npm start: knn-gain');
  await expect(explorer.locator('[part~="metrics"] tr', { hasText: 'knn-gain' })).toHaveCount(0);
});

test('without its data the explorer says where the data comes from and how to build it', async ({ page }) => {
  await page.route('**/demo-data/index.json', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto('/');
  const missing = page.locator('benchmark-explorer [part~="missing"]');
  await expect(missing).toContainText('The benchmark data is not built yet');
  await expect(missing).toContainText('../shared');
  await expect(missing).toContainText('npm run build:demo-data -- --data /path/to/shared');
  await expect(missing).toContainText('ROUTELLM_DATA');
});
