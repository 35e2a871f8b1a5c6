/**
 * The relay's Cloudflare code in workerd, Cloudflare's own runtime (through miniflare, a devDependency whose npm
 * package carries the workerd binary): a Worker module is bundled from TypeScript with Vite, as wrangler would bundle
 * it, and served with the Durable Object bindings wrangler.toml declares.
 */
import { Miniflare } from 'miniflare';
import { build, defaultClientConditions, type Rolldown } from 'vite';
import { PROJECT_ROOT } from '../../src/node/paths.ts';

/** One ES module with everything inside (Hono, the relay): what a Worker upload holds. */
export async function bundleWorker(entry: string): Promise<string> {
  const output = (await build({
    configFile: false,
    root: PROJECT_ROOT,
    logLevel: 'warn',
    publicDir: false,
    // The package's own name resolves to src/ here, as it does for the repository's examples.
    resolve: { conditions: ['routellm-web-source', 'workerd', 'worker', ...defaultClientConditions] },
    build: {
      write: false,
      minify: false,
      lib: { entry, formats: ['es'], fileName: () => 'worker.js' },
      rolldownOptions: { output: { codeSplitting: false } },
    },
  })) as Rolldown.RolldownOutput[];
  const chunk = output[0]!.output.find((file) => file.type === 'chunk');
  if (!chunk) throw new Error(`bundling ${entry} gave no module`);
  return chunk.code;
}

export interface WorkerdOptions {
  readonly script: string;
  /** String bindings: secrets and vars. */
  readonly bindings?: Record<string, string>;
  /** Durable Object bindings: binding name to the exported class. */
  readonly durableObjects?: Record<string, string>;
  readonly compatibilityDate?: string;
  /**
   * Copies of the Worker, each its own isolate with its own memory (`relay-0`, `relay-1`, ...; reach one with
   * `getWorker(name)`); their Durable Object bindings all name the first copy's classes, as one deployed Worker's
   * isolates share its objects. Default 1.
   */
  readonly replicas?: number;
}

export function startWorkerd(options: WorkerdOptions): Miniflare {
  const replicas = options.replicas ?? 1;
  return new Miniflare({
    workers: Array.from({ length: replicas }, (_, index) => ({
      name: `relay-${index}`,
      modules: true,
      script: options.script,
      compatibilityDate: options.compatibilityDate ?? '2025-09-01',
      bindings: options.bindings ?? {},
      durableObjects: Object.fromEntries(
        Object.entries(options.durableObjects ?? {}).map(([binding, className]) => [
          binding,
          // SQLite-backed, as wrangler.toml's migration declares (the storage new Durable Object classes get).
          index === 0 ? { className, useSQLite: true } : { className, scriptName: 'relay-0', useSQLite: true },
        ]),
      ),
    })),
  });
}
