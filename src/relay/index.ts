/**
 * The relay as a library (`routellm-web/relay`): build the Hono app from a config and serve it on any runtime that
 * takes a `fetch` handler. `routellm-web/relay/node` serves it on Node (and is the `routellm-relay` command);
 * `routellm-web/relay/cloudflare` makes a Cloudflare Workers handler.
 */
export { createRelayApp, type RelayApp, type RelayAppOptions, type RelayLogEntry } from './app.ts';
export {
  defineRelayConfig,
  parseRelayConfig,
  toParsedRelayConfig,
  type ParsedRelayConfig,
  type RelayConfig,
  type RelayLimits,
  type RelayModelConfig,
  type RelayVerifyConfig,
  type ParsedVerify,
} from './config.ts';
export { RelayConfigError } from './errors.ts';
export {
  promptOfMessages,
  verifierFromScores,
  type RouteCheck,
  type RouteVerdict,
  type VerifyOutcome,
  type VerifyRoute,
} from './verify.ts';
