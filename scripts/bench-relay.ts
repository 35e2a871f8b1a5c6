/**
 * `npm run bench:relay`: how much the relay adds to a streamed completion, under load.
 *
 * Three processes: the fake upstream (test/support/fake-upstream.ts) streaming a fixed completion, the relay started
 * through its real CLI (src/relay/node.ts) in front of it, and this script driving both. In rounds, the same streaming
 * request is sent straight to the upstream and through the relay, `--concurrency` at a time; the added latency is the
 * difference between the two paths' percentiles of time to the last byte, measured in the same run. Every relayed
 * response must be complete (status 200, ending in `data: [DONE]`, as long as the direct one) or it counts as an error.
 *
 *   npm run bench:relay -- [--requests 3000] [--concurrency 500] [--words 50] [--interval-ms 50] [--ramp-ms <ms>]
 *                          [--out bench-results/relay.json]
 *
 * The default stream is 53 SSE events 50 ms apart (2.7 s per answer), so 500 concurrent streams push 10,000 events/s
 * through the relay; `--interval-ms 20` (25,000 events/s) is the heavier case.
 *
 * Arrivals: the `--concurrency` clients start spread evenly over `--ramp-ms` (default: one answer's duration), as
 * independent users' requests arrive, and each sends its next request as soon as its answer ends, so `--concurrency`
 * streams stay in flight. Only requests sent once all clients are running are measured. `--ramp-ms 0` starts every
 * client at the same instant instead: the streams then move in lockstep, every event reaches the relay in a burst
 * of `--concurrency`, and the figures measure how long the relay takes to clear such a burst on this machine.
 *
 * The same rounds also go through two more relays with per-client budgets and a share cap switched on (limits that
 * never bind, so every request pays for the counting and none is refused): one counting in memory, one in a
 * redis-server this script starts on a free port. Their figures sit next to the plain relay's, from the same run.
 *
 * Writes `{ requests, concurrency, errors, addedLatencyMs: { p50, p99 }, addedFirstByteMs: { p50, p99 }, throughputPerSec,
 * peakRssMB, withBudgets: { memory: {...}, redis: {...} } }` and prints a table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { errorMessage, InvalidInputError, RouteError } from '../src/core/errors.ts';
import { startRedis } from '../test/relay/redis-server.ts';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const ROUNDS = 3;

interface Options {
  requests: number;
  concurrency: number;
  words: number;
  intervalMs: number;
  rampMs: number;
  out: string;
}

interface Sample {
  ok: boolean;
  /** Until the response headers: what the relay adds before the first token can show. */
  firstByteMs: number;
  /** Until the last byte: the whole answer. */
  totalMs: number;
  bytes: number;
  /** The HTTP status, or 0 when the connection failed: says what an error was. */
  status: number;
}

interface PathResult {
  samples: Sample[];
  elapsedMs: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string', default: '3000' },
      concurrency: { type: 'string', default: '500' },
      words: { type: 'string', default: '50' },
      'interval-ms': { type: 'string', default: '50' },
      'ramp-ms': { type: 'string' },
      out: { type: 'string', default: 'bench-results/relay.json' },
    },
    strict: true,
  });
  const whole = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min)
      throw new InvalidInputError(`--${name} must be a whole number >= ${min}, got "${text}"`);
    return value;
  };
  const options = {
    requests: whole('requests', values.requests, 1),
    concurrency: whole('concurrency', values.concurrency, 1),
    words: whole('words', values.words, 1),
    intervalMs: whole('interval-ms', values['interval-ms'], 0),
    rampMs: 0,
    out: values.out,
  };
  // One answer's duration: by the time the last client starts, the first is sending its second request.
  options.rampMs =
    values['ramp-ms'] === undefined ? (options.words + 3) * options.intervalMs : whole('ramp-ms', values['ramp-ms'], 0);
  if (options.requests < options.concurrency) throw new InvalidInputError('--requests must be at least --concurrency');
  return options;
}

