import { renderCurvePlot } from './plot.ts';
import type { BenchmarkReport } from './run-eval.ts';

/**
 * The SVG plot of one benchmark's evaluation: every router, random, the oracle, the weak and strong lines, and the
 * commercial routers' points where there are some. `npm run eval` and `npm run train`'s test evaluation draw it.
 */
export function benchmarkPlot(report: BenchmarkReport): string {
  const { benchmark } = report;
  const apgr = (value: number) => `APGR ${value.toFixed(3)}`;
  return renderCurvePlot({
    title: `${benchmark.name}: quality vs strong-model calls (n = ${benchmark.items.length.toLocaleString('en-US')})`,
    qualityUnit: benchmark.qualityUnit,
    weak: { label: benchmark.weakModel, quality: report.oracle.weak },
    strong: { label: benchmark.strongModel, quality: report.oracle.strong },
    series: [
      ...report.routers
        .filter((evaluation) => evaluation.router !== report.random.router)
        .map((evaluation) => ({
          label: `${evaluation.router} (${apgr(evaluation.apgr)})`,
          points: evaluation.curve,
          kind: 'router' as const,
        })),
      {
        label: `random, ${report.random.seedApgrs?.length ?? 1} seeds (${apgr(report.random.apgr)})`,
        points: report.random.curve,
        kind: 'random',
      },
      { label: `oracle (${apgr(report.oracle.apgr)})`, points: report.oracle.curve, kind: 'oracle' },
    ],
    markers: report.commercial.map((point) => ({
      label: `${point.label} ${point.quality.toFixed(2)} @ ${point.strongPercentage.toFixed(0)}%${point.strongPercentageSource === 'published' ? ' (published %)' : ''}`,
      strongPercentage: point.strongPercentage,
      quality: point.quality,
    })),
  });
}
