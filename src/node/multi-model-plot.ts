import type { CostQualityPoint, ModelPoint } from '../core/index.ts';

/** One router line on a quality-cost plot: its operating points and their non-decreasing convex hull. */
export interface CostCurve {
  readonly label: string;
  readonly points: readonly CostQualityPoint[];
  readonly hull: readonly CostQualityPoint[];
}

export interface CostQualityPlot {
  readonly title: string;
  readonly qualityUnit: string;
  readonly models: readonly ModelPoint[];
  readonly singleModelHull: readonly CostQualityPoint[];
  readonly routers: readonly CostCurve[];
  readonly oracle: CostQualityPoint;
}

const WIDTH = 960;
const HEIGHT = 620;
const PLOT = { left: 84, top: 64, right: 650, bottom: 540 } as const;
const LEGEND_LEFT = 676;
/** Okabe-Ito colours, as plot.ts uses for routers. */
const ROUTER_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7'];
const MODEL_COLOUR = '#555555';
const ORACLE_COLOUR = '#222222';

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Short model labels: the alias table's source prefix says nothing on a plot. */
const shortName = (model: string) => model.slice(model.lastIndexOf('/') + 1);

/**
 * Quality against cost per 1,000 requests (log scale: prices span three orders of magnitude) as a standalone SVG:
 * every single model as a labelled point, their hull dashed, each router's operating points and hull, and the oracle.
 */
