import { ModelLoadError } from '../core/index.ts';

/** Hex digits of the SHA-256 kept in an encoder id: enough to tell weight files apart, short enough to read. */
const HASH_DIGITS = 8;

/**
 * The stable identity of an encoder: `<model>@<dtype>-<first 8 hex digits of the ONNX file's SHA-256>`, e.g.
 * `universal-sentence-encoder-lite@int8-1a2b3c4d`. The same weights give the same id in Node and browsers, and
 * `sha256sum onnx/model_int8.onnx` shows the digits. Embedding caches and router manifests key on it.
 */
export async function computeEncoderId(model: string, dtype: string, onnxFile: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new ModelLoadError(
      'Hashing the encoder weights needs the Web Crypto API (a secure context: https or localhost).',
      'model_load_failed',
    );
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', onnxFile as Uint8Array<ArrayBuffer>));
  const hex = Array.from(digest.subarray(0, HASH_DIGITS / 2), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${model}@${dtype}-${hex}`;
}
