import { describe, expect, it } from 'vitest';
import { bootstrapApgr } from '../../src/core/bootstrap.ts';
import { AbortError, InvalidInputError } from '../../src/core/errors.ts';
import { evaluateRouter, evaluateScores, scorePrompts } from '../../src/core/evaluate.ts';
import type { RouterDefinition } from '../../src/core/registry.ts';
import type { Router } from '../../src/core/router.ts';
import { randomRouterDefinition } from '../../src/core/routers.ts';
import { benchmarkOf } from './helpers.ts';

const toy = benchmarkOf([
  [0, 100],
  [0, 0],
  [100, 100],
  [0, 100],
  [100, 0],
]);

/** Scores by position in a fixed list, and records the batches it was asked for. */
function listRouter(scores: readonly number[]): Router & { batches: number[] } {
  const batches: number[] = [];
  let next = 0;
  return {
    name: 'list',
    batches,
    score: async (prompts) => {
      batches.push(prompts.length);
      return prompts.map(() => scores[next++]!);
    },
  };
}

describe('evaluateScores', () => {
  it('reports n, weak and strong quality, the curve and its metrics', () => {
    const evaluation = evaluateScores(toy, 'toy-router', [0.9, 0.1, 0.5, 0.7, 0.3]);
    expect(evaluation).toMatchObject({ router: 'toy-router', benchmark: 'toy', n: 5, weak: 40, strong: 60 });
    expect(evaluation.curve).toHaveLength(11);
    expect(evaluation.pgr).toHaveLength(11);
    expect(evaluation.seedApgrs).toBeUndefined();
  });
});

describe('scorePrompts', () => {
  it('scores in batches and reports progress after each', async () => {
    const router = listRouter([0.1, 0.2, 0.3, 0.4, 0.5]);
    const progress: [number, number][] = [];
    const scores = await scorePrompts(router, ['a', 'b', 'c', 'd', 'e'], {
      batchSize: 2,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(scores).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(router.batches).toEqual([2, 2, 1]);
    expect(progress).toEqual([
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
  });

  it('fails clearly when a router returns the wrong number of scores', async () => {
    const broken: Router = { name: 'broken', score: async () => [0.5] };
    await expect(scorePrompts(broken, ['a', 'b'])).rejects.toThrow(/returned 1 scores for 2 prompts/);
  });

  it('stops between batches once aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(scorePrompts(listRouter([0.5]), ['a'], { signal: controller.signal })).rejects.toThrow(AbortError);
  });
});

describe('evaluateRouter', () => {
  it("passes the benchmark's longest prompt as maxLength", async () => {
    const seen: (number | undefined)[] = [];
    const definition: RouterDefinition = {
      name: 'probe',
      description: 'records its context',
      requires: [],
      create: (context) => {
        seen.push(context.maxLength);
        return { name: 'probe', score: async (prompts) => prompts.map(() => 0.5) };
      },
    };
    await evaluateRouter(definition, toy);
    // benchmarkOf makes prompt i 'p<i>' repeated i + 1 times: the last is 'p4' x 5 = 10 characters.
    expect(seen).toEqual([10]);
  });

  it("averages a stochastic router over its seeds and keeps each seed's APGR", async () => {
    const seeds: (number | undefined)[] = [];
    const definition: RouterDefinition = {
      ...randomRouterDefinition,
      evaluationSeeds: 3,
      create: (context) => {
        seeds.push(context.seed);
        return randomRouterDefinition.create(context);
      },
    };
    const progress: number[] = [];
    const evaluation = await evaluateRouter(definition, toy, {
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(seeds).toEqual([0, 1, 2]);
    expect(evaluation.seedApgrs).toHaveLength(3);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('adds a bootstrap interval of the same scores when asked for resamples', async () => {
    const scores = [0.9, 0.1, 0.5, 0.7, 0.3];
    const definition: RouterDefinition = {
      name: 'fixed',
      description: 'fixed scores',
      requires: [],
      create: () => ({ name: 'fixed', score: async () => scores }),
    };
    const plain = await evaluateRouter(definition, toy);
    expect(plain.interval).toBeUndefined();
    const withInterval = await evaluateRouter(definition, toy, { bootstrapResamples: 300 });
    expect(withInterval.interval).toEqual(bootstrapApgr(toy, scores, { resamples: 300 }));
    expect(withInterval.apgr).toBe(plain.apgr);
    await expect(evaluateRouter(definition, toy, { bootstrapResamples: 1.5 })).rejects.toThrow(
      /bootstrapResamples must be a non-negative integer/,
    );
  });

  it('gives a router averaged over seeds no bootstrap interval: its seed APGRs are its spread', async () => {
    const evaluation = await evaluateRouter({ ...randomRouterDefinition, evaluationSeeds: 2 }, toy, {
      bootstrapResamples: 100,
    });
    expect(evaluation.interval).toBeUndefined();
    expect(evaluation.seedApgrs).toHaveLength(2);
  });

  it('checks requirements before creating the router', async () => {
    const definition: RouterDefinition = {
      name: 'needs-embedder',
      description: 'needs an embedder',
      requires: ['embedder'],
      create: () => {
        throw new Error('must not be reached');
      },
    };
    await expect(evaluateRouter(definition, toy)).rejects.toThrow(InvalidInputError);
  });
});
