/**
 * The page `npm run bench` drives (scripts/bench-browser.ts): routes prompts through the SDK and the router worker
 * and measures what a page sees. It runs on the e2e fixture worker, whose registry is the default one plus the
 * fixture routers, so the benchmark can fall back to a stand-in embedding router when no learned one is shipped.
 */
import {
  createRouter,
  type DeploymentModel,
  type ModelPolicy,
  type PromptRouter,
  type RouterOptions,
} from '../../src/sdk/index.ts';
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

/** Routing among N models (`npm run bench -- --multi`): the same prompts through one ModelRouter per model set. */
export interface ModelsBenchRequest {
  router: string;
  weightsUrl: string;
  device: 'wasm' | 'webgpu';
  policy: ModelPolicy;
  /** Model sets by label ('2 models', '5 models'); each becomes a ModelRouter on the same worker and weights. */
  sets: Record<string, DeploymentModel[]>;
  prompts: string[];
  warmUp: number;
}

export interface ModelsBenchResult {
  device: string;
  deviceReason: string;
  /** Per set, per prompt (request order): ms from route() to its decision, as the page sees it. */
  routeMs: Record<string, number[]>;
  /** Per set, per prompt: the decision's latencyMs (the worker's prediction call alone, page to worker and back). */
  workerMs: Record<string, number[]>;
  /** Per set: how often each model was chosen. */
  chosen: Record<string, Record<string, number>>;
}

/**
 * Each prompt is routed once by every set's router, the sets' order rotating from prompt to prompt, so drift in the
 * machine's load and anything the encoder keeps warm between calls fall on every set alike.
 */
async function runModels(request: ModelsBenchRequest): Promise<ModelsBenchResult> {
  const worker = newWorker();
  const labels = Object.keys(request.sets);
  const routers = labels.map((label) =>
    createRouter({
      router: request.router,
      weightsUrl: request.weightsUrl,
      device: request.device,
      models: request.sets[label]!,
      policy: request.policy,
      worker,
    }),
  );
  const [info] = await Promise.all(routers.map((router) => router.ready));
  for (const prompt of request.prompts.slice(0, request.warmUp))
    for (const router of routers) await router.route(`${prompt} (warm-up)`);
  const routeMs: Record<string, number[]> = Object.fromEntries(labels.map((label) => [label, []]));
  const workerMs: Record<string, number[]> = Object.fromEntries(labels.map((label) => [label, []]));
  const chosen: Record<string, Record<string, number>> = Object.fromEntries(labels.map((label) => [label, {}]));
  for (const [index, prompt] of request.prompts.entries()) {
    for (let turn = 0; turn < labels.length; turn++) {
      const set = (index + turn) % labels.length;
      const label = labels[set]!;
      const started = performance.now();
      const decision = await routers[set]!.route(prompt);
      routeMs[label]!.push(performance.now() - started);
      workerMs[label]!.push(decision.latencyMs);
      chosen[label]![decision.model] = (chosen[label]![decision.model] ?? 0) + 1;
    }
  }
  worker.terminate();
  return { device: info!.device, deviceReason: info!.deviceReason, routeMs, workerMs, chosen };
}

Object.assign(window, { bench: { run, runModels } });
document.querySelector('#status')!.textContent = crossOriginIsolated
  ? 'ready'
  : 'ready (not cross-origin isolated: measureUserAgentSpecificMemory is unavailable)';
document.body.dataset['ready'] = 'true';
