import { expect, test, type Locator, type Page } from '@playwright/test';
import { trackOutsideRequests } from './fixtures/outside-requests.ts';
import { startRelayFixture, type RelayFixture } from './fixtures/relay.ts';

/** Markdown a model may write: every construct the element renders. */
const FRIENDLY = [
  'Here is **bold**, *emphasis* and `inline code`:',
  '',
  '- one',
  '- two',
  '',
  '```js',
  'const answer = 42;',
  'console.log(answer);',
  '```',
  '',
  '| model | cost |',
  '|---|---|',
  '| weak | low |',
  '',
  '[a safe link](https://example.com/docs)',
].join('\n');

/** An answer that tries every way model output could reach the host page: script, handlers, links, styles. */
const HOSTILE = [
  'Innocent start.',
  '',
  '<img src="x" onerror="window.__pwned = \'img onerror\'">',
  "<script>window.__pwned = 'script'</script>",
  "<svg><script>window.__pwned = 'svg script'</script></svg>",
  '<iframe srcdoc="<script>parent.__pwned = \'iframe\'</script>"></iframe>',
  '<style>body, :host, * { background: rgb(255, 0, 0) !important; display: none !important; }</style>',
  '<p style="position: fixed; inset: 0; background: rgb(255, 0, 0)">overlay</p>',
  '<a href="javascript:window.__pwned = \'raw link\'">raw link</a>',
  '',
  "[markdown link](javascript:window.__pwned='markdown link')",
  '',
  '[data link](data:text/html,<script>alert(1)</script>)',
  '',
  "![image](x onerror=window.__pwned='markdown image')",
  '',
  '<details open ontoggle="window.__pwned = \'details\'">toggle</details>',
  '',
  'Innocent end.',
].join('\n');

let relay: RelayFixture;
let outside: string[];

test.beforeAll(async () => {
  relay = await startRelayFixture();
});
test.afterAll(async () => {
  await relay.close();
});
test.beforeEach(({ page }) => {
  outside = trackOutsideRequests(page);
});
test.afterEach(() => {
  expect(outside, 'requests that left localhost').toEqual([]);
});

async function ask(page: Page, reply: string): Promise<Locator> {
  relay.upstream.setReply({ kind: 'complete', content: reply });
  await page.goto(
    `/e2e/fixtures/route-chat.html?relay-url=${encodeURIComponent(relay.relayUrl)}&router=length&threshold=0.5`,
  );
  const chat = page.locator('route-chat');
  await expect(chat.locator('[part~="status"]')).not.toContainText('Loading');
  await chat.locator('textarea').fill('Show me');
  await chat.locator('textarea').press('Enter');
  const answer = chat.locator('[part~="assistant"]').first();
  await expect(answer).toHaveAttribute('aria-busy', 'false');
  return answer.locator('.markdown');
}

test('renders an answer’s markdown: emphasis, lists, tables, links, and code in monospace with a copy button', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const answer = await ask(page, FRIENDLY);
  await expect(answer.locator('strong')).toHaveText('bold');
  await expect(answer.locator('em')).toHaveText('emphasis');
  await expect(answer.locator('li')).toHaveText(['one', 'two']);
  await expect(answer.locator('td')).toHaveText(['weak', 'low']);
  const link = answer.locator('a');
  await expect(link).toHaveAttribute('href', 'https://example.com/docs');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow');

  const code = answer.locator('pre code');
  await expect(code).toHaveText('const answer = 42;\nconsole.log(answer);\n');
  expect(await code.evaluate((node) => getComputedStyle(node).fontFamily)).toMatch(/mono|Menlo|Consolas/i);
  await answer.getByRole('button', { name: 'Copy this code' }).click();
  await expect(answer.getByRole('button', { name: 'Copy this code' })).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('const answer = 42;\nconsole.log(answer);\n');
});

test('a hostile answer cannot run script, restyle the page or link to javascript:', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const answer = await ask(page, HOSTILE);
  await expect(answer).toContainText('Innocent start.');
  await expect(answer).toContainText('Innocent end.');
  // Raw HTML is shown as the text it is.
  await expect(answer).toContainText("<script>window.__pwned = 'script'</script>");

  // Click everything that looks clickable, and give any handler time to fire.
  for (const link of await answer.locator('a').all()) await link.click({ modifiers: ['Alt'] });
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);

  const rendered = await answer.evaluate((root) => {
    const elements = Array.from(root.querySelectorAll('*'));
    return {
      tags: [...new Set(elements.map((element) => element.localName))].sort(),
      attributes: [...new Set(elements.flatMap((element) => element.getAttributeNames()))].sort(),
      hrefs: elements.flatMap((element) => (element.hasAttribute('href') ? [element.getAttribute('href')] : [])),
    };
  });
  expect(rendered.tags.filter((tag) => !['p', 'br', 'a', 'strong', 'em', 'code'].includes(tag))).toEqual([]);
  expect(rendered.attributes.filter((name) => !['href', 'target', 'rel', 'title'].includes(name))).toEqual([]);
  for (const href of rendered.hrefs) expect(href).toMatch(/^(https?:|mailto:)/);

  // The page and the element look as they did: no injected style reached either.
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe('rgb(255, 0, 0)');
  await expect(answer).toBeVisible();
  expect(
    await page
      .locator('route-chat')
      .evaluate((element) => element.shadowRoot!.querySelectorAll('style, script').length),
  ).toBe(0);
  await expect(page.locator('route-chat [part~="composer"]')).toBeVisible();
});
