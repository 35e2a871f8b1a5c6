import { expect, test, type Page } from '@playwright/test';
import { DEFAULT_CONTENT } from '../test/support/fake-upstream.ts';
import { trackOutsideRequests } from './fixtures/outside-requests.ts';
import { openRouteChat, sendMessage } from './fixtures/route-chat-actions.ts';
import { KEY_VARIABLE, startRelayFixture, type RelayFixture } from './fixtures/relay.ts';

/** A prompt the length router scores far above 0.5, and one far below. */
const LONG_PROMPT =
  'Write a detailed, step-by-step explanation of how public-key cryptography lets two strangers agree on a secret over an insecure channel, with a worked numeric example of Diffie-Hellman, and discuss man-in-the-middle attacks and how certificates defend against them. '.repeat(
    3,
  );
const SHORT_PROMPT = 'What is 2+2?';
/** 300 characters: the length router scores it 300 / 800 = 0.375. */
const MEDIUM_PROMPT = 'x'.repeat(300);

let relay: RelayFixture;
let keyless: RelayFixture;
let outside: string[];

test.beforeAll(async () => {
  relay = await startRelayFixture();
  keyless = await startRelayFixture({ withKey: false });
});
test.afterAll(async () => {
  await relay.close();
  await keyless.close();
});
test.beforeEach(({ page }) => {
  outside = trackOutsideRequests(page);
  relay.upstream.setReply({ kind: 'complete' });
});
test.afterEach(() => {
  expect(outside, 'requests that left localhost').toEqual([]);
});

const openChat = (page: Page, attributes: Record<string, string>) =>
  openRouteChat(page, attributes, (status) => expect(status).not.toContainText('Loading'));

const routeEvents = (page: Page) =>
  page.evaluate(
    () => (window as unknown as { routeEvents: { type: string; detail: Record<string, unknown> }[] }).routeEvents,
  );

test('routes each prompt on the device and streams the chosen model’s answer from the relay', async ({ page }) => {
  const chat = await openChat(page, { 'relay-url': relay.relayUrl, router: 'length', threshold: '0.3' });
  const sentBefore = relay.upstream.requests.length;

  const cheap = await sendMessage(chat, SHORT_PROMPT);
  await expect(cheap.locator('[part~="decision"]')).toContainText(
    /weak\s+fake-weak-model \(weak\) · score 0\.0\d\d < threshold 0\.300 · routed in \d/i,
  );
  await expect(cheap).toContainText(DEFAULT_CONTENT);
  // The length router sees only length, and the sentence says so, for this prompt.
  await expect(cheap.locator('[part~="why"]')).toHaveText(
    /^Answered by the cheap model: the length router only measures length, and this prompt is short \(12 characters\); its score 0\.0\d\d is below the threshold 0\.300\.$/,
  );

  const costly = await sendMessage(chat, LONG_PROMPT);
  await expect(costly.locator('[part~="decision"]')).toContainText(
    /strong\s+fake-strong-model \(strong\) · score 0\.\d{3} ≥ threshold 0\.300/i,
  );
  await expect(costly.locator('[part~="why"]')).toContainText(
    `this prompt is long (${LONG_PROMPT.trim().length.toLocaleString('en-US')} characters)`,
  );

  const sent = relay.upstream.requests
    .slice(sentBefore)
    .map((request) => (request.json as { model: string; stream: boolean }).model);
  expect(sent).toEqual(['fake-weak-model', 'fake-strong-model']);
  await expect(chat.locator('[part~="meter"]')).toContainText('Sent strong: 1 of 2 (50%)');
  await expect(chat.locator('[part~="meter"]')).toContainText(/\$0\.\d+ vs \$0\.\d+ always-strong/);

  const decisions = (await routeEvents(page)).filter((event) => event.type === 'route-decision');
  expect(decisions.map((event) => (event.detail['decision'] as { tier: string }).tier)).toEqual(['weak', 'strong']);
  expect(decisions[0]!.detail['prompt']).toBe(SHORT_PROMPT);
});

test('moving the threshold slider (by keyboard) changes the decisions', async ({ page }) => {
  const chat = await openChat(page, { 'relay-url': relay.relayUrl, router: 'length', threshold: '0.5' });
  await expect((await sendMessage(chat, MEDIUM_PROMPT)).locator('[part~="decision"]')).toContainText(/^\s*weak/);

  const slider = chat.locator('input[type="range"]');
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(slider).toHaveAttribute(
    'aria-valuetext',
    /^0\.00: prompts scoring at least this go to the strong model/,
  );
  await expect(await sendMessage(chat, MEDIUM_PROMPT)).toContainText(/strong.*score 0\.375 ≥ threshold 0\.000/);

  await slider.focus();
  await page.keyboard.press('End');
  await expect(await sendMessage(chat, MEDIUM_PROMPT)).toContainText(/weak.*score 0\.375 < threshold 1\.000/);
});

test('the first message honours the target share with the default router and its shipped calibration', async ({
  page,
}) => {
  // No router and no share: the defaults, length at a 50% strong share.
  const chat = await openChat(page, { 'relay-url': relay.relayUrl });
  await expect(chat.locator('[part~="slider"]')).toContainText('Target strong share 50%');
  const greeting = await sendMessage(chat, 'Hi');
  await expect(greeting.locator('[part~="decision"]')).toContainText(
    /^\s*weak.*score 0\.00\d < threshold 0\.1\d\d \(calibrated\)/,
  );
  const request = await sendMessage(chat, LONG_PROMPT);
  await expect(request.locator('[part~="decision"]')).toContainText(/^\s*strong.*≥ threshold 0\.1\d\d \(calibrated\)/);
  const decisions = (await routeEvents(page)).filter((event) => event.type === 'route-decision');
  expect(decisions.map((event) => (event.detail['decision'] as { calibration: string }).calibration)).toEqual([
    'manifest',
    'manifest',
  ]);
});

