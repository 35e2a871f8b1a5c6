import { InvalidInputError } from './errors.ts';

/** A parsed model string `router-<name>-<threshold>`: the router and threshold it names. */
export interface RouterModelString {
  readonly router: string;
  /** Prompts scoring at or above it go to the strong model. */
  readonly threshold: number;
}

const PREFIX = 'router-';
/** router-<name>-<threshold>: the name may hold hyphens (`sw-ranking`); the threshold is a plain decimal in [0, 1]. */
const MODEL_STRING = /^router-([a-z0-9]+(?:-[a-z0-9]+)*)-(\d*\.?\d+)$/;

/**
 * Reads a model string `router-<name>-<threshold>` (RouteLLM's format, e.g. `router-mf-0.1159`), accepted
 * wherever a model name is. Returns undefined for a plain model name such as `gpt-4o`; throws
 * InvalidInputError for a string that starts with `router-` but is malformed, so a typo is not sent to a
 * provider as a model name. Whether the router exists is the registry's question, not this parser's.
 */
export function parseRouterModel(model: string): RouterModelString | undefined {
  if (!model.startsWith(PREFIX)) return undefined;
  const match = MODEL_STRING.exec(model);
  const threshold = match ? Number(match[2]) : Number.NaN;
  if (!match || !(threshold >= 0 && threshold <= 1)) {
    throw new InvalidInputError(
      `Model string '${model}' is not router-<name>-<threshold> with a threshold between 0 and 1 (e.g. router-mf-0.1159).`,
    );
  }
  return { router: match[1]!, threshold };
}

/** The model string for a router and threshold; inverse of parseRouterModel. */
export function formatRouterModel({ router, threshold }: RouterModelString): string {
  const model = `${PREFIX}${router}-${threshold}`;
  // Round-trip through the parser so an unrepresentable name or threshold (1e-7, -0.1) fails here, not later.
  parseRouterModel(model);
  return model;
}
