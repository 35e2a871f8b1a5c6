import type { Embedder, Router } from './router.ts';
import { InvalidInputError, RouteError } from './errors.ts';
import type { LabelScorer } from './label-scorer.ts';
import type { TextClassifier } from './text-classifier.ts';

/** What a router may need that is not a prompt: the name of the context field that holds it. */
export type RouterRequirement = 'embedder' | 'weights' | 'textClassifier' | 'labelScorer';

/** Router weights as a loader (fetch in the browser, the file system in Node) hands them over. */
export interface RouterWeights {
  /** The parsed `manifest.json` that ships with the weights. */
  readonly manifest: Readonly<Record<string, unknown>>;
  /** The weight files named in the manifest, by file name. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** Everything a router may be created from; each router reads only what it needs. */
export interface RouterContext {
  readonly embedder?: Embedder;
  readonly weights?: RouterWeights;
  /** A sequence classifier over prompts (the `classifier` router's model). */
  readonly textClassifier?: TextClassifier;
  /** A causal LM that scores answer tokens (the `causal-llm` router's model). */
  readonly labelScorer?: LabelScorer;
  /** Seed for stochastic routers. */
  readonly seed?: number;
  /** Longest prompt of the set being routed, for routers that normalise by it (`length` in evaluation). */
  readonly maxLength?: number;
}

/** How a router is made by name: the eval, score, SDK and worker all go through this. */
export interface RouterDefinition {
  /** Registry name, as in model strings (`router-<name>-<threshold>`): lowercase letters, digits, hyphens. */
  readonly name: string;
  /** One line for listings and errors. */
  readonly description: string;
  /** Context fields that must be present; the registry checks them before `create`. */
  readonly requires: readonly RouterRequirement[];
  /** For stochastic routers: how many seeds (0, 1, ...) evaluation averages over. */
  readonly evaluationSeeds?: number;
  /**
   * For routers without a manifest: a score quantile table shipped with the code (as scoreQuantileTable makes), from
   * which a strong-call share becomes a threshold before any traffic is seen.
   */
  readonly quantiles?: readonly number[];
  create(context: RouterContext): Router | Promise<Router>;
}

const REQUIREMENT_DESCRIPTIONS: Readonly<Record<RouterRequirement, string>> = {
  embedder: 'a text embedder (context.embedder)',
  weights: 'trained weights (context.weights)',
  textClassifier: 'a text classifier (context.textClassifier)',
  labelScorer: 'a causal LM label scorer (context.labelScorer)',
};

const ROUTER_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Routers by name. Immutable: make a new registry with more definitions rather than mutating a shared one. */
export class RouterRegistry {
  readonly #definitions: ReadonlyMap<string, RouterDefinition>;

  constructor(definitions: Iterable<RouterDefinition>) {
    const byName = new Map<string, RouterDefinition>();
    for (const definition of definitions) {
      if (!ROUTER_NAME.test(definition.name)) {
        throw new InvalidInputError(
          `Router name '${definition.name}' must be lowercase letters and digits, joined by single hyphens.`,
        );
      }
      if (byName.has(definition.name)) throw new InvalidInputError(`Router '${definition.name}' is defined twice.`);
      byName.set(definition.name, definition);
    }
    this.#definitions = byName;
  }

  /** Known router names, in definition order. */
  names(): string[] {
    return [...this.#definitions.keys()];
  }

  has(name: string): boolean {
    return this.#definitions.has(name);
  }

  /** The definition of a router; throws a RouteError with code 'router_not_found' listing the known names. */
  get(name: string): RouterDefinition {
    const definition = this.#definitions.get(name);
    if (!definition) {
      throw new RouteError(`Unknown router '${name}'. Known routers: ${this.names().join(', ')}.`, 'router_not_found');
    }
    return definition;
  }

  /** A registry with these definitions added to (or, for a known name, replacing) this one's. */
  with(...definitions: RouterDefinition[]): RouterRegistry {
    const replaced = new Set(definitions.map((definition) => definition.name));
    return new RouterRegistry([
      ...[...this.#definitions.values()].filter((definition) => !replaced.has(definition.name)),
      ...definitions,
    ]);
  }

  /** Creates a router by name after checking that the context has what it requires. */
  async create(name: string, context: RouterContext = {}): Promise<Router> {
    return createFromDefinition(this.get(name), context);
  }
}

/** Creates a router from its definition after checking that the context has what it requires. */
export async function createFromDefinition(definition: RouterDefinition, context: RouterContext): Promise<Router> {
  const missing = definition.requires.filter((requirement) => context[requirement] === undefined);
  if (missing.length > 0) {
    const needs = missing.map((requirement) => REQUIREMENT_DESCRIPTIONS[requirement]).join(' and ');
    throw new InvalidInputError(`Router '${definition.name}' needs ${needs}, which was not provided.`);
  }
  return definition.create(context);
}