test('says plainly when the relay is down, has no key, or the router cannot load', async ({ page }) => {
  let chat = await openChat(page, { 'relay-url': 'http://127.0.0.1:9', router: 'length', threshold: '0.5' });
  await expect(chat.locator('[part~="error"]')).toContainText('The relay at http://127.0.0.1:9 could not be reached');
  await expect(chat.locator('[part~="error"]')).toContainText('npm run relay');

  chat = await openChat(page, { 'relay-url': keyless.relayUrl, router: 'length', threshold: '0.5' });
  const unanswered = await sendMessage(chat, SHORT_PROMPT);
  await expect(unanswered.locator('[part~="decision"]')).toContainText('weak');
  await expect(chat.locator('[part~="error"]')).toContainText(
    `No provider key: Model "weak" is not available: set the environment variable ${KEY_VARIABLE}`,
  );
  await expect(chat.locator('[part~="meter"]')).toContainText('the relay does not list strong and weak');

  chat = await openChat(page, { 'relay-url': relay.relayUrl, router: 'causal-llm', threshold: '0.5' });
  await expect(chat.locator('[part~="notice"]')).toContainText("Router 'causal-llm' could not load");
  await expect(chat.locator('[part~="notice"]')).toContainText('The strong model answers every prompt.');
  await expect((await sendMessage(chat, SHORT_PROMPT)).locator('[part~="decision"]')).toContainText(
    'fallback: the router could not load',
  );
  const kinds = (await routeEvents(page))
    .filter((event) => event.type === 'route-error')
    .map((event) => event.detail['kind']);
  expect(kinds).toContain('router_failed');
});

test('the worker survives a forced crash: the pending prompt fails clearly, the next one routes', async ({ page }) => {
  const chat = await openChat(page, {
    'relay-url': relay.relayUrl,
    router: 'slow',
    threshold: '0.5',
    worker: 'fixture',
  });
  await chat.locator('textarea').fill(SHORT_PROMPT);
  await chat.locator('textarea').press('Enter');
  await expect(chat.locator('[part~="stop"]')).toBeVisible();
  await page.evaluate(() => (window as unknown as { crashWorker: () => void }).crashWorker());
  await expect(chat.locator('[part~="error"]')).toContainText('The router worker crashed');
  const kinds = (await routeEvents(page))
    .filter((event) => event.type === 'route-error')
    .map((event) => event.detail['kind']);
  expect(kinds).toEqual(['worker_crashed']);

  const answer = await sendMessage(chat, SHORT_PROMPT);
  await expect(answer.locator('[part~="decision"]')).toContainText(/strong.*score 0\.900 ≥ threshold 0\.500/);
  await expect(chat.locator('[part~="error"]')).toHaveCount(0);
});

test('is keyboard usable: Enter sends, Escape stops the stream, and the provider request is cancelled', async ({
  page,
}) => {
  relay.upstream.setReply({ kind: 'complete', content: 'word '.repeat(400), chunkIntervalMs: 25 });
  const chat = await openChat(page, { 'relay-url': relay.relayUrl, router: 'length', threshold: '0.5' });
  await expect(chat.locator('[role="log"]')).toHaveAttribute('aria-live', 'polite');
  await chat.locator('textarea').focus();
  await page.keyboard.type(SHORT_PROMPT);
  await page.keyboard.press('Enter');
  const answer = chat.locator('[part~="assistant"]').first();
  await expect(answer).toContainText('word word word');
  await page.keyboard.press('Escape');
  await expect(answer).toHaveAttribute('aria-busy', 'false');
  expect(await relay.upstream.requests.at(-1)!.ended).toBe('aborted');
  expect((await answer.textContent())!.match(/word/g)!.length).toBeLessThan(400);
  // Stopped, said so, and paid for: the meter counts what was streamed.
  await expect(answer.locator('[part~="ended"]')).toContainText('Stopped');
  await expect(chat.locator('[part~="meter"]')).toContainText('Sent strong: 0 of 1 (0%)');
  await expect(chat.locator('[part~="error"]')).toHaveCount(0);
  await expect(chat.locator('textarea')).toBeFocused();
});

test('a slow route shows that it is routing on the device, and a long message is collapsed until opened', async ({
  page,
}) => {
  const chat = await openChat(page, {
    'relay-url': relay.relayUrl,
    router: 'slow',
    threshold: '0.5',
    worker: 'fixture',
  });
  await chat.locator('textarea').fill(SHORT_PROMPT);
  await chat.locator('textarea').press('Enter');
  await expect(chat.locator('[part~="routing"]')).toHaveText('Routing on your device…');
  await expect(chat.locator('[part~="assistant"]').first()).toHaveAttribute('aria-busy', 'false');
  await expect(chat.locator('[part~="routing"]')).toHaveCount(0);

  const long = `${'A long pasted document line.\n'.repeat(60)}`;
  await sendMessage(chat, long);
  const message = chat.locator('[part~="user"]').last();
  const body = message.locator('p');
  await expect(body).toHaveClass('collapsed');
  const collapsedHeight = await body.evaluate((node) => node.getBoundingClientRect().height);
  await message.getByRole('button', { name: /Show all 1,739 characters/ }).click();
  await expect(body).not.toHaveClass('collapsed');
  expect(await body.evaluate((node) => node.getBoundingClientRect().height)).toBeGreaterThan(collapsedHeight * 3);
  await expect(message.getByRole('button', { name: 'Show less' })).toHaveAttribute('aria-expanded', 'true');
});
