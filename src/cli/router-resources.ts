import path from 'node:path';
import type { RouterContext, RouterDefinition, RouterWeights } from '../core/registry.ts';
import { createRouterEmbedder, type RouterEmbedder } from './router-embedder.ts';
import { DEFAULT_ROUTERS_DIR, readRouterFolder } from './router-weights.ts';

/** What the CLIs hand to routers: the encoder (only loaded when a router needs one) and each router's own weights. */
export interface RouterResources {
  readonly context: RouterContext;
  /** Reads `<routersDir>/<router>/` (manifest.json and weight files). */
  readonly weightsFor: (router: string) => Promise<RouterWeights>;
  readonly embedder?: RouterEmbedder;
  dispose(): Promise<void>;
}

/**
 * Loads what these routers require: the router encoder behind the embedding cache if any of them needs an
 * embedder, and a weights reader for the folder where trained routers live (default public/routers).
 */
export async function loadRouterResources(
  definitions: readonly RouterDefinition[],
  options: { readonly routersDir?: string; readonly seed?: number } = {},
): Promise<RouterResources> {
  const routersDir = options.routersDir ?? DEFAULT_ROUTERS_DIR;
  const needsEmbedder = definitions.some((definition) => definition.requires.includes('embedder'));
  const embedder = needsEmbedder ? await createRouterEmbedder() : undefined;
  return {
    context: { ...(embedder ? { embedder } : {}), ...(options.seed === undefined ? {} : { seed: options.seed }) },
    weightsFor: (router) => readRouterFolder(path.join(routersDir, router)),
    ...(embedder ? { embedder } : {}),
    dispose: async () => {
      await embedder?.dispose();
    },
  };
}
