import { describe, expect, it } from 'vitest';
import { pageWorkerClient } from '../../src/sdk/page-worker.ts';

describe('pageWorkerClient', () => {
  it('shares one worker among WASM and auto routers, and a second one among WebGPU routers', () => {
    expect(pageWorkerClient()).toBe(pageWorkerClient('wasm'));
    expect(pageWorkerClient('auto')).toBe(pageWorkerClient('wasm'));
    expect(pageWorkerClient('webgpu')).toBe(pageWorkerClient('webgpu'));
    expect(pageWorkerClient('webgpu')).not.toBe(pageWorkerClient('wasm'));
  });
});
