import { describe, expect, it } from 'vitest';
import { type DeviceRuntime, loadOnDevice } from '../../src/encoder/device-choice.ts';
import type { EncoderDevice } from '../../src/encoder/encoder.ts';
import type { LoadedModel } from '../../src/encoder/loaded-model.ts';

interface FakeDevice {
  /** The probe embedding, or the error encoding it throws. */
  probe?: number[] | Error;
  /** Milliseconds one probe encoding takes on the fake clock. */
  milliseconds?: number;
  failsToLoad?: boolean;
}

/** Fake models on a fake clock; records loads and disposals. */
function fakeDevices(devices: Partial<Record<EncoderDevice, FakeDevice>>, webGpuUnavailable?: string) {
  const loaded: EncoderDevice[] = [];
  const disposed: EncoderDevice[] = [];
  let clock = 0;
  const runtime: DeviceRuntime = {
    isNode: false,
    webGpuUnavailableReason: async () => webGpuUnavailable,
    now: () => clock,
  };
  const load = async (device: EncoderDevice): Promise<LoadedModel> => {
    if (devices[device]?.failsToLoad) throw new Error(`${device} session failed`);
    loaded.push(device);
    return { device, embedWindows: async () => [], dispose: async () => void disposed.push(device) };
  };
  const embedProbe = async (model: LoadedModel) => {
    const { probe = [1, 0], milliseconds = 10 } = devices[model.device] ?? {};
    if (probe instanceof Error) throw probe;
    clock += milliseconds;
    return Float32Array.from(probe);
  };
  return { load, embedProbe, runtime, loaded, disposed };
}

describe('loadOnDevice', () => {
  it('uses onnxruntime-node CPU for auto in Node', async () => {
    const fake = fakeDevices({});
    const choice = await loadOnDevice('auto', fake.load, fake.embedProbe, { ...fake.runtime, isNode: true });
    expect(choice.model.device).toBe('cpu');
    expect(choice.reason).toMatch(/onnxruntime-node/);
  });

  it('loads an explicitly requested device without probing', async () => {
    const fake = fakeDevices({ webgpu: { probe: new Error('not probed') } });
    const choice = await loadOnDevice('webgpu', fake.load, fake.embedProbe, fake.runtime);
    expect(choice).toMatchObject({ model: { device: 'webgpu' }, reason: 'webgpu was requested' });
    expect(fake.loaded).toEqual(['webgpu']);
  });

  it('keeps WebGPU when it reproduces the WASM probe embedding faster', async () => {
    const fake = fakeDevices({
      wasm: { probe: [0.6, 0.8], milliseconds: 9 },
      webgpu: { probe: [0.6001, 0.7999], milliseconds: 2 },
    });
    const choice = await loadOnDevice('auto', fake.load, fake.embedProbe, fake.runtime);
    expect(choice.model.device).toBe('webgpu');
    expect(choice.reason).toMatch(
      /^WebGPU, which reproduces the WASM embedding of a probe text \(cosine 1\.0000\d\) faster \(2\.0 ms vs 9\.0 ms on WASM\)$/,
    );
    expect(fake.disposed).toEqual(['wasm']);
    // WebGPU first: its onnxruntime-web build also runs WASM, the WASM-only build cannot run WebGPU.
    expect(fake.loaded).toEqual(['webgpu', 'wasm']);
  });

  it('falls back to WASM when WebGPU is correct but slower', async () => {
    const fake = fakeDevices({ wasm: { milliseconds: 9 }, webgpu: { milliseconds: 300 } });
    const choice = await loadOnDevice('auto', fake.load, fake.embedProbe, fake.runtime);
    expect(choice).toMatchObject({
      model: { device: 'wasm' },
      reason: 'WASM, because WebGPU is not faster on a probe text (300.0 ms vs 9.0 ms on WASM)',
    });
    expect(fake.disposed).toEqual(['webgpu']);
  });

  it('falls back to WASM when WebGPU is silently wrong, however fast', async () => {
    const fake = fakeDevices({
      wasm: { probe: [0.6, 0.8], milliseconds: 9 },
      webgpu: { probe: [0.8, 0.6], milliseconds: 1 },
    });
    const choice = await loadOnDevice('auto', fake.load, fake.embedProbe, fake.runtime);
    expect(choice.model.device).toBe('wasm');
    expect(choice.reason).toBe("WASM, because WebGPU's embedding of a probe text differs (cosine 0.96000 < 0.999)");
    expect(fake.disposed).toEqual(['webgpu']);
  });

  it('falls back to WASM when WebGPU cannot load or run the model', async () => {
    const failsToLoad = fakeDevices({ webgpu: { failsToLoad: true } });
    expect((await loadOnDevice('auto', failsToLoad.load, failsToLoad.embedProbe, failsToLoad.runtime)).reason).toBe(
      'WASM, because WebGPU could not load the model (webgpu session failed)',
    );
    expect(failsToLoad.loaded).toEqual(['wasm']);
    const failsToRun = fakeDevices({ webgpu: { probe: new Error('device lost') } });
    const choice = await loadOnDevice('auto', failsToRun.load, failsToRun.embedProbe, failsToRun.runtime);
    expect(choice).toMatchObject({
      model: { device: 'wasm' },
      reason: 'WASM, because WebGPU failed on a probe text (device lost)',
    });
    expect(failsToRun.disposed).toEqual(['webgpu']);
  });

  it('does not try WebGPU where there is no adapter', async () => {
    const fake = fakeDevices({}, 'no WebGPU adapter is available');
    const choice = await loadOnDevice('auto', fake.load, fake.embedProbe, fake.runtime);
    expect(choice).toMatchObject({ model: { device: 'wasm' }, reason: 'WASM, because no WebGPU adapter is available' });
    expect(fake.loaded).toEqual(['wasm']);
  });

  it('disposes the WebGPU model when WASM then fails to load', async () => {
    const fake = fakeDevices({ wasm: { failsToLoad: true } });
    await expect(loadOnDevice('auto', fake.load, fake.embedProbe, fake.runtime)).rejects.toThrow('wasm session failed');
    expect(fake.disposed).toEqual(['webgpu']);
  });
});
