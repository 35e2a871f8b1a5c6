import { svg, type SVGTemplateResult } from 'lit';
import type { QualityPoint } from '../core/index.ts';

/** One line of the chart. */
export interface ChartSeries {
  label: string;
  points: readonly QualityPoint[];
  /** 'selected' is drawn bold on top; 'router' plain; 'random' and 'oracle' as references. */
  kind: 'selected' | 'router' | 'random' | 'oracle';
  color: string;
}

export interface ChartModel {
  series: readonly ChartSeries[];
  weak: { label: string; quality: number };
  strong: { label: string; quality: number };
  qualityUnit: string;
  /** The operating point the threshold selects, on the selected series. */
  marker: QualityPoint | undefined;
}

/** The drawing area inside the SVG's viewBox; the rest holds the axes' labels. */
export const CHART = { width: 640, height: 340, left: 56, right: 16, top: 16, bottom: 44 } as const;

const plotWidth = CHART.width - CHART.left - CHART.right;
const plotHeight = CHART.height - CHART.top - CHART.bottom;

/** Strong-call percentage under an x position in viewBox units (clamped to 0-100). */
export function strongPercentageAt(viewBoxX: number): number {
  return Math.min(100, Math.max(0, ((viewBoxX - CHART.left) / plotWidth) * 100));
}

/** The quality axis: both models' qualities and every curve, with a little room, on round ticks. */
function qualityAxis(model: ChartModel): { min: number; max: number; ticks: number[] } {
  const values = [
    model.weak.quality,
    model.strong.quality,
    ...model.series.flatMap((series) => series.points.map((point) => point.quality)),
  ];
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high - low || 1;
  const step = niceStep(span / 5);
  const min = Math.floor((low - span * 0.05) / step) * step;
  const max = Math.ceil((high + span * 0.05) / step) * step;
  const ticks: number[] = [];
  for (let tick = min; tick <= max + step / 2; tick += step) ticks.push(Number(tick.toFixed(10)));
  return { min, max, ticks };
}

function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** The call-performance chart: quality against the share of strong calls, as in the RouteLLM paper's figures. */
export function renderCurveChart(model: ChartModel): SVGTemplateResult {
  const axis = qualityAxis(model);
  const x = (strongPercentage: number) => CHART.left + (strongPercentage / 100) * plotWidth;
  const y = (quality: number) => CHART.top + (1 - (quality - axis.min) / (axis.max - axis.min)) * plotHeight;
  const path = (points: readonly QualityPoint[]) =>
    points
      .map(
        (point, index) =>
          `${index === 0 ? 'M' : 'L'}${x(point.strongPercentage).toFixed(1)},${y(point.quality).toFixed(1)}`,
      )
      .join(' ');
  const ordered = [...model.series].sort((a, b) => Number(a.kind === 'selected') - Number(b.kind === 'selected'));
  const decimals = axis.max - axis.min < 5 ? 1 : 0;

  return svg`
    <g class="grid">
      ${axis.ticks.map(
        (tick) => svg`<line x1=${CHART.left} x2=${CHART.width - CHART.right} y1=${y(tick)} y2=${y(tick)}></line>
        <text class="tick" x=${CHART.left - 8} y=${y(tick) + 4} text-anchor="end">${tick.toFixed(decimals)}</text>`,
      )}
      ${[0, 20, 40, 60, 80, 100].map((tick) => svg`<text class="tick" x=${x(tick)} y=${CHART.height - CHART.bottom + 18} text-anchor="middle">${tick}%</text>`)}
    </g>
    <text class="axis-label" x=${CHART.left + plotWidth / 2} y=${CHART.height - 6} text-anchor="middle">calls to the strong model</text>
    <text class="axis-label" transform="translate(14 ${CHART.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${model.qualityUnit}</text>
    ${[
      { ...model.weak, className: 'weak-line' },
      { ...model.strong, className: 'strong-line' },
    ].map(
      (
        reference,
      ) => svg`<line class=${reference.className} x1=${CHART.left} x2=${CHART.width - CHART.right} y1=${y(reference.quality)} y2=${y(reference.quality)}></line>
        <text class="reference" x=${CHART.width - CHART.right - 4} y=${y(reference.quality) - 5} text-anchor="end">${reference.label}</text>`,
    )}
    ${ordered.map(
      (series) =>
        svg`<path class="series ${series.kind}" d=${path(series.points)} stroke=${series.color}><title>${series.label}</title></path>`,
    )}
    ${
      model.marker
        ? svg`<g class="marker">
          <line x1=${x(model.marker.strongPercentage)} x2=${x(model.marker.strongPercentage)} y1=${CHART.top} y2=${CHART.height - CHART.bottom}></line>
          <circle cx=${x(model.marker.strongPercentage)} cy=${y(model.marker.quality)} r="6"></circle>
        </g>`
        : ''
    }
  `;
}
