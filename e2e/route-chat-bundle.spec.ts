import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { PROJECT_ROOT } from '../src/node/paths.ts';
import { defaultRegistry } from '../src/core/routers.ts';
import { buildRouteChat } from '../scripts/build-route-chat.ts';
import { trackOutsideRequests } from './fixtures/outside-requests.ts';
import { startRelayFixture, type RelayFixture } from './fixtures/relay.ts';

const BUNDLE = path.join(PROJECT_ROOT, 'dist', 'e2e-route-chat');
let relay: RelayFixture;
let outside: string[];

test.beforeAll(async () => {
  const quiet = { stdout: { write: () => true }, stderr: { write: () => true, isTTY: false }, env: process.env };
  await buildRouteChat(['--out', BUNDLE], quiet);
  relay = await startRelayFixture();
});
test.afterAll(async () => {
  await relay?.close();
  await rm(BUNDLE, { recursive: true, force: true });
});
test.beforeEach(({ page }) => {
  outside = trackOutsideRequests(page);
});
test.afterEach(() => {
  expect(outside, 'requests that left localhost').toEqual([]);
});

test('one script tag and one element: the built bundle routes and streams', async ({ page }) => {
  await page.goto(
    `/e2e/fixtures/route-chat-bundle.html?${new URLSearchParams({ 'relay-url': relay.relayUrl, router: 'length', threshold: '0.3' })}`,
  );
  const chat = page.locator('route-chat');
  await chat.locator('textarea').fill('What is 2+2?');
  await chat.locator('textarea').press('Enter');
  const answer = chat.locator('[part~="assistant"]').first();
  await expect(answer).toHaveAttribute('aria-busy', 'false');
  await expect(answer.locator('[part~="decision"]')).toContainText(
    /weak\s+fake-weak-model \(weak\) · score 0\.\d{3} < threshold 0\.300/,
  );
});

test('the bundle finds its encoder, runtime and router weights next to it', async ({ page }) => {
  const shipped = (await readdir(path.join(BUNDLE, 'routers'))).filter(
    (name) => defaultRegistry.has(name) && defaultRegistry.get(name).requires.includes('embedder'),
  );
  expect(shipped.length, 'the bundle ships a trained embedding router').toBeGreaterThan(0);
  await page.goto(
    `/e2e/fixtures/route-chat-bundle.html?${new URLSearchParams({ 'relay-url': relay.relayUrl, router: shipped[0]!, threshold: '0.5', device: 'wasm' })}`,
  );
  await expect(page.locator('route-chat [part~="status"]')).toHaveText(`${shipped[0]} router on WASM`, {
    timeout: 60_000,
  });
});
