import { createWorkerClient, type WorkerClient } from '../worker/index.ts';

let shared: WorkerClient | undefined;

/** The one router worker every router and client of the page shares unless given its own (started on first use). */
export function sharedWorkerClient(): WorkerClient {
  shared ??= createWorkerClient();
  return shared;
}
