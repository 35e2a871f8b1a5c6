import type { RouterWeights } from '../../src/core/registry.ts';
import { packTensors, TENSOR_FILE, TENSOR_FORMAT_VERSION, type TensorToPack } from '../../src/core/router-tensors.ts';

/** Router weights as `npm run train` would write them, built in memory for tests. */
export function learnedRouterWeights(
  router: string,
  encoderId: string,
  parameters: Record<string, unknown>,
  tensors: Record<string, TensorToPack>,
): RouterWeights {
  const { bytes, entries } = packTensors(tensors);
  return {
    manifest: { router, encoder: { id: encoderId }, parameters, tensorFormat: TENSOR_FORMAT_VERSION, tensors: entries },
    files: new Map([[TENSOR_FILE, bytes]]),
  };
}
