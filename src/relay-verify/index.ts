/**
 * Server-side verification for the relay (Node): runs one of routellm-web's routers on each verified request's
 * prompt, so the relay can downgrade or refuse a `strong` request the router would not send there, whatever the
 * browser decided. The relay itself defines only the hook and the policy (src/relay/verify.ts) and loads none of
 * this; `routellm-web relay` (src/cli/relay.ts) imports it only when the config has `verify`.
 *
 *   const verifier = await createRouteVerifier(parseRelayConfig(config).verify!);
 *   await startNodeRelay({ config, verifyRoute: verifier.verifyRoute });
 *
 * Routers load by name with their shipped weights and models: `<package>/public/` in the repository (routers/ is
 * committed; models/ is what `npm run build:encoder` and `build:classifier` write), `<package>/assets/` in the
 * published package. The inference stack (transformers.js, onnxruntime-node) is imported only for routers that need
 * it: `length` needs none.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  defaultRegistry,
  errorMessage,
  InvalidInputError,
  ModelLoadError,
  readRouterWeights,
  type Router,
  type RouterContext,
  type RouterRequirement,
  type RouterWeights,
  type WeightsFileReader,
} from '../core/index.ts';
import { verifierFromScores, type ParsedVerify, type VerifyRoute } from '../relay/index.ts';

/** Where the router's files are found; each defaults to the shipped folder (see above). */
export interface RouterScorerOptions {
  /** The router's weights folder (manifest.json and weight files), for routers that need weights. */
  readonly weights?: string;
  /** The folder holding model folders (the encoder's `universal-sentence-encoder-lite/`, the classifier's). */
  readonly modelsDir?: string;
}

/** One router, loaded, scoring one prompt at a time. */
export interface RouterScorer {
  readonly router: string;
  score(prompt: string, signal?: AbortSignal): Promise<number>;
  /** Releases the models; later scores reject. */
  close(): Promise<void>;
}

export interface RouteVerifier {
  /** For `createRelayApp` / `startNodeRelay` options. */
  readonly verifyRoute: VerifyRoute;
  readonly scorer: RouterScorer;
  close(): Promise<void>;
}

/** The package's root: this file is src/relay-verify/index.ts in the repository, dist/relay-verify/index.js published. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The repository's folders first (always current there), then the published package's. */
const SHIPPED_ROOTS = [path.join(PACKAGE_ROOT, 'public'), path.join(PACKAGE_ROOT, 'assets')];
/** Routers that would download a model at run time, which a relay must never do on its own. */
const UNSUPPORTED: readonly RouterRequirement[] = ['labelScorer'];

/** The verifier the config's `verify` describes: its router loaded, its policy applied to every chat request. */
export async function createRouteVerifier(
  policy: ParsedVerify,
  options: Omit<RouterScorerOptions, 'weights'> = {},
): Promise<RouteVerifier> {
  const scorer = await loadRouterScorer(policy.router, {
    ...options,
    ...(policy.weights !== undefined && { weights: policy.weights }),
  });
  return {
    verifyRoute: verifierFromScores(policy, (prompt, signal) => scorer.score(prompt, signal)),
    scorer,
    close: () => scorer.close(),
  };
}

/** Loads a router by registry name with what it requires. Throws a RouteError naming what is missing. */
export async function loadRouterScorer(router: string, options: RouterScorerOptions = {}): Promise<RouterScorer> {
  const definition = defaultRegistry.get(router);
  const unsupported = definition.requires.filter((requirement) => UNSUPPORTED.includes(requirement));
  if (unsupported.length > 0)
    throw new InvalidInputError(
      `verify.router: '${router}' needs a causal LM downloaded at run time, which the relay does not do; choose one of ${defaultRegistry
        .names()
        .filter((name) => !defaultRegistry.get(name).requires.some((requirement) => UNSUPPORTED.includes(requirement)))
        .join(', ')}.`,
    );
  const needs = (requirement: RouterRequirement) => definition.requires.includes(requirement);
  const weights = needs('weights')
    ? await readWeightsFolder(options.weights ?? shippedFolder('routers', router, 'weights'))
    : undefined;
  const disposers: (() => Promise<void>)[] = [];
  const close = async () => {
    await Promise.all(disposers.splice(0).map((dispose) => dispose()));
  };
  try {
    let context: RouterContext = weights ? { weights } : {};
    if (needs('embedder') || needs('textClassifier')) {
      // Loaded here, and only here: the inference stack.
      const { createEncoder, createTextClassifier, DEFAULT_MODEL, CLASSIFIER_MODEL } = await import(
        '../encoder/index.ts'
      );
      if (needs('embedder')) {
        const encoder = await createEncoder({
          localModelPath: options.modelsDir ?? shippedFolder('models', DEFAULT_MODEL, 'models'),
          overflow: overflowOf(weights),
        });
        disposers.push(() => encoder.dispose());
        context = { ...context, embedder: encoder };
      }
      if (needs('textClassifier')) {
        const classifier = await createTextClassifier({
          localModelPath: options.modelsDir ?? shippedFolder('models', CLASSIFIER_MODEL, 'models'),
        });
        disposers.push(() => classifier.dispose());
        context = { ...context, textClassifier: classifier };
      }
    }
    const loaded: Router = await defaultRegistry.create(router, context);
    return {
      router,
      score: async (prompt, signal) => (await loaded.score([prompt], signal ? { signal } : {}))[0]!,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The shipped folder for a model or router: `<root>/<kind>/<name>/`. Returns the folder itself for routers, and
 * its parent (what the encoder calls localModelPath) for models.
 */
function shippedFolder(kind: 'routers' | 'models', name: string, what: 'weights' | 'models'): string {
  for (const root of SHIPPED_ROOTS) {
    const folder = path.join(root, kind, name);
    if (existsSync(folder)) return what === 'weights' ? folder : path.join(root, kind) + path.sep;
  }
  const hint =
    kind === 'models'
      ? 'run npm run build:encoder (and build:classifier for the classifier) in the repository'
      : 'train it with npm run train and name the folder in verify.weights';
  throw new ModelLoadError(
    `No ${kind === 'models' ? 'model' : 'router weights'} '${name}' under ${SHIPPED_ROOTS.map((root) => path.join(root, kind)).join(' or ')}: ${hint}.`,
    'model_not_found',
  );
}

/** How the weights' training embedded long prompts (the manifest's `encoder.overflow`), so scoring embeds the same. */
function overflowOf(weights: RouterWeights | undefined): 'chunk' | 'truncate' {
  const encoder = weights?.manifest['encoder'] as { overflow?: unknown } | undefined;
  return encoder?.overflow === 'truncate' ? 'truncate' : 'chunk';
}

/**
 * A weights folder on disk, by core's rules (the manifest, each file checked against its size and SHA-256). The
 * Node library has the same reader; this package ships without it.
 */
function readWeightsFolder(folder: string): Promise<RouterWeights> {
  const read: WeightsFileReader = async (file, onBytes) => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path.join(folder, file)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new ModelLoadError(
        `${path.join(folder, file)} cannot be read: ${errorMessage(error)}`,
        'model_load_failed',
        {
          cause: error,
        },
      );
    }
    onBytes(bytes.byteLength, bytes.byteLength);
    return bytes;
  };
  return readRouterWeights(read, path.join(folder, path.sep));
}
