import type { RouterEvaluation } from '../core/index.ts';
import type { BenchmarkReport } from './run-eval.ts';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** Fixed decimals without a "-0.00" for values that only rounding error keeps below zero. */
const fixed = (value: number, decimals: number) =>
  (Math.round(value * 10 ** decimals) / 10 ** decimals + 0).toFixed(decimals);
const signed = (value: number) => {
  const text = fixed(value, 3);
  return text.startsWith('-') ? text : `+${text}`;
};
const percent = (value: number) => `${value.toFixed(2)}%`;

/**
 * A benchmark's results for a terminal: one row per router (APGR, its bootstrap 95% interval when measured, gain
 * over random, CPT(20/50/80%), n, weak and strong quality), the random baseline's seed spread and the oracle for
 * scale, then PGR at each point.
 */
export function formatBenchmarkReport(report: BenchmarkReport): string {
  const { benchmark, random, oracle } = report;
  const quality = (value: number) => value.toFixed(benchmark.qualityUnit === '% correct' ? 2 : 3);
  const interval = (evaluation: RouterEvaluation) =>
    evaluation.interval ? `${evaluation.interval.low.toFixed(3)}-${evaluation.interval.high.toFixed(3)}` : '';
  const rows = report.routers.map((evaluation) => [
    evaluation.router,
    evaluation.apgr.toFixed(3),
    interval(evaluation),
    signed(evaluation.apgr - random.apgr),
    percent(evaluation.cpt[20]),
    percent(evaluation.cpt[50]),
    percent(evaluation.cpt[80]),
    String(evaluation.n),
    quality(evaluation.weak),
    quality(evaluation.strong),
  ]);
  rows.push([
    '(oracle)',
    oracle.apgr.toFixed(3),
    '',
    signed(oracle.apgr - random.apgr),
    percent(oracle.cpt[20]),
    percent(oracle.cpt[50]),
    percent(oracle.cpt[80]),
    String(oracle.n),
    quality(oracle.weak),
    quality(oracle.strong),
  ]);

  const seeds = random.seedApgrs ?? [];
  const lines = [
    `${benchmark.name}: ${benchmark.items.length} prompts, quality in ${benchmark.qualityUnit}; ` +
      `weak ${benchmark.weakModel}, strong ${benchmark.strongModel}`,
    table(
      ['router', 'APGR', 'APGR 95% CI', 'vs random', 'CPT(20%)', 'CPT(50%)', 'CPT(80%)', 'n', 'weak', 'strong'],
      rows,
    ),
  ];
  if (seeds.length > 0) {
    lines.push(
      `random baseline: APGR ${random.apgr.toFixed(3)}, mean of ${seeds.length} seeds ` +
        `(min ${Math.min(...seeds).toFixed(3)}, max ${Math.max(...seeds).toFixed(3)})`,
    );
  }
  lines.push('PGR per point (strong-call %: PGR):');
  for (const evaluation of report.routers) {
    const points = evaluation.curve.map(
      (point, index) => `${point.strongPercentage.toFixed(0)}%:${fixed(evaluation.pgr[index]!, 2)}`,
    );
    lines.push(`  ${evaluation.router}  ${points.join(' ')}`);
  }
  for (const point of report.commercial) {
    lines.push(
      `${point.label}: ${quality(point.quality)} at ${point.strongPercentage.toFixed(2)}% strong calls ` +
        `(${point.strongPercentageSource === 'answers' ? 'share counted from its answers' : 'published share'}; all 80 questions)`,
    );
  }
  return lines.join('\n');
}

/**
 * One line per pair benchmark (`npm run eval -- --pairs`): its models and each router's APGR, random's, then the
 * mean over pairs. A router marked `*` there was trained on that benchmark's prompts: not a held-out result, and left
 * out of its mean.
 */
export function formatPairsSummary(
  reports: readonly BenchmarkReport[],
  trainedOn: (router: string, benchmark: string) => boolean,
): string {
  const routers = reports[0]?.routers.map((evaluation) => evaluation.router) ?? [];
  const rows = reports.map(({ benchmark, routers: evaluations, random }) => [
    benchmark.name,
    String(benchmark.items.length),
    ...evaluations.map(
      (evaluation) => `${fixed(evaluation.apgr, 3)}${trainedOn(evaluation.router, benchmark.name) ? '*' : ''}`,
    ),
    fixed(random.apgr, 3),
    `${benchmark.strongModel} vs ${benchmark.weakModel}`,
  ]);
  const meanOf = (values: readonly number[]) =>
    values.length === 0 ? 'n/a' : fixed(values.reduce((sum, value) => sum + value, 0) / values.length, 3);
  rows.push([
    'mean (held out)',
    '',
    ...routers.map((router, column) =>
      meanOf(
        reports
          .filter(({ benchmark }) => !trainedOn(router, benchmark.name))
          .map((report) => report.routers[column]!.apgr),
      ),
    ),
    meanOf(reports.map((report) => report.random.apgr)),
    '',
  ]);
  const lines = [table(['pair', 'n', ...routers, 'random', 'strong vs weak'], rows)];
  if (rows.some((row) => row.some((cell) => cell.endsWith('*'))))
    lines.push("* trained on this dataset's prompts and labels: not a held-out result, left out of the mean.");
  return lines.join('\n');
}
