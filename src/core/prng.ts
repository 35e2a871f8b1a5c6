import { InvalidInputError } from './errors.ts';

/**
 * A small seeded pseudo-random generator (mulberry32: 32-bit state, full period 2^32, passes the usual
 * statistical batteries well enough for routing baselines). Core cannot rely on Math.random for anything that
 * must be reproducible, and pulls in no dependency for it.
 */
export function createPrng(seed: number): () => number {
  if (!Number.isInteger(seed)) throw new InvalidInputError(`PRNG seed must be an integer, got ${seed}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
