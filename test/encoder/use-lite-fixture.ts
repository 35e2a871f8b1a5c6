/**
 * Shared by the encoder tests: builds the USE-lite model when it is missing or stale (a no-op taking a fraction of a
 * second when it is up to date) and reads the reference vectors computed by the original TF.js model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildUseLite } from '../../src/node/onnx/build-use-lite.ts';
import { resolveSharedDir } from '../../src/node/paths.ts';

export { PROJECT_ROOT } from '../../src/node/paths.ts';

export interface ReferenceVectors {
  sentences: string[];
  ids: number[][];
  emb: number[][];
}

/** Reads the reference vectors from the shared data folder ($ROUTELLM_DATA, else ../shared beside the checkout). */
export function readReferenceVectors(): ReferenceVectors {
  return JSON.parse(
    readFileSync(join(resolveSharedDir(undefined), 'reference/use-lite/reference-vectors.json'), 'utf8'),
  ) as ReferenceVectors;
}

/**
 * The last reference sentence contains pieces outside the vocabulary (id 0): the TF.js output is undefined there,
 * so only its ids are compared.
 */
export function sentencesWithDefinedEmbeddings(reference: ReferenceVectors): number[] {
  return reference.sentences.map((_, index) => index).filter((index) => !reference.ids[index]!.includes(0));
}

export function ensureUseLiteBuilt(): void {
  buildUseLite();
}
