import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { createBenchmark, type Benchmark, type BenchmarkItem } from './benchmark.ts';
import { InvalidInputError } from './errors.ts';

/** How many decontaminated MMLU rows form the gold split that routers may train on. */
export const MMLU_GOLD_SIZE = 1500;

/** Hex SHA-256 of the prompt's UTF-8 bytes: the order that picks the gold split. */
export function promptDigest(prompt: string): string {
  return bytesToHex(sha256(utf8ToBytes(prompt)));
}

export interface MmluGoldSplit {
  /** Rows routers may train on (benchmark name 'mmlu-gold'). */
  readonly gold: Benchmark;
  /** The remaining rows, on which a router trained on gold data is judged (benchmark name 'mmlu-heldout'). */
  readonly heldout: Benchmark;
}

/**
 * Splits decontaminated MMLU into the gold split (the `size` rows whose prompt digest sorts lowest) and the
 * held-out rest. MMLU repeats some prompts; all copies share a digest, and should copies straddle the cut, all
 * of them go to gold so that no prompt text is on both sides (the split then holds a few more than `size`).
 */
export function splitMmluGold(mmlu: Benchmark, size: number = MMLU_GOLD_SIZE): MmluGoldSplit {
  if (!Number.isInteger(size) || size <= 0 || size >= mmlu.items.length) {
    throw new InvalidInputError(`Gold split size must be an integer in [1, ${mmlu.items.length - 1}], got ${size}.`);
  }
  const ranked = mmlu.items
    .map((item, index) => ({ item, index, digest: promptDigest(item.prompt) }))
    .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : a.index - b.index));
  let cut = size;
  while (cut < ranked.length && ranked[cut]!.digest === ranked[cut - 1]!.digest) cut++;
  const inGold = new Set(ranked.slice(0, cut).map((entry) => entry.index));

  const gold: BenchmarkItem[] = [];
  const heldout: BenchmarkItem[] = [];
  mmlu.items.forEach((item, index) => (inGold.has(index) ? gold : heldout).push(item));
  return {
    gold: createBenchmark({ ...mmlu, name: 'mmlu-gold', items: gold }),
    heldout: createBenchmark({ ...mmlu, name: 'mmlu-heldout', items: heldout }),
  };
}
