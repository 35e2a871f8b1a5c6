/**
 * npm run bench:encoder: how fast the offline encoder embeds prompts in Node.
 *
 *   tsx scripts/bench-encoder.ts [--iterations N] [--batch N]
 *
 * 1. createEncoder on onnxruntime-node for each USE-lite dtype: p50/p95 of encoding one ~60-token prompt, and the
 *    throughput of embedding many prompts one window per call (the default) and in batches.
 * 2. The same ONNX files on onnxruntime-web's WASM backend (1 and 2 threads), model only: the browser's runtime, which
 *    is why int8 is the default dtype.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AutoTokenizer } from '@huggingface/transformers';
import * as ortWeb from 'onnxruntime-web';
import { createEncoder } from '../src/encoder/index.ts';
import { sessionOptionsFor } from '../src/encoder/session-options.ts';
import { buildUseLite } from '../src/node/onnx/build-use-lite.ts';
import { errorMessage, InvalidInputError, ModelLoadError } from '../src/core/errors.ts';

const DTYPE_FILES = { fp32: 'model.onnx', q8: 'model_quantized.onnx', int8: 'model_int8.onnx' } as const;
type Dtype = keyof typeof DTYPE_FILES;
const DTYPES = Object.keys(DTYPE_FILES) as Dtype[];

/** About 60 USE-lite tokens, the length of a typical chat prompt. */
const PROMPT =
  'I am planning a three day trip to Kyoto in early April with my elderly parents, who cannot walk long distances. ' +
  'Which temples, shrines and gardens should we prioritise, how should we get around the city each day, ' +
  'and where can we eat good vegetarian food?';

/** Distinct prompts for the throughput runs (no two identical, lengths 20 to 70 tokens). */
function throughputPrompts(count: number): string[] {
  const topics = [
    'linked lists',
    'tax returns',
    'sourdough bread',
    'the French revolution',
    'React hooks',
    'marathon training',
    'quantum tunnelling',
    'wedding speeches',
  ];
  return Array.from({ length: count }, (_, index) => {
    const topic = topics[index % topics.length]!;
    return `Question ${index}: explain ${topic} to someone who has never heard of it${', giving a worked example and the most common mistakes'.repeat(1 + (index % 3))}.`;
  });
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

async function timeEach(iterations: number, run: () => Promise<unknown>): Promise<number[]> {
  for (let warmUp = 0; warmUp < 10; warmUp++) await run();
  const times: number[] = [];
  for (let iteration = 0; iteration < iterations; iteration++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

async function benchEncoder(dtype: Dtype, iterations: number, batch: number): Promise<void> {
  const encoder = await createEncoder({ dtype });
  const batched = await createEncoder({ dtype, batchSize: batch });
  try {
    const [encoded] = await encoder.encode([PROMPT]);
    const single = await timeEach(iterations, () => encoder.embed([PROMPT]));
    const prompts = throughputPrompts(256);
    const rate = async (target: typeof encoder) => {
      await target.embed(prompts.slice(0, 16));
      const started = performance.now();
      await target.embed(prompts);
      return prompts.length / ((performance.now() - started) / 1000);
    };
    console.log(
      `${dtype.padEnd(5)} ${String(encoded!.tokens).padStart(6)} ${percentile(single, 0.5).toFixed(2).padStart(8)} ${percentile(single, 0.95).toFixed(2).padStart(8)}` +
        ` ${(await rate(encoder)).toFixed(0).padStart(10)} ${(await rate(batched)).toFixed(0).padStart(10)}   ${encoder.id}`,
    );
  } finally {
    await encoder.dispose();
    await batched.dispose();
  }
}

async function benchWasm(dtype: Dtype, iterations: number, ids: readonly number[]): Promise<string> {
  const path = join(buildUseLite().outDir, 'onnx', DTYPE_FILES[dtype]);
  // The session options createEncoder uses for USE-lite, so the figures are those of the product.
  const session = await ortWeb.InferenceSession.create(path, {
    executionProviders: ['wasm'],
    ...sessionOptionsFor(dtype, true),
  });
  try {
    const feeds = {
      input_ids: new ortWeb.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      attention_mask: new ortWeb.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
    };
    const times = await timeEach(iterations, () => session.run(feeds));
    return `${percentile(times, 0.5).toFixed(2).padStart(8)} ${percentile(times, 0.95).toFixed(2).padStart(8)}`;
  } finally {
    await session.release();
  }
}

/** onnxruntime-web fixes its thread count when the WASM backend starts, so each thread count runs in its own process. */
async function wasmSection(threads: number, iterations: number): Promise<void> {
  ortWeb.env.wasm.numThreads = threads;
  const tokenizer = await AutoTokenizer.from_pretrained(buildUseLite().outDir);
  const ids = tokenizer.encode(PROMPT);
  for (const dtype of DTYPES)
    console.log(`${dtype.padEnd(5)} ${String(threads).padStart(7)} ${await benchWasm(dtype, iterations, ids)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '200' },
      batch: { type: 'string', default: '32' },
      'wasm-threads': { type: 'string' },
    },
    strict: true,
  });
  const iterations = Number(values.iterations);
  const batch = Number(values.batch);
  if (!(Number.isInteger(iterations) && iterations > 0 && Number.isInteger(batch) && batch > 0)) {
    throw new InvalidInputError('--iterations and --batch must be positive integers');
  }
  if (values['wasm-threads'] !== undefined) return wasmSection(Number(values['wasm-threads']), iterations);

  buildUseLite();
  console.log(
    `createEncoder in Node (onnxruntime-node CPU): ${iterations} encodes of one prompt; 256 distinct prompts for throughput`,
  );
  console.log(`dtype tokens  p50(ms)  p95(ms)  1/call(/s) ${`batch ${batch}(/s)`.padStart(11)}   encoder id`);
  for (const dtype of DTYPES) await benchEncoder(dtype, iterations, batch);

  console.log(`\nonnxruntime-web WASM in Node (the browser's runtime), model only, the same prompt`);
  console.log('dtype threads  p50(ms)  p95(ms)');
  for (const threads of [1, 2]) {
    const child = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        '--iterations',
        String(iterations),
        '--wasm-threads',
        String(threads),
      ],
      {
        stdio: 'inherit',
      },
    );
    if (child.status !== 0) throw new ModelLoadError(`the WASM run with ${threads} thread(s) failed`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench-encoder: ${errorMessage(error)}`);
  process.exit(1);
});
