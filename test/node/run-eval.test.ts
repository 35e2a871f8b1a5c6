import { describe, expect, it } from 'vitest';
import type { RouterDefinition } from '../../src/core/registry.ts';
import { resolveSharedDir } from '../../src/node/paths.ts';
import { runEval, toDetails, toSummary } from '../../src/node/run-eval.ts';

const sharedDir = resolveSharedDir(undefined);

describe('runEval', () => {
  it('evaluates named routers and definitions, always with a random baseline, oracle and MT-Bench commercial points', async () => {
    const shortFirst: RouterDefinition = {
      name: 'short-first',
      description: 'the reverse of length',
      requires: [],
      create: (context) => ({
        name: 'short-first',
        score: async (prompts) => prompts.map((prompt) => 1 - prompt.length / (context.maxLength! + 1)),
      }),
    };
    const tasks = new Set<string>();
    const [report] = await runEval({
      routers: ['length', shortFirst],
      benchmarks: ['mt-bench'],
      sharedDir,
      onProgress: (task) => tasks.add(`${task.benchmark}/${task.router}`),
    });
    expect(report!.routers.map((evaluation) => evaluation.router)).toEqual(['length', 'short-first']);
    expect(report!.random.seedApgrs).toHaveLength(10);
    expect(report!.routers[0]!.apgr).toBeCloseTo(0.5555037313432843, 9);
    expect(report!.routers[1]!.apgr).toBeLessThan(0.5);
    expect(report!.oracle.apgr).toBeGreaterThan(report!.routers[0]!.apgr);
    expect([...tasks]).toEqual(['mt-bench/length', 'mt-bench/short-first', 'mt-bench/random']);

    const [martian, unify] = report!.commercial;
    expect(martian).toMatchObject({
      label: 'Martian',
      strongPercentage: 50,
      strongPercentageSource: 'published',
      judgedTurns: 160,
    });
    expect(martian!.quality).toBeCloseTo(8.3125, 9);
    expect(unify).toMatchObject({
      label: 'Unify',
      strongPercentage: 50,
      strongPercentageSource: 'answers',
      judgedTurns: 159,
    });
    expect(unify!.quality).toBeCloseTo(8.757862, 6);
  });

  it('writes summary.json in the shape issue #3 specifies, and the rest in details', async () => {
    const reports = await runEval({ routers: ['length', 'random'], benchmarks: ['gsm8k'], sharedDir });
    const summary = toSummary(reports);
    expect(Object.keys(summary)).toEqual(['gsm8k']);
    expect(Object.keys(summary['gsm8k']!)).toEqual(['length', 'random']);
    const entry = summary['gsm8k']!['length']!;
    expect(Object.keys(entry)).toEqual(['APGR', 'CPT(20%)', 'CPT(50%)', 'CPT(80%)', 'n', 'weak', 'strong', 'curve']);
    expect(entry.n).toBe(1307);
    expect(entry.curve).toHaveLength(11);
    expect(Object.keys(entry.curve[0]!)).toEqual(['threshold', 'strong_percentage', 'quality']);
    // The random router in the summary is the baseline itself (10 seeds), so its gain over random is 0.
    const details = toDetails(reports) as Record<string, { routers: Record<string, { deltaVsRandom: number }> }>;
    expect(details['gsm8k']!.routers['random']!.deltaVsRandom).toBe(0);
    expect(details['gsm8k']!.routers['length']!.deltaVsRandom).toBeCloseTo(
      entry.APGR - summary['gsm8k']!['random']!.APGR,
      12,
    );
  });

  it('checks router names before reading any data', async () => {
    await expect(runEval({ routers: ['nope'], benchmarks: ['mmlu'], sharedDir: '/no/such/folder' })).rejects.toThrow(
      /^Unknown router 'nope'\. Known routers: length, random(, [a-z0-9-]+)*\.$/,
    );
  });
});
