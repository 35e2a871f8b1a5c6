/**
 * The relay as a serverless `fetch` handler (Cloudflare Workers style; deploy with
 * `npx wrangler deploy -c src/relay/wrangler.toml`). Same app as the Node entry. The config is bundled at build time
 * from relay.config.json and checked when the bundle loads; provider keys and client tokens are the platform's
 * secrets (`wrangler secret put OPENAI_API_KEY`), handed to the handler as `env`.
 */
import type { ExecutionContext } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';
import { createRelayApp, type RelayApp } from './app.ts';
import { parseRelayConfig, type ParsedRelayConfig } from './config.ts';
import { errorResponse } from './error-response.ts';
import bundledConfig from './relay.config.json' with { type: 'json' };

/** The platform's bindings: secrets and vars by name. Only string values can be keys or tokens. */
export type WorkerEnv = Readonly<Record<string, unknown>>;

export interface RelayWorker {
  fetch(request: Request, env: WorkerEnv, ctx?: ExecutionContext): Response | Promise<Response>;
}

/** Cloudflare sets this header to the caller's address; a client cannot override it. */
const cloudflareConnInfo: GetConnInfo = (c) => ({ remote: { address: c.req.header('cf-connecting-ip') } });

export function createRelayWorker(config: ParsedRelayConfig): RelayWorker {
  // The bindings object is fixed for the life of an isolate, so the app is built once per bindings object.
  const apps = new WeakMap<WorkerEnv, RelayApp>();
  return {
    fetch(request, env, ctx) {
      let app = apps.get(env);
      if (!app) {
        try {
          app = createRelayApp(config, { env: stringBindings(env), getConnInfo: cloudflareConnInfo });
        } catch (error) {
          return errorResponse(500, 'relay_misconfigured', (error as Error).message);
        }
        apps.set(env, app);
      }
      return app.fetch(request, env, ctx);
    },
  };
}

function stringBindings(env: WorkerEnv): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === 'string') strings[name] = value;
  return strings;
}

export default createRelayWorker(parseRelayConfig(bundledConfig, 'src/relay/relay.config.json'));