/** Starts a TypeScript entry in its own Node process and waits for the first stdout line, which holds its URL. */
async function startProcess(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, entry), ...args], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${entry} exited with code ${code} before it was ready`)));
    lines.once('line', (line) => {
      const match = /(http:\/\/\S+)/.exec(line);
      if (match) resolve(match[1]!);
      else reject(new Error(`${entry} printed "${line}" instead of its URL`));
    });
  });
  // Later lines (the relay's request log) are read and dropped, as a log shipper would, so the pipe never fills.
  lines.on('line', () => undefined);
  return { child, url };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One streamed completion, timed from sending to the last byte. */
function timedRequest(agent: Agent, url: URL, body: string): Promise<Sample> {
  return new Promise((resolve) => {
    const startedAt = performance.now();
    const failed = () =>
      resolve({ ok: false, firstByteMs: Number.NaN, totalMs: performance.now() - startedAt, bytes: 0, status: 0 });
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const firstByteMs = performance.now() - startedAt;
        let bytes = 0;
        let tail = '';
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          tail = (tail + chunk.toString('latin1')).slice(-16);
        });
        response.on('end', () =>
          resolve({
            ok: response.statusCode === 200 && tail.endsWith('data: [DONE]\n\n'),
            firstByteMs,
            totalMs: performance.now() - startedAt,
            bytes,
            status: response.statusCode ?? 0,
          }),
        );
        response.on('error', failed);
      },
    );
    outgoing.on('error', failed);
    outgoing.end(body);
  });
}

/**
 * `concurrency` clients, started `rampMs` / `concurrency` apart, each sending its next request when its answer
 * ends, until `warmup + count` requests were sent. The first `warmup` are not measured: they were sent while the
 * clients were still starting (and open the connections that idled out while the other path ran).
 */
async function runPath(
  agent: Agent,
  url: URL,
  body: string,
  count: number,
  warmup: number,
  concurrency: number,
  rampMs: number,
): Promise<PathResult> {
  const samples: Sample[] = [];
  let sent = 0;
  let measuredFrom = Number.NaN;
  const client = async (index: number) => {
    await delay((index * rampMs) / concurrency);
    while (sent < warmup + count) {
      const measured = sent >= warmup;
      sent += 1;
      if (measured && Number.isNaN(measuredFrom)) measuredFrom = performance.now();
      const sample = await timedRequest(agent, url, body);
      if (measured) samples.push(sample);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, index) => client(index)));
  return { samples, elapsedMs: performance.now() - measuredFrom };
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

/** Peak resident set size of a process in MB (Linux VmHWM), or NaN where /proc is not available. */
function peakRssMB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
    return kilobytes / 1024;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc, clock ticks of 10 ms), or NaN. */
function cpuTimeMs(pid: number): number {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

function countBy(values: readonly number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;

/** The relays measured side by side: as before, and with budgets and a share cap counted in memory or in Redis. */
const VARIANTS = ['relay', 'budgets, memory', 'budgets, Redis'] as const;
type Variant = (typeof VARIANTS)[number];

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const benchKey = 'sk-bench-not-a-real-key';
  const configDirectory = mkdtempSync(join(tmpdir(), 'bench-relay-'));
  const children: ChildProcess[] = [];
  const redis = await startRedis();
  try {
    const upstream = await startProcess(
      'test/support/fake-upstream.ts',
      ['--words', String(options.words), '--interval-ms', String(options.intervalMs)],
      process.env,
    );
    children.push(upstream.child);
    // Budgets and a share that never bind: every request pays for the counting, none is refused or redirected.
    const spending = { budgets: { usd: 1e9, models: { bench: 1e9 } }, maxShare: { bench: 1 } };
    const configs: Record<Variant, object> = {
      relay: {},
      'budgets, memory': spending,
      'budgets, Redis': { ...spending, store: { redisUrlEnv: 'BENCH_REDIS_URL', onUnavailable: 'closed' } },
    };
    const relays = {} as Record<Variant, { child: ChildProcess; url: string }>;
    for (const variant of VARIANTS) {
      const configPath = join(configDirectory, `${variant.replace(/\W+/g, '-')}.json`);
      writeFileSync(
        configPath,
        JSON.stringify({
          models: {
            // Priced, so that every answer's cost is counted where budgets are on.
            bench: {
              baseURL: upstream.url,
              model: 'fake-model',
              apiKeyEnv: 'BENCH_PROVIDER_KEY',
              pricing: { input: 1, output: 1 },
            },
          },
          // One load generator is one client: lift the per-client limits so they are not what gets measured.
          limits: { requestsPerMinute: 1_000_000_000, maxConcurrentRequests: 1_000_000 },
          ...configs[variant],
        }),
      );
      relays[variant] = await startProcess('src/relay/node.ts', ['--port', '0', '--config', configPath], {
        ...process.env,
        BENCH_PROVIDER_KEY: benchKey,
        BENCH_REDIS_URL: redis.url,
      });
      children.push(relays[variant].child);
    }

    const body = JSON.stringify({
      model: 'bench',
      stream: true,
      messages: [{ role: 'user', content: 'Stream a short answer.' }],
    });
    const directURL = new URL(`${upstream.url}/chat/completions`);
    // The relay asks every provider for the usage chunk (and takes it out again), so the direct path asks too.
    const directBody = JSON.stringify({
      ...JSON.parse(body),
      model: 'fake-model',
      stream_options: { include_usage: true },
    });
    // maxFreeSockets: by default an Agent keeps only 256 idle connections and closes the rest, so every wave
    // would open hundreds of connections at once and measure TCP handshakes instead of the relay.
    const agentOptions = { keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency };
    const directAgent = new Agent(agentOptions);

    // Alternating rounds, so drift (thermal, other load on the machine) hits every path alike.
    const perRound = Math.ceil(options.requests / ROUNDS);
    const direct: PathResult[] = [];
    const { concurrency, rampMs } = options;
    const measured = Object.fromEntries(
      VARIANTS.map((variant) => [
        variant,
        { results: [] as PathResult[], cpuMs: 0, wallMs: 0, agent: new Agent(agentOptions) },
      ]),
    ) as Record<Variant, { results: PathResult[]; cpuMs: number; wallMs: number; agent: Agent }>;
    for (let round = 0; round < ROUNDS; round += 1) {
      direct.push(await runPath(directAgent, directURL, directBody, perRound, concurrency, concurrency, rampMs));
      for (const variant of VARIANTS) {
        const pid = relays[variant].child.pid!;
        const path = measured[variant];
        const [cpuBefore, wallBefore] = [cpuTimeMs(pid), performance.now()];
        const url = new URL(`${relays[variant].url}/v1/chat/completions`);
        path.results.push(await runPath(path.agent, url, body, perRound, concurrency, concurrency, rampMs));
        path.cpuMs += cpuTimeMs(pid) - cpuBefore;
        path.wallMs += performance.now() - wallBefore;
      }
    }
    directAgent.destroy();
    for (const variant of VARIANTS) measured[variant].agent.destroy();

    const sortedTimes = (samples: Sample[], pick: (sample: Sample) => number) =>
      samples
        .filter((sample) => sample.ok)
        .map(pick)
        .sort((a, b) => a - b);
    const directSamples = direct.flatMap((result) => result.samples);
    const directErrors = directSamples.filter((sample) => !sample.ok).length;
    const directTimes = sortedTimes(directSamples, (sample) => sample.totalMs);
    const directFirstByte = sortedTimes(directSamples, (sample) => sample.firstByteMs);
    const directElapsedMs = direct.reduce((sum, result) => sum + result.elapsedMs, 0);
    // The relay strips the usage chunk the direct path gets: a complete relayed answer is that much shorter.
    const expectedBytes = measured.relay.results.flatMap((result) => result.samples).find((sample) => sample.ok)?.bytes;

    const summaries = VARIANTS.map((variant) => {
      const path = measured[variant];
      const samples = path.results.flatMap((result) => result.samples);
      const times = sortedTimes(samples, (sample) => sample.totalMs);
      const firstByte = sortedTimes(samples, (sample) => sample.firstByteMs);
      const elapsedMs = path.results.reduce((sum, result) => sum + result.elapsedMs, 0);
      return {
        variant,
        samples,
        times,
        firstByte,
        elapsedMs,
        errors: samples.filter((sample) => !sample.ok || sample.bytes !== expectedBytes).length,
        errorStatuses: countBy(
          samples.filter((sample) => !sample.ok || sample.bytes !== expectedBytes).map((sample) => sample.status),
        ),
        addedLatencyMs: {
          p50: round2(percentile(times, 0.5) - percentile(directTimes, 0.5)),
          p99: round2(percentile(times, 0.99) - percentile(directTimes, 0.99)),
        },
        addedFirstByteMs: {
          p50: round2(percentile(firstByte, 0.5) - percentile(directFirstByte, 0.5)),
          p99: round2(percentile(firstByte, 0.99) - percentile(directFirstByte, 0.99)),
        },
        throughputPerSec: round1((samples.length / elapsedMs) * 1000),
        cpuMsPerRequest: round2(path.cpuMs / ((perRound + concurrency) * ROUNDS)),
        cpuShare: Math.round((100 * path.cpuMs) / path.wallMs),
        peakRssMB: round1(peakRssMB(relays[variant].child.pid!)),
      };
    });
    const resultOf = (summary: (typeof summaries)[number]) => ({
      requests: summary.samples.length,
      concurrency: options.concurrency,
      errors: summary.errors,
      ...(summary.errors > 0 && { errorStatuses: summary.errorStatuses }),
      addedLatencyMs: summary.addedLatencyMs,
      addedFirstByteMs: summary.addedFirstByteMs,
      throughputPerSec: summary.throughputPerSec,
      peakRssMB: summary.peakRssMB,
    });
    const [plain, memory, withRedis] = summaries as [
      (typeof summaries)[number],
      (typeof summaries)[number],
      (typeof summaries)[number],
    ];
    const result = { ...resultOf(plain), withBudgets: { memory: resultOf(memory), redis: resultOf(withRedis) } };

    mkdirSync(dirname(resolve(projectRoot, options.out)), { recursive: true });
    writeFileSync(resolve(projectRoot, options.out), `${JSON.stringify(result, null, 2)}\n`);

    const cell = (value: number, width = 11) => round2(value).toFixed(2).padStart(width);
    const row = (
      name: string,
      firstByte: number[],
      total: number[],
      elapsedMs: number,
      count: number,
      failed: number,
    ) =>
      `${name.padEnd(17)}${cell(percentile(firstByte, 0.5))}${cell(percentile(firstByte, 0.99))}${cell(percentile(total, 0.5))}` +
      `${cell(percentile(total, 0.99))}${round1((count / elapsedMs) * 1000)
        .toFixed(1)
        .padStart(9)}${String(failed).padStart(8)}`;
    console.log(
      [
        `relay benchmark: ${plain.samples.length} streamed completions per path, ${options.concurrency} concurrent, ` +
          `${options.words + 3} SSE events ${options.intervalMs} ms apart, ${ROUNDS} alternating rounds, ` +
          (rampMs > 0 ? `clients started over ${rampMs} ms` : 'all clients started at once (lockstep streams)'),
        `${''.padEnd(17)}${'1st byte'.padStart(11)}${'1st byte'.padStart(11)}${'last byte'.padStart(11)}${'last byte'.padStart(11)}`,
        `${''.padEnd(17)}${'p50 ms'.padStart(11)}${'p99 ms'.padStart(11)}${'p50 ms'.padStart(11)}${'p99 ms'.padStart(11)}${'req/s'.padStart(9)}${'errors'.padStart(8)}`,
        row('direct', directFirstByte, directTimes, directElapsedMs, directSamples.length, directErrors),
        ...summaries.map((summary) =>
          row(
            summary.variant,
            summary.firstByte,
            summary.times,
            summary.elapsedMs,
            summary.samples.length,
            summary.errors,
          ),
        ),
        ...summaries.map(
          (summary) =>
            `${`added, ${summary.variant}`.padEnd(17)}${cell(summary.addedFirstByteMs.p50)}${cell(summary.addedFirstByteMs.p99)}` +
            `${cell(summary.addedLatencyMs.p50)}${cell(summary.addedLatencyMs.p99)}`,
        ),
        ...summaries.map(
          (summary) =>
            `${summary.variant}: CPU ${summary.cpuMsPerRequest} ms per streamed completion (${summary.cpuShare}% of one core while relaying); ` +
            `peak RSS ${summary.peakRssMB} MB` +
            (summary.errors > 0
              ? `; errors by status (0: connection failed): ${JSON.stringify(summary.errorStatuses)}`
              : ''),
        ),
        `addedLatencyMs in ${options.out} is the last-byte row (withBudgets: the same with budgets on)`,
      ].join('\n'),
    );
    if (directErrors > 0)
      throw new RouteError(
        `${directErrors} direct requests failed: the upstream or the machine is overloaded, so the comparison is void`,
        'upstream_error',
      );
  } finally {
    await Promise.all(children.map(stopProcess));
    await redis.kill();
    rmSync(configDirectory, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:relay: ${errorMessage(error)}`);
  process.exit(1);
});
