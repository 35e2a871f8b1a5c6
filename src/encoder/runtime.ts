/**
 * Which JavaScript runtime the encoder is in. transformers.js makes the same split: onnxruntime-node in Node,
 * onnxruntime-web (WASM / WebGPU) in browsers and Web Workers.
 */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

interface WebGpuNavigator {
  gpu?: { requestAdapter(): Promise<unknown> };
}

/** Why WebGPU cannot be used here, or undefined when an adapter is available. */
export async function webGpuUnavailableReason(): Promise<string | undefined> {
  const gpu = typeof navigator === 'undefined' ? undefined : (navigator as WebGpuNavigator).gpu;
  if (!gpu) return 'this browser does not expose WebGPU';
  try {
    return (await gpu.requestAdapter()) ? undefined : 'no WebGPU adapter is available';
  } catch (error) {
    return `requesting a WebGPU adapter failed (${error instanceof Error ? error.message : String(error)})`;
  }
}
