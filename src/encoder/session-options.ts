import type { EncoderDtype } from './options.ts';

/**
 * onnxruntime session options for a model variant.
 *
 * This project's converters (src/node/onnx) write q8 as int8 weights behind DequantizeLinear with float compute.
 * onnxruntime leaves those nodes unfolded by default, to keep QDQ groups for quantised kernels: on WASM every call
 * then dequantises all weights again (twice the time of the same graph in fp32), while onnxruntime-node fuses them
 * into an int8 kernel of its own, so Node and the browser computed slightly different numbers. With QDQ handling off,
 * the constant DequantizeLinear nodes are folded into float weights once, at load: one function in Node and in
 * browsers, at fp32 speed, from the small download. Other models keep the defaults: Hub q8 and our int8 variants
 * quantise activations dynamically (MatMulInteger), which that switch would make slower and change.
 */
export function sessionOptionsFor(dtype: EncoderDtype, convertedHere: boolean): Record<string, unknown> {
  return dtype === 'q8' && convertedHere ? { extra: { session: { disable_quant_qdq: '1' } } } : {};
}
