/**
 * The module Web Worker that hosts the encoder (and the routers on it), so inference never blocks the page.
 * Start it through createWorkerClient.
 */
import { expose } from 'comlink';
import { installErrorTransfer } from './error-transfer.ts';
import { WorkerService } from './worker-service.ts';

installErrorTransfer();
expose(new WorkerService());
