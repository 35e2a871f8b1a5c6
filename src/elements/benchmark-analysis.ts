import {
  type Benchmark,
  createBenchmark,
  InvalidInputError,
  maxPromptLength,
  thresholdCurve,
  type CurvePoint,
  evaluateCurve,
  evaluateRouter,
  type RouterEvaluation,
  performanceGapRecovered,
  oracleCurve,
  createFromDefinition,
  type RouterDefinition,
  defaultRegistry,
} from '../core/index.ts';
import type { ChartSeries } from './curve-chart.ts';
import type { DemoBenchmarkFile, DemoItem, DemoRouter } from './demo-data.ts';

/** Operating points the threshold slider moves between: core's threshold curve at this many quantile steps. */
const FINE_STEPS = 200;
/** Router colours, clear of the weak (green) and strong (purple) reference lines. */
const COLORS = ['#2f5bd3', '#c2410c', '#b8860b', '#0e7490', '#be185d', '#4b5563'];
/** The reference curves' grey. */
const REFERENCE_COLOR = '#9aa4ae';

export type PromptFilter = 'all' | 'strong' | 'weak' | 'differ';

export interface RouterAnalysis {
  name: string;
  color: string;
  evaluation: RouterEvaluation;
  /** The scores decisions are shown for (seed 0 for a stochastic router), in item order. */
  scores: number[];
  /** Operating points from core's thresholdCurve, by strong-call share. */
  fine: CurvePoint[];
}

/** Everything the explorer shows for one benchmark, computed once from the data file with core's metric code. */
export interface Analysis {
  file: DemoBenchmarkFile;
  benchmark: Benchmark;
  routers: RouterAnalysis[];
  random: RouterEvaluation | undefined;
  oracle: RouterEvaluation<{ strongPercentage: number; quality: number }>;
}

/** One prompt under the selected router at the selected threshold. */
export interface PromptDecision {
  item: DemoItem;
  score: number;
  strong: boolean;
}

/** What the decision did for a prompt: kept quality, lost it, or paid for the strong model without need. */
export interface Outcome {
  label: string;
  tone: 'good' | 'bad' | 'costly';
  detail: string;
}

/** Every badge outcomeOf gives a prompt, with what it means in plain words: the explorer's legend. */
export const OUTCOME_LEGEND: readonly { labels: readonly string[]; tone: Outcome['tone']; meaning: string }[] = [
  {
    labels: ['needed'],
    tone: 'good',
    meaning: 'sent to the strong model, and it did better than the cheap one would have',
  },
  {
    labels: ['no gain', 'worse'],
    tone: 'costly',
    meaning: 'sent to the strong model, which did no better (money spent for nothing)',
  },
  {
    labels: ['saved'],
    tone: 'good',
    meaning: 'kept on the cheap model, which did as well or better: money saved, no quality lost',
  },
  {
    labels: ['lost quality'],
    tone: 'bad',
    meaning: 'kept on the cheap model, but the strong one would have done better',
  },
];

/** The reading under the threshold slider. */
export interface ThresholdSummary {
  point: CurvePoint;
  /** Quality with every prompt on the weak model, and on the strong one. */
  weakQuality: number;
  strongQuality: number;
  /** Share of the weak-to-strong quality gap the point recovers (0-1). */
  gapRecovered: number;
  /** '%' where qualities are shares of correct answers. */
  unit: '%' | '';
}

/** A demo file's items as the core Benchmark `npm run eval` evaluates. */
export function benchmarkOf(file: DemoBenchmarkFile): Benchmark {
  return createBenchmark({
    name: file.name,
    weakModel: file.weakModel,
    strongModel: file.strongModel,
    qualityUnit: file.qualityUnit,
    items: file.items.map((item) => ({
      id: item.id,
      prompt: item.prompt,
      weakQuality: item.weak,
      strongQuality: item.strong,
    })),
  });
}

/** Evaluates every router the file can show with core, as `npm run eval` does; random becomes the reference curve. */
export async function analyseBenchmark(file: DemoBenchmarkFile, routers: readonly DemoRouter[]): Promise<Analysis> {
  const benchmark = benchmarkOf(file);
  const prompts = benchmark.items.map((item) => item.prompt);
  const shown = routers.filter(
    (router) => router.source === 'browser' || (router.source === 'recorded' && file.scores[router.name]),
  );
  const analysed: RouterAnalysis[] = [];
  let random: RouterEvaluation | undefined;
  for (const [index, router] of shown.entries()) {
    const definition =
      router.source === 'browser'
        ? defaultRegistry.get(router.name)
        : recordedRouter(router.name, prompts, file.scores[router.name]!);
    const evaluation = await evaluateRouter(definition, benchmark);
    const scorer = await createFromDefinition(definition, { maxLength: maxPromptLength(prompts), seed: 0 });
    const scores = await scorer.score(prompts);
    if (router.name === 'random') {
      random = evaluation;
      continue;
    }
    analysed.push({
      name: router.name,
      color: COLORS[index % COLORS.length]!,
      evaluation,
      scores,
      fine: thresholdCurve(benchmark, scores, FINE_STEPS),
    });
  }
  return {
    file,
    benchmark,
    routers: analysed,
    random,
    oracle: evaluateCurve(benchmark, 'oracle', oracleCurve(benchmark)),
  };
}

/**
 * The router to show: the one picked before if this benchmark has it, else the one that does best here (a
 * newcomer sees routing pay off at once); '' when there is none.
 */
