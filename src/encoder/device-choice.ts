import type { EncoderDevice } from './encoder.ts';
import type { LoadedModel } from './loaded-model.ts';
import { cosineSimilarity } from './pooling.ts';
import { isNode, webGpuUnavailableReason } from './runtime.ts';
import { errorMessage } from '../core/index.ts';

/** WebGPU kernels can be silently wrong on some drivers; below this cosine against WASM, WebGPU is rejected. */
export const WEBGPU_MIN_COSINE = 0.999;

/** Timed probe encodings per device, after one warm-up (which compiles shaders and allocates buffers). */
const TIMED_PROBE_RUNS = 3;

/** What the choice depends on in the runtime (tests pass a browser-like one with a fake clock). */
export interface DeviceRuntime {
  isNode: boolean;
  webGpuUnavailableReason(): Promise<string | undefined>;
  now(): number;
}

export interface DeviceChoice {
  model: LoadedModel;
  reason: string;
}

const defaultRuntime = (): DeviceRuntime => ({
  isNode: isNode(),
  webGpuUnavailableReason,
  now: () => performance.now(),
});

/**
 * Loads the model on the requested device. For 'auto' in browsers with a hardware WebGPU adapter it loads on WebGPU,
 * then on WASM, and keeps WebGPU only when it reproduces the WASM embedding of a probe text and encodes it faster:
 * small encoders often run slower on a GPU (dispatch overhead), and the page encodes one prompt at a time. WebGPU
 * loads first because its onnxruntime-web build runs WASM too, while the faster WASM-only build, which 'auto' uses
 * when there is no usable adapter, cannot run WebGPU (see ort-build.ts). In Node 'auto' is onnxruntime-node's CPU.
 */
export async function loadOnDevice(
  requested: 'auto' | EncoderDevice,
  load: (device: EncoderDevice) => Promise<LoadedModel>,
  embedProbe: (model: LoadedModel) => Promise<Float32Array>,
  runtime: DeviceRuntime = defaultRuntime(),
): Promise<DeviceChoice> {
  if (requested !== 'auto') return { model: await load(requested), reason: `${requested} was requested` };
  if (runtime.isNode) return { model: await load('cpu'), reason: 'Node runs onnxruntime-node on the CPU' };

  const unavailable = await runtime.webGpuUnavailableReason();
  if (unavailable) return { model: await load('wasm'), reason: `WASM, because ${unavailable}` };

  let webgpu: LoadedModel;
  try {
    webgpu = await load('webgpu');
  } catch (error) {
    return {
      model: await load('wasm'),
      reason: `WASM, because WebGPU could not load the model (${errorMessage(error)})`,
    };
  }
  let wasm: LoadedModel;
  try {
    wasm = await load('wasm');
  } catch (error) {
    await webgpu.dispose();
    throw error;
  }
  let verdict: { useWebGpu: boolean; reason: string };
  try {
    const onGpu = await timedProbe(webgpu, embedProbe, runtime);
    const onWasm = await timedProbe(wasm, embedProbe, runtime);
    const cosine = cosineSimilarity(onGpu.embedding, onWasm.embedding);
    const times = `${onGpu.milliseconds.toFixed(1)} ms vs ${onWasm.milliseconds.toFixed(1)} ms on WASM`;
    verdict =
      cosine < WEBGPU_MIN_COSINE
        ? {
            useWebGpu: false,
            reason: `WASM, because WebGPU's embedding of a probe text differs (cosine ${cosine.toFixed(5)} < ${WEBGPU_MIN_COSINE})`,
          }
        : onGpu.milliseconds >= onWasm.milliseconds
          ? { useWebGpu: false, reason: `WASM, because WebGPU is not faster on a probe text (${times})` }
          : {
              useWebGpu: true,
              reason: `WebGPU, which reproduces the WASM embedding of a probe text (cosine ${cosine.toFixed(5)}) faster (${times})`,
            };
  } catch (error) {
    verdict = { useWebGpu: false, reason: `WASM, because WebGPU failed on a probe text (${errorMessage(error)})` };
  }
  await (verdict.useWebGpu ? wasm : webgpu).dispose();
  return { model: verdict.useWebGpu ? webgpu : wasm, reason: verdict.reason };
}

async function timedProbe(
  model: LoadedModel,
  embedProbe: (model: LoadedModel) => Promise<Float32Array>,
  runtime: DeviceRuntime,
): Promise<{ embedding: Float32Array; milliseconds: number }> {
  const embedding = await embedProbe(model);
  const times: number[] = [];
  for (let run = 0; run < TIMED_PROBE_RUNS; run++) {
    const started = runtime.now();
    await embedProbe(model);
    times.push(runtime.now() - started);
  }
  times.sort((a, b) => a - b);
  return { embedding, milliseconds: times[Math.floor(times.length / 2)]! };
}
