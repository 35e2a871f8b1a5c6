/** The router Web Worker and the page's typed client for it. */
export { createWorkerClient, WorkerClient } from './worker-client.ts';
export type { CallOptions, WorkerClientOptions } from './worker-client.ts';
export type { EncoderInfo, WorkerEncoderOptions } from './worker-service.ts';
