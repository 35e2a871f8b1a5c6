import type { QualityPoint } from '../core/index.ts';

/** A line on the plot: a router's curve, the random baseline or the oracle. */
export interface PlotSeries {
  readonly label: string;
  readonly points: readonly QualityPoint[];
  readonly kind: 'router' | 'random' | 'oracle';
}

/** A single published operating point (Martian, Unify). */
export interface PlotMarker {
  readonly label: string;
  readonly strongPercentage: number;
  readonly quality: number;
}

export interface CurvePlot {
  readonly title: string;
  /** Y-axis unit, e.g. '% correct'. */
  readonly qualityUnit: string;
  readonly weak: { readonly label: string; readonly quality: number };
  readonly strong: { readonly label: string; readonly quality: number };
  readonly series: readonly PlotSeries[];
  readonly markers?: readonly PlotMarker[];
}

const WIDTH = 960;
const HEIGHT = 620;
const PLOT = { left: 84, top: 64, right: 650, bottom: 540 } as const;
const LEGEND_LEFT = 676;
/** Colour-blind-safe (Okabe-Ito) colours for routers, in order. */
const ROUTER_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
const RANDOM_COLOUR = '#7f7f7f';
const ORACLE_COLOUR = '#222222';
const WEAK_COLOUR = '#8c6d31';
const STRONG_COLOUR = '#b2182b';
const MARKER_COLOURS = ['#6a3d9a', '#1b7837'];

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Round numbers for axis ticks: a step of 1, 2 or 5 times a power of ten giving about `target` ticks. */
function niceTicks(min: number, max: number, target = 6): number[] {
  const rough = (max - min) / target;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max + step * 1e-9; tick += step) {
    ticks.push(Number(tick.toFixed(10)));
  }
  return ticks;
}

function decimalsFor(ticks: readonly number[]): number {
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  return Math.max(0, -Math.floor(Math.log10(step)));
}

/**
 * Quality against strong-model calls as a standalone SVG: axes with units, a grid, the weak and strong models
 * as horizontal reference lines, each series with its legend entry, and published points as labelled markers.
 */
