/**
 * Template: the relay as a Cloudflare Worker (the entry src/relay/wrangler.toml deploys). Copy it and a wrangler.toml
 * whose `main` names it into your project, import your own config, list your site in its cors.origins, and put each
 * key its config names as a secret (`npx wrangler secret put OPENAI_API_KEY`, and RELAY_CLIENT_TOKENS for this one).
 * Budgets and shares are counted in the Durable Object class exported here, bound as RELAY_COUNTERS in wrangler.toml.
 */
import { createRelayWorker } from 'routellm-web/relay/cloudflare';
import config from './openai.json' with { type: 'json' };

export { RelayCounter } from 'routellm-web/relay/cloudflare';

// Each client may spend $0.50 a day, counted across every isolate of the Worker.
export default createRelayWorker({
  ...config,
  budgets: { usd: 0.5 },
  store: { durableObjectBinding: 'RELAY_COUNTERS' },
});
