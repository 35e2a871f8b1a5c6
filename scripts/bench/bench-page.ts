/**
 * The page `npm run bench` drives (scripts/bench-browser.ts): routes prompts through the SDK and the router worker
 * and measures what a page sees. It runs on the e2e fixture worker, whose registry is the default one plus the
 * fixture routers, so the benchmark can fall back to a stand-in embedding router when no learned one is shipped.
 */
import { createRouter, type PromptRouter, type RouterOptions } from '../../src/sdk/index.ts';
import { createWorkerClient, type WorkerClient } from '../../src/worker/index.ts';

export interface BenchRequest {
  router: Omit<RouterOptions, 'worker' | 'threshold'>;
  /** Prompts by token count; each is routed once per timed run, after warm-up. */
  prompts: Record<string, string[]>;
  /** Distinct prompts routed in one routeBatch call for throughput. */
  batch: string[];
  warmUp: number;
}

export interface BenchResult {
  device: string;
  deviceReason: string;
  coldStartMs: number;
  latencies: Record<string, number[]>;
  throughputPerSec: number;
  longTasks: number;
  /** When each long task started (ms after routing began) and how long it took, to see what it was. */
  longTaskTimings: { startMs: number; durationMs: number }[];
  workerMemoryMB: number;
}

const newWorker = (): WorkerClient =>
  createWorkerClient({
    createWorker: () =>
      new Worker(new URL('../../e2e/fixtures/fixture-worker.ts', import.meta.url), {
        type: 'module',
        name: 'routellm-router',
      }),
  });

async function load(worker: WorkerClient, request: BenchRequest): Promise<PromptRouter> {
  const router = createRouter({ ...request.router, threshold: 0.5, worker, fallback: 'error' });
  await router.ready;
  return router;
}

async function run(request: BenchRequest): Promise<BenchResult> {
  // Warm-up in a throwaway worker: every file is then in the HTTP cache, as on a returning visit.
  const warm = newWorker();
  const warmRouter = await load(warm, request);
  await warmRouter.routeBatch(Object.values(request.prompts).flat().slice(0, request.warmUp));
  warm.terminate();

  const worker = newWorker();
  const started = performance.now();
  const router = await load(worker, request);
  const coldStartMs = performance.now() - started;
  const info = router.info!;

  const longTaskTimings: BenchResult['longTaskTimings'] = [];
  const routingStarted = performance.now();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      longTaskTimings.push({ startMs: entry.startTime - routingStarted, durationMs: entry.duration });
  });
  observer.observe({ type: 'longtask' });

  for (const prompt of Object.values(request.prompts).flat().slice(0, request.warmUp)) await router.route(prompt);
  const latencies: Record<string, number[]> = {};
  for (const [tokens, prompts] of Object.entries(request.prompts)) {
    latencies[tokens] = [];
    for (const prompt of prompts) latencies[tokens]!.push((await router.route(prompt)).latencyMs);
  }
  const batchStarted = performance.now();
  await router.routeBatch(request.batch);
  const throughputPerSec = request.batch.length / ((performance.now() - batchStarted) / 1000);
  // Long tasks are reported after they end: give the last one a moment to arrive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  observer.disconnect();

  const memory = await (
    performance as unknown as {
      measureUserAgentSpecificMemory(): Promise<{ breakdown: { bytes: number; attribution: { scope: string }[] }[] }>;
    }
  ).measureUserAgentSpecificMemory();
  const workerBytes = memory.breakdown
    .filter((entry) => entry.attribution.some((attribution) => attribution.scope === 'DedicatedWorkerGlobalScope'))
    .reduce((sum, entry) => sum + entry.bytes, 0);
  worker.terminate();
  return {
    device: info.device,
    deviceReason: info.deviceReason,
    coldStartMs,
    latencies,
    throughputPerSec,
    longTasks: longTaskTimings.length,
    longTaskTimings,
    workerMemoryMB: workerBytes / 1024 / 1024,
  };
}

Object.assign(window, { bench: { run } });
document.querySelector('#status')!.textContent = crossOriginIsolated
  ? 'ready'
  : 'ready (not cross-origin isolated: measureUserAgentSpecificMemory is unavailable)';
document.body.dataset['ready'] = 'true';
