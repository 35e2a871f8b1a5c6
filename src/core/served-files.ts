/**
 * The files a page serves so that routing runs on the device, and the URL folders it serves them under. One table
 * for everyone who places them: the encoder (where it fetches), the Vite plugin and the `assets` command (what
 * they serve and copy), and the one-script element's build.
 */

/**
 * onnxruntime-web ships its WASM runtime in several builds; the encoder uses two (see src/encoder/ort-build.ts for
 * why): the WASM-only build on the CPU, the asyncify build (the only one with the WebGPU provider) on WebGPU.
 */
export type OrtBuild = 'wasm' | 'webgpu';

/** File names of each build in onnxruntime-web's dist/ folder, which a page serves at its `wasmPaths`. */
export const ORT_BUILD_FILES: Readonly<Record<OrtBuild, { readonly mjs: string; readonly wasm: string }>> = {
  wasm: { mjs: 'ort-wasm-simd-threaded.mjs', wasm: 'ort-wasm-simd-threaded.wasm' },
  webgpu: { mjs: 'ort-wasm-simd-threaded.asyncify.mjs', wasm: 'ort-wasm-simd-threaded.asyncify.wasm' },
};

/** URL folders, relative to the page's model base URL (default '/'), that routing fetches from. */
export const SERVED_FOLDERS = {
  /** onnxruntime-web's runtime (both builds of ORT_BUILD_FILES). */
  ort: 'ort/',
  /** Encoder folders in transformers.js layout: models/<name>/. */
  models: 'models/',
  /** Trained router folders: routers/<name>/ with manifest.json and the files it names. */
  routers: 'routers/',
} as const;

/**
 * What a browser loads of an encoder folder built by this project: the int8 weights (the variant browsers run),
 * the tokenizer and the configs. The fp32 and q8 variants are for Node and evaluation only.
 */
export const BROWSER_ENCODER_FILES: readonly string[] = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'README.md',
  'onnx/model_int8.onnx',
];