export function renderCostQualityPlot(plot: CostQualityPlot): string {
  const all = [
    ...plot.models,
    plot.oracle,
    ...plot.routers.flatMap((router) => [...router.points, ...router.hull]),
  ].filter((point) => point.costPer1000Usd > 0);
  const costs = all.map((point) => point.costPer1000Usd);
  const qualities = all.map((point) => point.quality);
  const logLow = Math.floor(Math.log10(Math.min(...costs)) * 2) / 2;
  const logHigh = Math.ceil(Math.log10(Math.max(...costs)) * 2) / 2 || logLow + 0.5;
  const qLow = Math.max(0, Math.floor(Math.min(...qualities) * 20) / 20 - 0.05);
  const qHigh = Math.min(1, Math.ceil(Math.max(...qualities) * 20) / 20 + 0.05);
  const x = (cost: number) =>
    PLOT.left + ((Math.log10(Math.max(cost, 10 ** logLow)) - logLow) / (logHigh - logLow)) * (PLOT.right - PLOT.left);
  const y = (quality: number) => PLOT.bottom - ((quality - qLow) / (qHigh - qLow)) * (PLOT.bottom - PLOT.top);
  const fmt = (value: number) => value.toFixed(2);
  const line = (points: readonly CostQualityPoint[]) =>
    points.map((point) => `${fmt(x(point.costPer1000Usd))},${fmt(y(point.quality))}`).join(' ');
  const hullTail = (hull: readonly CostQualityPoint[]) => [
    ...hull,
    { costPer1000Usd: 10 ** logHigh, quality: hull[hull.length - 1]!.quality },
  ];

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
      `font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="13">`,
    `<title>${escapeXml(plot.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="34" font-size="18" font-weight="600" fill="#111">${escapeXml(plot.title)}</text>`,
  ];
  for (let power = Math.ceil(logLow); power <= Math.floor(logHigh); power++) {
    for (const factor of [1, 2, 5]) {
      const cost = factor * 10 ** power;
      if (Math.log10(cost) > logHigh) continue;
      const px = fmt(x(cost));
      parts.push(
        `<line x1="${px}" y1="${PLOT.top}" x2="${px}" y2="${PLOT.bottom}" stroke="#e6e6e6"/>`,
        `<text x="${px}" y="${PLOT.bottom + 20}" text-anchor="middle" fill="#333">$${Number(cost.toPrecision(2))}</text>`,
      );
    }
  }
  for (let tick = Math.ceil(qLow * 10) / 10; tick <= qHigh + 1e-9; tick += 0.1) {
    const py = fmt(y(tick));
    parts.push(
      `<line x1="${PLOT.left}" y1="${py}" x2="${PLOT.right}" y2="${py}" stroke="#e6e6e6"/>`,
      `<text x="${PLOT.left - 8}" y="${py}" text-anchor="end" dominant-baseline="middle" fill="#333">${tick.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#444"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 46}" text-anchor="middle" font-size="14" fill="#111">Expected cost per 1,000 requests (USD, log scale)</text>`,
    `<text transform="translate(24 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="14" fill="#111">Quality (${escapeXml(plot.qualityUnit)})</text>`,
  );

  const legend: string[] = [];
  const addLegend = (sample: string, label: string) => {
    const row = PLOT.top + 8 + legend.length * 24;
    legend.push(
      `<g transform="translate(${LEGEND_LEFT} ${row})">${sample}<text x="36" y="0" dominant-baseline="middle" fill="#111">${escapeXml(label)}</text></g>`,
    );
  };

  parts.push(
    `<polyline points="${line(hullTail(plot.singleModelHull))}" fill="none" stroke="${MODEL_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
  );
  addLegend(
    `<line x1="0" y1="0" x2="28" y2="0" stroke="${MODEL_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
    'hull of single models',
  );
  // Only the models on their hull are named: with 30 models the other labels would cover each other.
  const onHull = (model: ModelPoint) =>
    plot.singleModelHull.some(
      (point) => point.costPer1000Usd === model.costPer1000Usd && point.quality === model.quality,
    );
  for (const model of plot.models) {
    const cx = fmt(x(model.costPer1000Usd));
    const cy = fmt(y(model.quality));
    parts.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="#ffffff" stroke="${MODEL_COLOUR}" stroke-width="1.5"/>`);
    if (onHull(model)) {
      parts.push(
        `<text x="${fmt(x(model.costPer1000Usd) + 6)}" y="${fmt(y(model.quality) - 6)}" font-size="11" fill="${MODEL_COLOUR}">${escapeXml(shortName(model.model))}</text>`,
      );
    }
  }
  addLegend(
    `<circle cx="14" cy="0" r="3.5" fill="#ffffff" stroke="${MODEL_COLOUR}" stroke-width="1.5"/>`,
    `single models (${plot.models.length}; those on the hull named)`,
  );

  plot.routers.forEach((router, index) => {
    const colour = ROUTER_COLOURS[index % ROUTER_COLOURS.length]!;
    parts.push(
      `<polyline points="${line(hullTail(router.hull))}" fill="none" stroke="${colour}" stroke-width="2.5" stroke-linejoin="round"/>`,
      ...router.points.map(
        (point) =>
          `<circle cx="${fmt(x(point.costPer1000Usd))}" cy="${fmt(y(point.quality))}" r="2" fill="${colour}" fill-opacity="0.6"/>`,
      ),
    );
    addLegend(
      `<line x1="0" y1="0" x2="28" y2="0" stroke="${colour}" stroke-width="2.5"/><circle cx="14" cy="0" r="2.5" fill="${colour}"/>`,
      router.label,
    );
  });

  const ox = x(plot.oracle.costPer1000Usd);
  const oy = y(plot.oracle.quality);
  const star = `M ${fmt(ox)} ${fmt(oy - 7)} L ${fmt(ox + 7)} ${fmt(oy)} L ${fmt(ox)} ${fmt(oy + 7)} L ${fmt(ox - 7)} ${fmt(oy)} Z`;
  parts.push(`<path d="${star}" fill="${ORACLE_COLOUR}"/>`);
  addLegend(
    `<path d="M 14 -7 L 21 0 L 14 7 L 7 0 Z" fill="${ORACLE_COLOUR}"/>`,
    `oracle ${plot.oracle.quality.toFixed(3)} @ $${plot.oracle.costPer1000Usd.toFixed(3)}`,
  );

  parts.push(...legend, '</svg>');
  return `${parts.join('\n')}\n`;
}
