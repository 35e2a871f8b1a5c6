/**
 * Template: the relay as a Cloudflare Worker (the entry src/relay/wrangler.toml deploys). Copy it and a wrangler.toml
 * whose `main` names it into your project, import your own config, list your site in its cors.origins, and put each
 * key its config names as a secret (`npx wrangler secret put OPENAI_API_KEY`, and RELAY_CLIENT_TOKENS for this one).
 */
import { createRelayWorker } from 'routellm-web/relay/cloudflare';
import config from './openai.json' with { type: 'json' };

export default createRelayWorker(config);