export function routerToShow(analysis: Analysis, picked: string): string {
  const best = [...analysis.routers].sort((a, b) => b.evaluation.apgr - a.evaluation.apgr)[0];
  return (analysis.routers.find((router) => router.name === picked) ?? best)?.name ?? '';
}

/** The index of the operating point nearest a strong-call share (the first of equals). */
export function nearestPointIndex(fine: readonly CurvePoint[], strongPercentage: number): number {
  let best = 0;
  fine.forEach((point, index) => {
    if (Math.abs(point.strongPercentage - strongPercentage) < Math.abs(fine[best]!.strongPercentage - strongPercentage))
      best = index;
  });
  return best;
}

/** The chart's lines: the oracle and random references, then every router, the selected one marked. */
export function chartSeries(analysis: Analysis, selected: string): ChartSeries[] {
  const { oracle, random } = analysis;
  return [
    { label: `oracle (APGR ${oracle.apgr.toFixed(3)})`, points: oracle.curve, kind: 'oracle', color: REFERENCE_COLOR },
    ...(random
      ? [
          {
            label: `random, ${random.seedApgrs?.length ?? 1} seeds`,
            points: random.curve,
            kind: 'random' as const,
            color: REFERENCE_COLOR,
          },
        ]
      : []),
    ...analysis.routers.map((router) => ({
      label: `${router.name} (APGR ${router.evaluation.apgr.toFixed(3)})`,
      points: router.evaluation.curve,
      kind: router.name === selected ? ('selected' as const) : ('router' as const),
      color: router.color,
    })),
  ];
}

/** The metrics table's rows: the routers one can select, then random for reference. */
export function metricRows(analysis: Analysis): { name: string; evaluation: RouterEvaluation; selectable: boolean }[] {
  return [
    ...analysis.routers.map((router) => ({ name: router.name, evaluation: router.evaluation, selectable: true })),
    ...(analysis.random ? [{ name: 'random', evaluation: analysis.random, selectable: false }] : []),
  ];
}

export function thresholdSummary(analysis: Analysis, point: CurvePoint): ThresholdSummary {
  const { oracle, file } = analysis;
  return {
    point,
    weakQuality: oracle.weak,
    strongQuality: oracle.strong,
    gapRecovered: performanceGapRecovered(point.quality, oracle.weak, oracle.strong),
    unit: file.qualityKind === 'correct' ? '%' : '',
  };
}

/** Every prompt's decision at an operating point, filtered, highest score first. */
export function promptDecisions(
  file: DemoBenchmarkFile,
  router: RouterAnalysis,
  point: CurvePoint,
  filter: PromptFilter,
): PromptDecision[] {
  // Core's curve sends a prompt strong when its score >= threshold, except at the 0% point (score > the maximum).
  const goesStrong = (score: number) => point.strongPercentage > 0 && score >= point.threshold;
  return file.items
    .map((item, index) => ({ item, score: router.scores[index]!, strong: goesStrong(router.scores[index]!) }))
    .filter(({ item, strong }) =>
      filter === 'strong'
        ? strong
        : filter === 'weak'
          ? !strong
          : filter === 'differ'
            ? item.weak !== item.strong
            : true,
    )
    .sort((a, b) => b.score - a.score);
}

export function outcomeOf(file: DemoBenchmarkFile, item: DemoItem, strong: boolean): Outcome {
  const gain = item.strong - item.weak;
  if (strong) {
    return gain > 0
      ? { label: 'needed', tone: 'good', detail: `${file.strongModel} does better here` }
      : {
          label: gain === 0 ? 'no gain' : 'worse',
          tone: 'costly',
          detail: `${file.weakModel} does as well or better: a strong call without benefit`,
        };
  }
  return gain > 0
    ? { label: 'lost quality', tone: 'bad', detail: `${file.strongModel} would have done better` }
    : { label: 'saved', tone: 'good', detail: `${file.weakModel} does as well or better` };
}

/** One model's quality on one prompt, in words fit for the benchmark's kind of quality. */
export function qualityOf(file: DemoBenchmarkFile, quality: number, side: 'weak' | 'strong'): string {
  switch (file.qualityKind) {
    case 'correct':
      return quality >= 100 ? 'correct' : 'wrong';
    case 'score':
      return `judge score ${quality.toFixed(1)}`;
    case 'preference':
      // The strong model's answer is the reference the judge compares against.
      if (side === 'strong') return 'the judge’s reference answer';
      return quality >= 100
        ? 'the judge preferred this answer'
        : quality <= 0
          ? `the judge preferred ${file.strongModel}’s`
          : `judge: ${quality.toFixed(0)}% for this answer`;
  }
}

export function qualityLine(file: DemoBenchmarkFile, item: DemoItem): string {
  return `${file.weakModel}: ${qualityOf(file, item.weak, 'weak')} · ${file.strongModel}: ${qualityOf(file, item.strong, 'strong')}`;
}

/** A router that replays scores computed at build time, so recorded routers go through core's evaluateRouter too. */
function recordedRouter(name: string, prompts: readonly string[], scores: readonly number[]): RouterDefinition {
  const byPrompt = new Map(prompts.map((prompt, index) => [prompt, scores[index]!]));
  return {
    name,
    description: `${name} (scores recorded at build time)`,
    requires: [],
    create: () => ({
      name,
      score: async (batch) =>
        batch.map((prompt) => {
          const score = byPrompt.get(prompt);
          if (score === undefined)
            throw new InvalidInputError(`No recorded ${name} score for a prompt; rebuild the demo data.`);
          return score;
        }),
    }),
  };
}
