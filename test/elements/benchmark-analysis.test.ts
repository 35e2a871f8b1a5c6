import { describe, expect, it } from 'vitest';
import type { CurvePoint } from '../../src/core/curve.ts';
import { evaluateScores } from '../../src/core/evaluate.ts';
import {
  analyseBenchmark,
  benchmarkOf,
  chartSeries,
  metricRows,
  nearestPointIndex,
  OUTCOME_LEGEND,
  outcomeOf,
  promptDecisions,
  qualityLine,
  qualityOf,
  routerToShow,
  thresholdSummary,
  type Analysis,
} from '../../src/elements/benchmark-analysis.ts';
import type { DemoBenchmarkFile, DemoItem, DemoRouter } from '../../src/elements/demo-data.ts';

const item = (id: string, weak: number, strong: number, prompt = `prompt ${id}`): DemoItem => ({
  id,
  prompt,
  weak,
  strong,
});

/** Five prompts: the weak model gets 40% right, the strong one 60%; `replay`'s recorded scores rank them a, e, c, b, d. */
const FILE: DemoBenchmarkFile = {
  version: 1,
  name: 'tiny',
  label: 'Tiny',
  description: 'five prompts',
  qualityUnit: '% correct',
  qualityKind: 'correct',
  weakModel: 'small-model',
  strongModel: 'big-model',
  items: [
    item('a', 0, 100),
    item('b', 100, 100, 'a much longer prompt b'),
    item('c', 0, 0),
    item('d', 100, 0),
    item('e', 0, 100),
  ],
  scores: { replay: [0.9, 0.3, 0.5, 0.1, 0.7] },
};

const ROUTERS: DemoRouter[] = [
  { name: 'length', description: '', source: 'browser' },
  { name: 'random', description: '', source: 'browser' },
  { name: 'replay', description: '', source: 'recorded' },
  { name: 'unscored', description: '', source: 'recorded' },
  { name: 'mf', description: '', source: 'pending' },
  { name: 'knn-gain', description: '', source: 'unavailable', note: 'no weights' },
];

const point = (strongPercentage: number, threshold: number, quality = 0): CurvePoint => ({
  strongPercentage,
  threshold,
  quality,
});

describe('analyseBenchmark', () => {
  it('evaluates the routers the file can show with core, and keeps random as the reference curve', async () => {
    const analysis = await analyseBenchmark(FILE, ROUTERS);
    expect(analysis.routers.map((router) => [router.name, router.color])).toEqual([
      ['length', '#2f5bd3'],
      ['replay', '#b8860b'],
    ]);
    const replay = analysis.routers[1]!;
    expect(replay.scores).toEqual(FILE.scores['replay']);
    expect(replay.evaluation.apgr).toBeCloseTo(
      evaluateScores(benchmarkOf(FILE), 'replay', FILE.scores['replay']!).apgr,
      12,
    );
    expect(replay.fine).toHaveLength(201);
    expect([replay.fine[0]!.strongPercentage, replay.fine.at(-1)!.strongPercentage]).toEqual([0, 100]);
    expect(analysis.random?.seedApgrs).toHaveLength(10);
    expect([analysis.oracle.weak, analysis.oracle.strong]).toEqual([40, 60]);
    expect(analysis.oracle.apgr).toBeGreaterThan(replay.evaluation.apgr);
  });

  it("fails with the data's fault when a recorded router has no score for a prompt", async () => {
    const short = { ...FILE, scores: { replay: [0.9, 0.3] } };
    await expect(analyseBenchmark(short, ROUTERS)).rejects.toThrow(
      'No recorded replay score for a prompt; rebuild the demo data.',
    );
  });
});

describe('benchmarkOf', () => {
  it("turns the file's items into core's benchmark items", () => {
    const benchmark = benchmarkOf(FILE);
    expect(benchmark).toMatchObject({
      name: 'tiny',
      weakModel: 'small-model',
      strongModel: 'big-model',
      qualityUnit: '% correct',
    });
    expect(benchmark.items[3]).toEqual({ id: 'd', prompt: 'prompt d', weakQuality: 100, strongQuality: 0 });
  });
});

describe('the threshold', () => {
  const fine = [point(0, 1), point(20, 0.8), point(40, 0.6), point(60, 0.5), point(100, 0)];

  it('moves to the operating point nearest a strong-call share, the first of two as near', () => {
    expect(nearestPointIndex(fine, 30)).toBe(1);
    expect(nearestPointIndex(fine, 33)).toBe(2);
    expect(nearestPointIndex(fine, 85)).toBe(4);
    expect(nearestPointIndex(fine, -5)).toBe(0);
  });

  it('reads as the share of the quality gap recovered, in percent for right/wrong benchmarks', async () => {
    const analysis = await analyseBenchmark(FILE, ROUTERS);
    expect(thresholdSummary(analysis, point(40, 0.7, 55))).toEqual({
      point: point(40, 0.7, 55),
      weakQuality: 40,
      strongQuality: 60,
      gapRecovered: 0.75,
      unit: '%',
    });
    expect(thresholdSummary({ ...analysis, file: { ...FILE, qualityKind: 'score' } }, point(40, 0.7, 60)).unit).toBe(
      '',
    );
  });
});

