import { ModelLoadError } from '../errors.ts';
import type { RouterWeights } from '../registry.ts';
import type { Embedder } from '../router.ts';

/**
 * What every learned router's manifest.json says about how to use its weights (the rest of the manifest,
 * written by `npm run train`, records data, seed, timing, benchmark results and calibration):
 *   "router": "<registry name>", "encoder": { "id": "<encoder id>", "overflow": "chunk" }, "parameters": { ... }
 * Weights are only valid for the encoder they were trained on: a router refuses to load on any other.
 */
export interface LearnedRouterManifest {
  readonly router: string;
  readonly encoderId: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

export function readLearnedRouterManifest(
  weights: RouterWeights,
  router: string,
  embedder: Embedder,
): LearnedRouterManifest {
  const where = `Router '${router}' weights`;
  const { manifest } = weights;
  if (manifest['router'] !== router) {
    throw new ModelLoadError(
      `${where}: the manifest is for router ${JSON.stringify(manifest['router'])}, not '${router}'.`,
    );
  }
  const encoder = manifest['encoder'];
  const encoderId =
    typeof encoder === 'object' && encoder !== null ? (encoder as Record<string, unknown>)['id'] : undefined;
  if (typeof encoderId !== 'string')
    throw new ModelLoadError(`${where}: the manifest does not name its encoder (encoder.id).`);
  if (encoderId !== embedder.id) {
    throw new ModelLoadError(
      `${where} were trained on encoder '${encoderId}' but the embedder is '${embedder.id}': retrain them for this encoder.`,
    );
  }
  const parameters = manifest['parameters'];
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new ModelLoadError(`${where}: the manifest has no "parameters" object.`);
  }
  return { router, encoderId, parameters: parameters as Record<string, unknown> };
}

/** A numeric parameter of a learned router's manifest, checked once at load. */
export function numberParameter(
  manifest: LearnedRouterManifest,
  name: string,
  check: (value: number) => boolean = Number.isFinite,
): number {
  const value = manifest.parameters[name];
  if (typeof value !== 'number' || !check(value)) {
    throw new ModelLoadError(
      `Router '${manifest.router}' weights: parameter '${name}' is missing or invalid (${JSON.stringify(value)}).`,
    );
  }
  return value;
}

/** A list-of-strings parameter (model names), checked once at load. */
export function stringListParameter(manifest: LearnedRouterManifest, name: string): string[] {
  const value = manifest.parameters[name];
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string')) {
    throw new ModelLoadError(
      `Router '${manifest.router}' weights: parameter '${name}' must be a non-empty list of names.`,
    );
  }
  return value as string[];
}
