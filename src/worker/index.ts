/** The router Web Worker and the page's typed client for it. */
export { createWorkerClient, WorkerClient } from './worker-client.ts';
export type { CallOptions, WorkerClientOptions } from './worker-client.ts';
export {
  MIN_PLACEMENT_LABELS,
  type PlacedModel,
  placementOf,
  type WorkerModelPlacement,
} from './model-placement.ts';
export type {
  EncoderInfo,
  LoadProgressEvent,
  PredictedQualities,
  RouteDevice,
  RouterInfo,
  ScoredPrompt,
  WorkerEncoderOptions,
  WorkerRouterOptions,
  WorkerServiceOptions,
} from './worker-service.ts';
