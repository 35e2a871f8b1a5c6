import path from 'node:path';
import { expect, test } from '@playwright/test';
import { useDemoData } from './fixtures/demo-data.ts';

/** The demo on a 390 px phone: chat first, composer in reach, no chart text too small to read. */
test.use({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
const demoData = useDemoData();

test('on a 390 px phone the chat comes first with its composer visible, and no chart text is under 11 px', async ({
  page,
}, testInfo) => {
  await page.route('**/demo-data/*', (route) => {
    const name = path.basename(new URL(route.request().url()).pathname);
    if (name === 'progress.json') return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ path: path.join(demoData(), name) });
  });
  await page.goto('/');
  const chat = page.locator('route-chat');
  await expect(page.locator('main > section').first()).toHaveAttribute('id', 'chat');
  await expect(chat.locator('[part~="composer"]')).toBeInViewport();
  await expect(chat.locator('textarea')).toBeVisible();
  await expect(page.locator('.examples button')).toHaveCount(2);
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(pageWidth, 'no sideways scrolling').toBeLessThanOrEqual(390);
  await page.screenshot({ path: testInfo.outputPath('phone-chat.png') });

  const explorer = page.locator('benchmark-explorer');
  await expect(explorer.locator('[part~="metrics"] tr', { hasText: 'length' })).toContainText('0.556');
  const chart = explorer.locator('[part~="chart"] svg');
  await chart.scrollIntoViewIfNeeded();
  // Rendered size: each label's height on screen, which is what a reader sees (font size times the SVG's scale).
  const sizes = await chart.evaluate((svg) => {
    const scale = svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width;
    return Array.from(svg.querySelectorAll('text')).map((text) => ({
      text: text.textContent,
      px: Number.parseFloat(getComputedStyle(text).fontSize) * scale,
    }));
  });
  expect(sizes.length).toBeGreaterThan(5);
  for (const size of sizes) expect(size.px, `"${size.text}"`).toBeGreaterThanOrEqual(11 - 0.01);
  await page.screenshot({ path: testInfo.outputPath('phone-chart.png') });
  await page.screenshot({ path: 'test-results/phone-chart.png' });
});
