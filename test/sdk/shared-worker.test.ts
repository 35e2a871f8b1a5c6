import { describe, expect, it } from 'vitest';
import { sharedWorkerClient } from '../../src/sdk/shared-worker.ts';

describe('sharedWorkerClient', () => {
  it('shares one worker among WASM and auto routers, and a second one among WebGPU routers', () => {
    expect(sharedWorkerClient()).toBe(sharedWorkerClient('wasm'));
    expect(sharedWorkerClient('auto')).toBe(sharedWorkerClient('wasm'));
    expect(sharedWorkerClient('webgpu')).toBe(sharedWorkerClient('webgpu'));
    expect(sharedWorkerClient('webgpu')).not.toBe(sharedWorkerClient('wasm'));
  });
});
