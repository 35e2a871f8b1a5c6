/**
 * The relay on Cloudflare Workers: `export default createRelayWorker(config)` in your Worker's entry file (see
 * examples/cloudflare-entry.ts). Same app as the Node entry. The config is yours, bundled with the code and checked
 * when the bundle loads; provider keys and client tokens are the platform's secrets
 * (`wrangler secret put OPENAI_API_KEY`), handed to the handler as `env`. Budgets and shares hold across isolates
 * when the config's `store.durableObjectBinding` names the binding of `RelayCounter`, which the entry re-exports.
 */
import type { ExecutionContext } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import { createRelayApp, type RelayApp } from './app.ts';
import { toParsedRelayConfig, type ParsedRelayConfig, type RelayConfig } from './config.ts';
import { DurableObjectStore, isDurableObjectNamespace } from './durable-object-store.ts';
import { errorResponse } from './error-response.ts';
import { errorMessage, RelayConfigError } from './errors.ts';
import type { RelayStore } from './store.ts';

export { RelayCounter } from './durable-object-store.ts';

/** The Worker's bindings: secrets and vars by name. Only string values can be keys or tokens. */
export type CloudflareBindings = Readonly<Record<string, unknown>>;

/** A Workers module's default export. */
export interface RelayWorker {
  fetch(request: Request, env: CloudflareBindings, ctx?: ExecutionContext): Response | Promise<Response>;
}

/** Cloudflare sets this header to the caller's address; a client cannot override it. */
const cloudflareConnInfo: GetConnInfo = (c) => ({ remote: { address: c.req.header('cf-connecting-ip') } });

/** Throws RelayConfigError for an invalid config, so that a bad config fails the deploy rather than every request. */
export function createRelayWorker(relayConfig: RelayConfig | ParsedRelayConfig): RelayWorker {
  const config = toParsedRelayConfig(relayConfig);
  // The bindings object is fixed for the life of an isolate, so the app is built once per bindings object.
  const apps = new WeakMap<CloudflareBindings, RelayApp>();
  return {
    fetch(request, env, ctx) {
      let app = apps.get(env);
      if (!app) {
        try {
          const store = storeFor(config, env);
          app = createRelayApp(config, {
            env: stringBindings(env),
            getConnInfo: cloudflareConnInfo,
            ...(store && { store }),
          });
        } catch (error) {
          return errorResponse(500, 'relay_misconfigured', errorMessage(error));
        }
        apps.set(env, app);
      }
      return app.fetch(request, env, ctx);
    },
  };
}

function stringBindings(env: CloudflareBindings): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === 'string') strings[name] = value;
  return strings;
}

/** The Durable Object store the config names, from its binding; undefined for a config that keeps counts in memory. */
function storeFor(config: ParsedRelayConfig, env: CloudflareBindings): RelayStore | undefined {
  if (config.store.kind !== 'durable-object') return undefined;
  const binding = env[config.store.binding];
  if (!isDurableObjectNamespace(binding)) {
    throw new RelayConfigError(
      `store.durableObjectBinding names ${config.store.binding}, which is not a Durable Object binding of this Worker: add it to wrangler.toml ([[durable_objects.bindings]] name = "${config.store.binding}", class_name = "RelayCounter") and export RelayCounter from the entry`,
    );
  }
  return new DurableObjectStore(binding);
}
