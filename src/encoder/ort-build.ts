import { ModelLoadError, type OrtBuild } from '../core/index.ts';
import type { EncoderDevice } from './encoder.ts';

/**
 * onnxruntime-web's WASM runtime builds (ORT_BUILD_FILES). transformers.js loads the `asyncify` one, the only one
 * with the WebGPU execution provider; the plain build has only the CPU (WASM) provider and runs the same graph about
 * three times faster on the CPU (USE-lite, 60-token prompt, headless Chromium on 2 cores: 10 ms against 35 ms per
 * prompt, `npm run bench -- --router fixture-head`), because asyncify instruments every call so it can suspend; its
 * binary is also half the size (14 MB against 27 MB). So models on WASM get the plain build, on WebGPU the asyncify one.
 * Here: the URLs of each build's two files as a page serves them, and which build a realm runs.
 */
export type OrtBuildPaths = Readonly<Record<OrtBuild, { readonly mjs: string; readonly wasm: string }>>;

// onnxruntime-web initialises one runtime per JavaScript realm (page or worker), at its first session, and keeps it.
let pinnedBuild: OrtBuild | undefined;

/**
 * The build a model load on `device` runs on, pinned for this realm by the first model load. WASM runs on either
 * build (the WebGPU build is a superset); WebGPU cannot run once the WASM-only build is in, which is an error.
 */
export function pinOrtBuild(device: EncoderDevice): OrtBuild {
  pinnedBuild ??= device === 'webgpu' ? 'webgpu' : 'wasm';
  if (device === 'webgpu' && pinnedBuild === 'wasm') {
    throw new ModelLoadError(
      "WebGPU needs onnxruntime-web's WebGPU build, but this page or worker already runs its faster WASM-only build " +
        '(loaded for an earlier model on WASM). Load the WebGPU model first, or in a fresh worker.',
    );
  }
  return pinnedBuild;
}

/** Why WebGPU cannot be used in this realm any more, or undefined while it still can. */
export function wasmOnlyBuildReason(): string | undefined {
  return pinnedBuild === 'wasm' ? "this worker already runs onnxruntime-web's WASM-only build" : undefined;
}
