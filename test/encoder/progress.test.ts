import { describe, expect, it } from 'vitest';
import { type EncoderProgressEvent, progressAdapter } from '../../src/encoder/progress.ts';

describe('progressAdapter', () => {
  it('turns transformers.js callbacks into per-file events with byte counts', () => {
    const events: EncoderProgressEvent[] = [];
    const callback = progressAdapter((event) => events.push(event));
    callback({ status: 'initiate', name: 'm', file: 'onnx/model.onnx' });
    callback({ status: 'download', name: 'm', file: 'onnx/model.onnx' });
    callback({ status: 'progress', name: 'm', file: 'onnx/model.onnx', progress: 50, loaded: 5, total: 10 });
    callback({ status: 'progress_total', name: 'm', progress: 50, loaded: 5, total: 10, files: {} });
    callback({ status: 'progress', name: 'm', file: 'onnx/model.onnx', progress: 100, loaded: 10, total: 10 });
    callback({ status: 'done', name: 'm', file: 'onnx/model.onnx' });
    callback({ status: 'ready', task: 'feature-extraction', model: 'm' });
    expect(events).toEqual([
      { status: 'initiate', file: 'onnx/model.onnx', loaded: 0, total: 0 },
      { status: 'download', file: 'onnx/model.onnx', loaded: 0, total: 0 },
      { status: 'progress', file: 'onnx/model.onnx', loaded: 5, total: 10 },
      { status: 'progress', file: 'onnx/model.onnx', loaded: 10, total: 10 },
      { status: 'done', file: 'onnx/model.onnx', loaded: 10, total: 10 },
    ]);
  });
});