describe('promptDecisions', () => {
  const replay = {
    name: 'replay',
    color: '',
    evaluation: undefined as never,
    scores: FILE.scores['replay']!,
    fine: [],
  };
  const ids = (filter: 'all' | 'strong' | 'weak' | 'differ', at = point(60, 0.5)) =>
    promptDecisions(FILE, replay, at, filter).map((row) => `${row.item.id}${row.strong ? '+' : '-'}`);

  it('sends a prompt strong when its score reaches the threshold, highest score first', () => {
    expect(ids('all')).toEqual(['a+', 'e+', 'c+', 'b-', 'd-']);
    expect(promptDecisions(FILE, replay, point(60, 0.5), 'all')[0]).toEqual({
      item: FILE.items[0],
      score: 0.9,
      strong: true,
    });
  });

  it('sends nothing strong at the 0% point, whose threshold is the top score', () => {
    expect(ids('all', point(0, 0.9))).toEqual(['a-', 'e-', 'c-', 'b-', 'd-']);
  });

  it('filters by decision, or to the prompts where the two models differ', () => {
    expect(ids('strong')).toEqual(['a+', 'e+', 'c+']);
    expect(ids('weak')).toEqual(['b-', 'd-']);
    expect(ids('differ')).toEqual(['a+', 'e+', 'd-']);
  });
});

describe('the router shown', () => {
  const analysisWith = (apgrs: Record<string, number>): Analysis =>
    ({
      routers: Object.entries(apgrs).map(([name, apgr]) => ({
        name,
        color: name,
        evaluation: { apgr, curve: [], cpt: {} },
        scores: [],
        fine: [],
      })),
    }) as unknown as Analysis;

  it('keeps the router picked before, else takes the best one here', () => {
    const analysis = analysisWith({ length: 0.55, mf: 0.7, 'sw-ranking': 0.62 });
    expect(routerToShow(analysis, 'length')).toBe('length');
    expect(routerToShow(analysis, 'causal-llm')).toBe('mf');
    expect(routerToShow(analysis, '')).toBe('mf');
    expect(routerToShow(analysisWith({}), 'length')).toBe('');
  });

  it('is drawn bold among the routers, after the oracle and random references; the table lists random last, unselectable', async () => {
    const analysis = await analyseBenchmark(FILE, ROUTERS);
    const series = chartSeries(analysis, 'replay');
    expect(series.map((entry) => [entry.kind, entry.color])).toEqual([
      ['oracle', '#9aa4ae'],
      ['random', '#9aa4ae'],
      ['router', '#2f5bd3'],
      ['selected', '#b8860b'],
    ]);
    expect(series[0]!.label).toBe(`oracle (APGR ${analysis.oracle.apgr.toFixed(3)})`);
    expect(series[1]!.label).toBe('random, 10 seeds');
    expect(series[3]!.label).toBe(`replay (APGR ${analysis.routers[1]!.evaluation.apgr.toFixed(3)})`);
    expect(metricRows(analysis).map((row) => [row.name, row.selectable])).toEqual([
      ['length', true],
      ['replay', true],
      ['random', false],
    ]);
  });
});

describe('outcomes and qualities in words', () => {
  it("says what each decision did for the prompt's quality", () => {
    expect(outcomeOf(FILE, item('x', 0, 100), true)).toEqual({
      label: 'needed',
      tone: 'good',
      detail: 'big-model does better here',
    });
    expect(outcomeOf(FILE, item('x', 100, 100), true)).toMatchObject({ label: 'no gain', tone: 'costly' });
    expect(outcomeOf(FILE, item('x', 100, 0), true)).toMatchObject({ label: 'worse', tone: 'costly' });
    expect(outcomeOf(FILE, item('x', 0, 100), false)).toEqual({
      label: 'lost quality',
      tone: 'bad',
      detail: 'big-model would have done better',
    });
    expect(outcomeOf(FILE, item('x', 100, 0), false)).toEqual({
      label: 'saved',
      tone: 'good',
      detail: 'small-model does as well or better',
    });
  });

  it('has a legend entry, in the same tone, for every badge a prompt can get', () => {
    const outcomes = [
      [item('x', 0, 100), true],
      [item('x', 100, 100), true],
      [item('x', 100, 0), true],
      [item('x', 0, 100), false],
      [item('x', 100, 0), false],
    ] as const;
    for (const [prompt, strong] of outcomes) {
      const { label, tone } = outcomeOf(FILE, prompt, strong);
      expect(OUTCOME_LEGEND.find((entry) => entry.labels.includes(label))?.tone, label).toBe(tone);
    }
    expect(OUTCOME_LEGEND.flatMap((entry) => entry.labels)).toHaveLength(outcomes.length);
  });

  it('reads a quality as right or wrong, a judge score, or a judge preference against the strong model', () => {
    expect(qualityOf(FILE, 100, 'weak')).toBe('correct');
    expect(qualityOf(FILE, 0, 'strong')).toBe('wrong');
    expect(qualityOf({ ...FILE, qualityKind: 'score' }, 7.25, 'weak')).toBe('judge score 7.3');
    const preference = { ...FILE, qualityKind: 'preference' as const };
    expect(qualityOf(preference, 50, 'strong')).toBe('the judge’s reference answer');
    expect(qualityOf(preference, 100, 'weak')).toBe('the judge preferred this answer');
    expect(qualityOf(preference, 0, 'weak')).toBe('the judge preferred big-model’s');
    expect(qualityOf(preference, 62.4, 'weak')).toBe('judge: 62% for this answer');
    expect(qualityLine(FILE, item('x', 0, 100))).toBe('small-model: wrong · big-model: correct');
  });
});
