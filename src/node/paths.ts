import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError } from '../core/index.ts';

/** The checkout's root (this file is src/node/paths.ts). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where shared data sits for every developer and CI: beside the checkout. */
export const DEFAULT_SHARED_DIR = path.resolve(PROJECT_ROOT, '../shared');

/** Environment variable that points at another copy of the shared folder. */
export const DATA_ENV_VARIABLE = 'ROUTELLM_DATA';

/** Content-addressed embedding vectors (git-ignored). */
export const DEFAULT_EMBEDDING_CACHE_DIR = path.join(PROJECT_ROOT, '.cache', 'embeddings');

/** The RouteLLM benchmark files inside the shared folder. */
export const ROUTELLM_EVALS_SUBDIR = path.join('data', 'routellm-evals');

/**
 * The shared data folder: the --data flag, else $ROUTELLM_DATA, else ../shared beside the checkout. Fails with
 * one clear sentence when it does not hold the RouteLLM benchmark files, naming where it looked and how to fix it.
 */
export function resolveSharedDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const source = flag !== undefined ? '--data' : env[DATA_ENV_VARIABLE] ? DATA_ENV_VARIABLE : 'the default';
  const sharedDir = path.resolve(flag ?? env[DATA_ENV_VARIABLE] ?? DEFAULT_SHARED_DIR);
  const evalsDir = path.join(sharedDir, ROUTELLM_EVALS_SUBDIR);
  if (!existsSync(evalsDir) || !statSync(evalsDir).isDirectory()) {
    throw new InvalidInputError(
      `Data folder not found: ${evalsDir} (from ${source}). Point --data or ${DATA_ENV_VARIABLE} at the shared ` +
        `folder that holds ${ROUTELLM_EVALS_SUBDIR}.`,
    );
  }
  return sharedDir;
}
