import { wasmOnlyBuildReason } from './ort-build.ts';
import { errorMessage } from '../core/index.ts';

/**
 * Which JavaScript runtime the encoder is in. transformers.js makes the same split: onnxruntime-node in Node,
 * onnxruntime-web (WASM / WebGPU) in browsers and Web Workers.
 */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

interface WebGpuNavigator {
  gpu?: {
    requestAdapter(): Promise<{
      info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string };
    } | null>;
  };
}

/**
 * Why 'auto' should not choose WebGPU here, or undefined when a hardware adapter is available. A fallback adapter
 * is a software renderer (Chromium's SwiftShader): it computes right but slower than WASM, so 'auto' skips it
 * (device 'webgpu' still uses it when asked).
 */
export async function webGpuUnavailableReason(): Promise<string | undefined> {
  const wasmOnly = wasmOnlyBuildReason();
  if (wasmOnly) return wasmOnly;
  const gpu = typeof navigator === 'undefined' ? undefined : (navigator as WebGpuNavigator).gpu;
  if (!gpu) return 'this browser does not expose WebGPU';
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return 'no WebGPU adapter is available';
    if (adapter.info?.isFallbackAdapter) {
      const name = [adapter.info.vendor, adapter.info.architecture].filter(Boolean).join(' ');
      return `the only WebGPU adapter is a software fallback${name ? ` (${name})` : ''}, slower than WASM`;
    }
    return undefined;
  } catch (error) {
    return `requesting a WebGPU adapter failed (${errorMessage(error)})`;
  }
}