export function renderCurvePlot(plot: CurvePlot): string {
  const markers = plot.markers ?? [];
  const qualities = [
    plot.weak.quality,
    plot.strong.quality,
    ...plot.series.flatMap((series) => series.points.map((point) => point.quality)),
    ...markers.map((marker) => marker.quality),
  ];
  const low = Math.min(...qualities);
  const high = Math.max(...qualities);
  const padding = (high - low) * 0.06 || 1;
  const yTicks = niceTicks(low - padding, high + padding);
  const yMin = Math.min(yTicks[0]!, low - padding);
  const yMax = Math.max(yTicks[yTicks.length - 1]!, high + padding);
  const x = (percentage: number) => PLOT.left + (percentage / 100) * (PLOT.right - PLOT.left);
  const y = (quality: number) => PLOT.bottom - ((quality - yMin) / (yMax - yMin)) * (PLOT.bottom - PLOT.top);
  const fmt = (value: number) => value.toFixed(2);
  const yDecimals = decimalsFor(yTicks);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
      `font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="13">`,
    `<title>${escapeXml(plot.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="34" font-size="18" font-weight="600" fill="#111">${escapeXml(plot.title)}</text>`,
  );

  // Grid and ticks.
  for (let percentage = 0; percentage <= 100; percentage += 10) {
    const px = fmt(x(percentage));
    parts.push(
      `<line x1="${px}" y1="${PLOT.top}" x2="${px}" y2="${PLOT.bottom}" stroke="#e6e6e6"/>`,
      `<text x="${px}" y="${PLOT.bottom + 20}" text-anchor="middle" fill="#333">${percentage}</text>`,
    );
  }
  for (const tick of yTicks) {
    if (tick < yMin || tick > yMax) continue;
    const py = fmt(y(tick));
    parts.push(
      `<line x1="${PLOT.left}" y1="${py}" x2="${PLOT.right}" y2="${py}" stroke="#e6e6e6"/>`,
      `<text x="${PLOT.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle" fill="#333">${tick.toFixed(yDecimals)}</text>`,
    );
  }
  parts.push(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#444"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 46}" text-anchor="middle" font-size="14" fill="#111">Strong-model calls (% of prompts)</text>`,
    `<text transform="translate(24 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="14" fill="#111">Quality (${escapeXml(plot.qualityUnit)})</text>`,
  );

  // Legend entries are collected as the plot is drawn, so every mark has one.
  const legend: string[] = [];
  const addLegend = (sample: string, label: string) => {
    const row = PLOT.top + 8 + legend.length * 24;
    legend.push(
      `<g transform="translate(${LEGEND_LEFT} ${row})">${sample}<text x="36" y="0" dominant-baseline="middle" fill="#111">${escapeXml(label)}</text></g>`,
    );
  };

  // Weak and strong models as reference lines, labelled on the plot as well as in the legend.
  for (const [reference, colour, kind] of [
    [plot.weak, WEAK_COLOUR, 'weak'],
    [plot.strong, STRONG_COLOUR, 'strong'],
  ] as const) {
    const py = fmt(y(reference.quality));
    parts.push(
      `<line x1="${PLOT.left}" y1="${py}" x2="${PLOT.right}" y2="${py}" stroke="${colour}" stroke-width="1.5" stroke-dasharray="8 5"/>`,
      `<text x="${PLOT.right - 6}" y="${Number(py) + (kind === 'weak' ? 16 : -7)}" text-anchor="end" fill="${colour}">${escapeXml(`${kind}: ${reference.label} ${reference.quality.toFixed(2)}`)}</text>`,
    );
    addLegend(
      `<line x1="0" y1="0" x2="28" y2="0" stroke="${colour}" stroke-width="1.5" stroke-dasharray="8 5"/>`,
      `${kind === 'weak' ? 'Weak' : 'Strong'} model only`,
    );
  }

  let routerIndex = 0;
  for (const series of plot.series) {
    const colour =
      series.kind === 'oracle'
        ? ORACLE_COLOUR
        : series.kind === 'random'
          ? RANDOM_COLOUR
          : ROUTER_COLOURS[routerIndex++ % ROUTER_COLOURS.length]!;
    const width = series.kind === 'router' ? 2.5 : 1.8;
    const dash =
      series.kind === 'oracle' ? ' stroke-dasharray="2 4"' : series.kind === 'random' ? ' stroke-dasharray="6 4"' : '';
    const path = series.points.map((point) => `${fmt(x(point.strongPercentage))},${fmt(y(point.quality))}`).join(' ');
    parts.push(
      `<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="${width}"${dash} stroke-linejoin="round"/>`,
    );
    if (series.kind !== 'oracle') {
      const radius = series.kind === 'router' ? 3.5 : 2.5;
      for (const point of series.points) {
        parts.push(
          `<circle cx="${fmt(x(point.strongPercentage))}" cy="${fmt(y(point.quality))}" r="${radius}" fill="${colour}"/>`,
        );
      }
    }
    addLegend(
      `<line x1="0" y1="0" x2="28" y2="0" stroke="${colour}" stroke-width="${width}"${dash}/>` +
        (series.kind === 'oracle' ? '' : `<circle cx="14" cy="0" r="3.5" fill="${colour}"/>`),
      series.label,
    );
  }

  markers.forEach((marker, index) => {
    const colour = MARKER_COLOURS[index % MARKER_COLOURS.length]!;
    const cx = x(marker.strongPercentage);
    const cy = y(marker.quality);
    const shape = (centreX: number, centreY: number) =>
      index % 2 === 0
        ? `<path d="M ${fmt(centreX)} ${fmt(centreY - 7)} L ${fmt(centreX + 7)} ${fmt(centreY)} L ${fmt(centreX)} ${fmt(centreY + 7)} L ${fmt(centreX - 7)} ${fmt(centreY)} Z" fill="${colour}"/>`
        : `<rect x="${fmt(centreX - 5.5)}" y="${fmt(centreY - 5.5)}" width="11" height="11" fill="${colour}"/>`;
    parts.push(
      shape(cx, cy),
      // Above and to the right: markers sit near the reference lines, whose labels are below and right-aligned.
      `<text x="${fmt(cx + 9)}" y="${fmt(cy - 9)}" fill="${colour}" font-weight="600">${escapeXml(marker.label.split(' ')[0]!)}</text>`,
    );
    addLegend(shape(14, 0), marker.label);
  });

  parts.push(...legend, '</svg>');
  return `${parts.join('\n')}\n`;
}
