import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { buildClassifierModel } from '../src/node/onnx/classifier/build-classifier-model.ts';
import type { DemoIndex } from '../src/elements/demo-data.ts';
import { useDemoData } from './fixtures/demo-data.ts';

const demoData = useDemoData();

test('the benchmark explorer shows the routers’ curves and moves decisions with the threshold', async ({ page }) => {
  await page.route('**/demo-data/*', (route) =>
    route.fulfill({ path: path.join(demoData(), path.basename(new URL(route.request().url()).pathname)) }),
  );
  await page.goto('/');
  const explorer = page.locator('benchmark-explorer');
  // The plain-words introduction is the element's own, so every page that embeds it has it.
  const intro = explorer.locator('[part~="intro"]');
  await expect(intro).toContainText('The curve shows, for every share of questions sent to the strong model');
  await expect(intro).toContainText('The oracle is a router that knows the answers in advance');
  await expect(intro.locator('dt .outcome')).toHaveText(['needed', 'no gain', 'worse', 'saved', 'lost quality']);
  await expect(intro.locator('dd')).toHaveCount(4);
  await expect(explorer.locator('[role="tab"][aria-selected="true"]')).toContainText('MT-Bench');
  const lengthRow = explorer.locator('[part~="metrics"] tr', { hasText: 'length' });
  // The length router's APGR on MT-Bench, as `npm run eval` and the golden file have it.
  await expect(lengthRow).toContainText('0.556');

  const slider = explorer.locator('#threshold');
  const strongCount = () => explorer.locator('[part~="prompt"][part~="strong"]').count();
  await explorer.locator('select').selectOption('strong');
  const before = await explorer.locator('[part~="prompts"] header').textContent();
  await slider.focus();
  // The slider moves as the chart's x axis does: left is fewer strong calls.
  const share = async () => Number((await explorer.locator('.reading strong').nth(1).textContent())!.replace('%', ''));
  const shareBefore = await share();
  for (let step = 0; step < 30; step++) await page.keyboard.press('ArrowLeft');
  const after = await explorer.locator('[part~="prompts"] header').textContent();
  expect(Number(after!.match(/([\d,]+) prompts/)![1])).toBeLessThan(Number(before!.match(/([\d,]+) prompts/)![1]));
  expect(await share()).toBeLessThan(shareBefore);
  await page.keyboard.press('End');
  expect(await share()).toBe(100);
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
    const file = path.join(demoData(), path.basename(new URL(route.request().url()).pathname));
    if (file.endsWith('progress.json')) return route.fulfill({ status: 404, body: 'not found' });
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
  await expect(explorer.locator('[part~="pending"]')).toContainText(
    'Still being scored by npm start: knn-gain. Their curves appear here when ready.',
  );
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

test('the explorer shows scoring progress and updates itself when new curves are published', async ({ page }) => {
  let published = false;
  await page.route('**/demo-data/*', async (route) => {
    const name = path.basename(new URL(route.request().url()).pathname);
    if (name === 'progress.json') {
      if (published) return route.fulfill({ status: 404, body: 'not found' });
      return route.fulfill({
        json: { router: 'random', benchmark: 'MMLU', done: 3200, total: 12537, etaSeconds: 130 },
      });
    }
    const file = path.join(demoData(), name);
    if (name !== 'index.json' || published) return route.fulfill({ path: file });
    // Before: random listed as still being scored, as a build publishes it while scoring.
    const index = JSON.parse(await readFile(file, 'utf8')) as DemoIndex;
    return route.fulfill({
      json: {
        ...index,
        fingerprint: '',
        generatedAt: '2026-01-01T00:00:00.000Z',
        routers: index.routers.map((router) =>
          router.name === 'random' ? { ...router, source: 'pending', note: 'being scored by this build' } : router,
        ),
      },
    });
  });
  await page.goto('/');
  const explorer = page.locator('benchmark-explorer');
  await expect(explorer.locator('[part~="pending"]')).toContainText(
    'now random on MMLU: 3,200 of 12,537 prompts, about 2 min left',
  );
  await expect(explorer.locator('[part~="metrics"] tr', { hasText: 'random' })).toHaveCount(0);
  published = true;
  // No reload: the explorer polls the index while routers are pending.
  await expect(explorer.locator('[part~="metrics"] tr', { hasText: 'random' })).not.toHaveCount(0);
  await expect(explorer.locator('[part~="pending"]')).toHaveCount(0);
});

test('every router in the picker works or says why not; causal-llm only after an opt-in naming its download', async ({
  page,
}) => {
  await buildClassifierModel({});
  await page.goto('/');
  const picker = page.locator('#router');
  await expect(picker.locator('option[value="classifier"]')).toHaveText('classifier');
  await expect(picker.locator('option[value="classifier"]')).toBeEnabled();
  const causal = picker.locator('option[value="causal-llm"]');
  await expect(causal).toBeDisabled();
  await expect(causal).toContainText('off: downloads its model');
  await expect(page.locator('label.opt-in')).toContainText('GB from the Hugging Face Hub');
  for (const name of ['length', 'random', 'mf', 'sw-ranking', 'knn-gain']) {
    const option = picker.locator(`option[value="${name}"]`);
    if (await option.isEnabled()) continue;
    await expect(option).toContainText('no trained weights');
  }

  await picker.selectOption('classifier');
  const status = page.locator('route-chat [part~="status"]');
  await expect(status).toContainText(/^classifier router on (WASM|WEBGPU)/, { timeout: 60_000 });
  await expect(page.locator('route-chat [part~="notice"]')).toHaveCount(0);

  await page.locator('#allow-download').check();
  await expect(causal).toBeEnabled();
  await expect(page.locator('route-chat')).toHaveAttribute('allow-remote-models', '');
});
