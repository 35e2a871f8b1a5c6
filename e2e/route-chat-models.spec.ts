import { expect, test, type Page } from '@playwright/test';
import { DEMO_MODELS } from '../src/elements/demo-models.ts';
import { DEFAULT_CONTENT } from '../test/support/fake-upstream.ts';
import { trackOutsideRequests } from './fixtures/outside-requests.ts';
import { openRouteChat, sendMessage } from './fixtures/route-chat-actions.ts';
import { startRelayFixture, type RelayFixture } from './fixtures/relay.ts';

/** A greeting and a hard proof: the irt router predicts the models far apart on the second, close on the first. */
const EASY_PROMPT = 'Hi! How are you today?';
const HARD_PROMPT =
  'Prove that there are infinitely many prime numbers, then explain step by step how the same idea shows that there are infinitely many primes of the form 4k + 3, and say where the argument fails for primes of the form 4k + 1.';
const MODEL_NAMES = DEMO_MODELS.map((model) => model.name);

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
  relay.upstream.setReply({ kind: 'complete' });
});
test.afterEach(() => {
  expect(outside, 'requests that left localhost').toEqual([]);
});

const openChat = (page: Page, attributes: Record<string, string>) =>
  openRouteChat(page, attributes, (status) => expect(status).toContainText('irt router on'));

test('with a models list, each prompt chooses among the models and the meter compares with the best one', async ({
  page,
}) => {
  // The demo's four models, answered by the fixture relay's two aliases as the demo's relay does.
  const chat = await openChat(page, { 'relay-url': relay.relayUrl, models: JSON.stringify(DEMO_MODELS) });
  await expect(chat.locator('[part~="slider"]')).toContainText('Policy: predicted quality − 10 × expected cost');
  const sentBefore = relay.upstream.requests.length;

  const answers = [await sendMessage(chat, EASY_PROMPT), await sendMessage(chat, HARD_PROMPT)];
  const chosen: string[] = [];
  for (const answer of answers) {
    await expect(answer).toContainText(DEFAULT_CONTENT);
    const decision = (await answer.locator('[part~="decision"]').textContent())!.replace(/\s+/g, ' ').trim();
    const model = MODEL_NAMES.find((name) => decision.startsWith(name));
    expect(model, `the decision "${decision}" names one of the models`).toBeDefined();
    chosen.push(model!);
    const alias = DEMO_MODELS.find((entry) => entry.name === model)!.relayModel!;
    expect(decision).toMatch(
      new RegExp(
        `via ${alias} \\(fake-${alias}-model\\) · predicted quality \\d+\\.\\d% · expected \\$0\\.\\d+ · routed in \\d`,
      ),
    );
    await expect(answer.locator('[part~="why"]')).toContainText(
      /^Chosen of 4 models: .+ has the best quality - 10\.0 x cost/,
    );
  }

  const sent = relay.upstream.requests.slice(sentBefore).map((request) => (request.json as { model: string }).model);
  expect(sent).toEqual(
    chosen.map((name) => `fake-${DEMO_MODELS.find((entry) => entry.name === name)!.relayModel}-model`),
  );
  const meter = chat.locator('[part~="meter"]');
  await expect(meter).toContainText('(of 2)');
  await expect(meter).toContainText(/\$0\.\d+ spent/);
  await expect(meter).toContainText(
    /vs \$0\.\d+ always \S+ \((the priciest model, and )?the best by mean predicted quality on these prompts\)/,
  );
  // The priciest of the four is gpt-4o, named whether or not it is also the best predicted.
  await expect(meter).toContainText(/always gpt-4o-2024-05-13 \(the priciest model/);

  const decisions = await page.evaluate(
    () =>
      (window as unknown as { routeEvents: { type: string; detail: { choice?: { model: string } } }[] }).routeEvents,
  );
  expect(
    decisions.filter((event) => event.type === 'route-decision').map((event) => event.detail.choice?.model),
  ).toEqual(chosen);
});

test('the demo’s four-model toggle routes among its priced models through the relay’s two aliases, and back', async ({
  page,
}) => {
  // The demo page calls the relay's default address; here that address is the fixture relay.
  await page.route('http://127.0.0.1:8787/**', (route) =>
    route.continue({ url: route.request().url().replace('http://127.0.0.1:8787', relay.relayUrl) }),
  );
  await page.goto('/');
  const chat = page.locator('route-chat');
  await expect(chat.locator('[part~="slider"]')).toContainText('Target strong share');
  await page.getByLabel('Choose among four priced models').check();
  await expect(page.locator('#many-models-note')).toContainText(
    'gpt-4o-2024-05-13 $5 / $15 (relay alias strong); Meta-Llama-3.1-70B-Instruct $0.88 / $0.88 (relay alias weak)',
  );
  await expect(page.locator('#many-models-note')).toContainText('price table of 2026-07-24');
  await expect(page.locator('#router')).toBeDisabled();
  await expect(chat.locator('[part~="status"]')).toContainText('irt router on');

  await page.locator('.examples button').first().click();
  const answer = chat.locator('[part~="assistant"]').first();
  await expect(answer).toHaveAttribute('aria-busy', 'false');
  await expect(answer).toContainText(DEFAULT_CONTENT);
  await expect(answer.locator('[part~="decision"]')).toContainText(
    new RegExp(`^\\s*(${MODEL_NAMES.join('|')}) via (strong|weak) \\(fake-(strong|weak)-model\\) · predicted quality`),
  );
  await expect(chat.locator('[part~="meter"]')).toContainText('always gpt-4o-2024-05-13');

  await page.getByLabel('Choose among four priced models').uncheck();
  await expect(chat.locator('[part~="slider"]')).toContainText('Target strong share');
  await expect(page.locator('#router')).toBeEnabled();
});
