import { describe, expect, it, vi } from 'vitest';

// The pinned build is per realm (module state): each test imports a fresh copy, as a fresh worker would.
async function freshOrtBuild() {
  vi.resetModules();
  return import('../../src/encoder/ort-build.ts');
}

describe('pinOrtBuild', () => {
  it('gives WASM models the WASM-only build and keeps it for later WASM loads', async () => {
    const { pinOrtBuild, wasmOnlyBuildReason } = await freshOrtBuild();
    expect(wasmOnlyBuildReason()).toBeUndefined();
    expect(pinOrtBuild('wasm')).toBe('wasm');
    expect(pinOrtBuild('wasm')).toBe('wasm');
    expect(wasmOnlyBuildReason()).toMatch(/WASM-only build/);
  });

  it('refuses WebGPU once the WASM-only build is in, with an error that says what to do', async () => {
    const { pinOrtBuild } = await freshOrtBuild();
    pinOrtBuild('wasm');
    // (Checked by name: resetModules gives this copy its own errors module.)
    expect(() => pinOrtBuild('webgpu')).toThrow(
      expect.objectContaining({
        name: 'ModelLoadError',
        code: 'model_load_failed',
        message: expect.stringMatching(/Load the WebGPU model first, or in a fresh worker/),
      }),
    );
  });

  it('runs WASM models on the WebGPU build once it is in (it has both providers)', async () => {
    const { pinOrtBuild, wasmOnlyBuildReason } = await freshOrtBuild();
    expect(pinOrtBuild('webgpu')).toBe('webgpu');
    expect(pinOrtBuild('wasm')).toBe('webgpu');
    expect(wasmOnlyBuildReason()).toBeUndefined();
  });
});
