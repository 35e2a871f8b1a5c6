import { LitElement, html, nothing, svg } from 'lit';
import { property, state } from 'lit/decorators.js';
import { type CurvePoint, errorMessage, InvalidInputError } from '../core/index.ts';
import {
  analyseBenchmark,
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
  type PromptFilter,
  type RouterAnalysis,
} from './benchmark-analysis.ts';
import { benchmarkExplorerStyles } from './benchmark-explorer.styles.ts';
import { CHART, renderCurveChart, strongPercentageAt } from './curve-chart.ts';
import {
  DEMO_DATA_VERSION,
  formatScoringProgress,
  type DemoBenchmarkFile,
  type DemoProgress,
  type DemoIndex,
  type DemoItem,
  type DemoRouter,
} from './demo-data.ts';
import { renderTierBadge, tierBadgeStyles } from './tier-badge.ts';

/** Prompts listed at once; more on request. */
const PAGE = 25;
/** How often the explorer looks for newly published curves while a build is still scoring (or has not published). */
export const POLL_INTERVAL_MS = 4_000;

type View = { kind: 'loading' } | { kind: 'missing'; detail: string } | { kind: 'ready'; index: DemoIndex };

/**
 * `<benchmark-explorer>`: the call-performance curves of the available routers on RouteLLM's benchmarks, with a
 * draggable threshold, the prompts at that threshold with each decision, and the models' recorded answers where
 * the data has them. It opens in plain words (part `intro`: what the curve means, why the oracle can beat the
 * strong model, a legend for every decision badge, then what the metrics are), so a page that embeds it needs no
 * text of its own; `::part(intro)` styles or hides it. Reads the files scripts/build-demo-data.ts writes
 * (`data-url`, default /demo-data/); every curve and metric comes from src/core, the code behind `npm run eval`.
 */
export class BenchmarkExplorer extends LitElement {
  static override styles = [tierBadgeStyles, benchmarkExplorerStyles];

  /** The folder holding index.json and the benchmark files. */
  @property({ attribute: 'data-url', reflect: true }) dataUrl = '/demo-data/';

  @state() private view: View = { kind: 'loading' };
  @state() private benchmarkName = '';
  @state() private analysis: Analysis | undefined;
  @state() private analysisError = '';
  @state() private routerName = '';
  /** Index into the selected router's fine curve. */
  @state() private pointIndex = 0;
  @state() private filter: PromptFilter = 'all';
  @state() private shown = PAGE;

  /** What the build is scoring now, while it is. */
  @state() private progress: DemoProgress | undefined;

  private readonly analyses = new Map<string, Promise<Analysis>>();
  private dragging = false;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadIndex();
  }

  /**
   * The chart's SVG scales with its width, its text too: on a phone the labels would shrink to 5 px. The text is
   * scaled back up by the inverse factor (a CSS variable the styles read), so it never renders below its size.
   */
  private readonly chartResize =
    typeof ResizeObserver === 'undefined'
      ? undefined
      : new ResizeObserver(([entry]) => {
          const width = entry?.contentRect.width ?? 0;
          if (width > 0) this.style.setProperty('--chart-text-scale', String(Math.max(1, CHART.width / width)));
        });
  private observedChart: Element | undefined;

  protected override updated(): void {
    const chart = this.renderRoot.querySelector('[part~="chart"] svg') ?? undefined;
    if (chart === this.observedChart) return;
    if (this.observedChart) this.chartResize?.unobserve(this.observedChart);
    if (chart) this.chartResize?.observe(chart);
    this.observedChart = chart;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.chartResize?.disconnect();
    this.observedChart = undefined;
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** Reads index.json; while routers are pending (or nothing is published yet) reads it again, and shows what changed. */
  private async loadIndex(): Promise<void> {
    this.pollTimer = undefined;
    const url = new URL('index.json', new URL(this.dataUrl, location.href));
    let index: DemoIndex;
    try {
      const response = await fetch(url, { cache: 'no-store' });
      if (!response.ok) throw new InvalidInputError(`${url.pathname} answered HTTP ${response.status}`);
      index = (await response.json()) as DemoIndex;
    } catch (error) {
      if (this.view.kind !== 'ready') this.view = { kind: 'missing', detail: errorMessage(error) };
      this.schedulePoll();
      return;
    }
    if (this.view.kind === 'ready' && this.view.index.generatedAt === index.generatedAt) {
      await this.loadProgress(index);
      return;
    }
    if (index.version !== DEMO_DATA_VERSION) {
      this.view = {
        kind: 'missing',
        detail: `the data was built by another version of this page (format ${index.version}, expected ${DEMO_DATA_VERSION})`,
      };
      return;
    }
    this.view = { kind: 'ready', index };
    // New curves were published: every benchmark is evaluated again, the one on show first.
    this.analyses.clear();
    const current = index.benchmarks.find((benchmark) => benchmark.name === this.benchmarkName) ?? index.benchmarks[0];
    if (current) void this.selectBenchmark(current.name);
    await this.loadProgress(index);
  }

  private async loadProgress(index: DemoIndex): Promise<void> {
    if (!index.routers.some((router) => router.source === 'pending')) {
      this.progress = undefined;
      return;
    }
    try {
      const response = await fetch(new URL('progress.json', new URL(this.dataUrl, location.href)), {
        cache: 'no-store',
      });
      this.progress = response.ok ? ((await response.json()) as DemoProgress) : undefined;
    } catch {
      this.progress = undefined;
    }
    this.schedulePoll();
  }

  private schedulePoll(): void {
    if (this.isConnected && this.pollTimer === undefined)
      this.pollTimer = setTimeout(() => void this.loadIndex(), POLL_INTERVAL_MS);
  }

  private async selectBenchmark(name: string): Promise<void> {
    if (this.view.kind !== 'ready') return;
    const entry = this.view.index.benchmarks.find((benchmark) => benchmark.name === name);
    if (!entry) return;
    this.benchmarkName = name;
    this.analysisError = '';
    let pending = this.analyses.get(name);
    if (!pending) {
      pending = this.analyse(new URL(entry.file, new URL(this.dataUrl, location.href)), this.view.index.routers);
      this.analyses.set(name, pending);
      pending.catch(() => this.analyses.delete(name));
    }
    this.analysis = undefined;
    let analysis: Analysis;
    try {
      analysis = await pending;
    } catch (error) {
      if (this.benchmarkName === name) this.analysisError = errorMessage(error);
      return;
    }
    if (this.benchmarkName !== name) return;
    this.analysis = analysis;
    this.routerName = routerToShow(analysis, this.routerName);
    this.pointAt(30);
    this.shown = PAGE;
  }

  /** Loads one benchmark file and evaluates every router on it. */
  private async analyse(url: URL, routers: readonly DemoRouter[]): Promise<Analysis> {
    const response = await fetch(url);
    if (!response.ok)
      throw new InvalidInputError(
        `${url.pathname} answered HTTP ${response.status}; rebuild the data with npm run build:demo-data.`,
      );
    return analyseBenchmark((await response.json()) as DemoBenchmarkFile, routers);
  }

  private get selected(): RouterAnalysis | undefined {
    return this.analysis?.routers.find((router) => router.name === this.routerName);
  }

  /** Moves the threshold to the operating point nearest a strong-call share. */
  private pointAt(strongPercentage: number): void {
    const fine = this.selected?.fine;
    if (fine) this.pointIndex = nearestPointIndex(fine, strongPercentage);
  }

  private onChartPointer(event: PointerEvent): void {
    if (event.type === 'pointerdown') {
      this.dragging = true;
      (event.currentTarget as Element).setPointerCapture(event.pointerId);
    } else if (event.type === 'pointerup' || event.type === 'pointercancel') {
      this.dragging = false;
      return;
    }
    if (!this.dragging) return;
    const chart = event.currentTarget as SVGSVGElement;
    const box = chart.getBoundingClientRect();
    this.pointAt(strongPercentageAt(((event.clientX - box.left) / box.width) * CHART.width));
  }

  private onTabKey(event: KeyboardEvent, names: string[]): void {
    const at = names.indexOf(this.benchmarkName);
    const next =
      event.key === 'ArrowRight'
        ? at + 1
        : event.key === 'ArrowLeft'
          ? at - 1
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? names.length - 1
              : undefined;
    if (next === undefined) return;
    event.preventDefault();
    const name = names[(next + names.length) % names.length]!;
    void this.selectBenchmark(name);
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`[role="tab"][data-name="${name}"]`)?.focus(),
    );
  }

  protected override render() {
    return html`${this.renderIntro()}${this.renderView()}`;
  }

  /** The explorer in plain words, before any number. */
  private renderIntro() {
    return html`<div part="intro">
      <p>
        Each router was replayed on thousands of benchmark questions whose answers from a strong model (such as GPT-4) and a cheap one (such as
        Mixtral-8x7B) are known. <strong>The curve</strong> shows, for every share of questions sent to the strong model (left: none, right: all), how
        good the answers were overall. A good router climbs quickly: most of the strong model's quality for few strong calls. A straight line is what
        random choice gets.
      </p>
      <p>
        <strong>The oracle</strong> is a router that knows the answers in advance: it sends a question to the strong model only when that helps. It can
        beat “1” (the strong model alone) because on some questions the cheap model answers better, and the oracle keeps those. No real router can know
        that, so it is a ceiling, not a target.
      </p>
      <dl class="badge-legend" aria-label="What each decision badge means">
        ${OUTCOME_LEGEND.map(
          (entry) => html`<div>
            <dt>${entry.labels.map((label, at) => html`${at > 0 ? ' / ' : ''}<span class="outcome ${entry.tone}">${label}</span>`)}</dt>
            <dd>${entry.meaning}</dd>
          </div>`,
        )}
      </dl>
      <p class="muted">
        The numbers, for those who want them: APGR is the area under the curve, scaled so that the cheap model alone is 0 and the strong model alone is 1
        (random routing scores 0.5); CPT(50%) and CPT(80%) are the share of strong calls a router needs to recover half and 80% of the gap.
      </p>
    </div>`;
  }

  private renderView() {
    if (this.view.kind === 'loading') return html`<p part="status" role="status">Loading the benchmark data…</p>`;
    if (this.view.kind === 'missing') return this.renderMissing(this.view.detail);
    const { index } = this.view;
    const names = index.benchmarks.map((benchmark) => benchmark.name);
    const unavailable = index.routers.filter((router) => router.source === 'unavailable');
    const pending = index.routers.filter((router) => router.source === 'pending');
    return html`
      <div part="tabs" role="tablist" aria-label="Benchmarks">
        ${index.benchmarks.map(
          (benchmark) => html`<button
            role="tab"
            id="tab-${benchmark.name}"
            data-name=${benchmark.name}
            aria-selected=${benchmark.name === this.benchmarkName ? 'true' : 'false'}
            aria-controls="panel"
            tabindex=${benchmark.name === this.benchmarkName ? 0 : -1}
            @click=${() => void this.selectBenchmark(benchmark.name)}
            @keydown=${(event: KeyboardEvent) => this.onTabKey(event, names)}
          >
            ${benchmark.label} <span class="count">${benchmark.n.toLocaleString('en-US')}</span>
          </button>`,
        )}
      </div>
      <div part="panel" id="panel" role="tabpanel" aria-labelledby="tab-${this.benchmarkName}">
        ${
          this.analysisError
            ? html`<p part="error" role="alert">${this.analysisError}</p>`
            : this.analysis
              ? this.renderAnalysis(this.analysis)
              : html`<p part="status" role="status">Evaluating the routers…</p>`
        }
      </div>
      <p part="footnote">
        Data: ${index.source}; built ${new Date(index.generatedAt).toLocaleString('en-US')}. Curves and metrics are computed in this page by the same code as
        <code>npm run eval</code>.
        ${pending.length > 0 ? html`<span part="pending" role="status">Still being scored by <code>npm start</code>: ${pending.map((router) => router.name).join(', ')}${this.progress ? html` (now ${this.progress.router} on ${this.progress.benchmark}: ${formatScoringProgress(this.progress)})` : nothing}. Their curves appear here when ready.</span>` : nothing}
        ${unavailable.length > 0 ? html`Not shown: ${unavailable.map((router) => html`<span title=${router.note ?? ''}>${router.name}</span>`).map((item, at) => (at === 0 ? item : html`, ${item}`))} (no trained weights or model yet).` : nothing}
      </p>
    `;
  }

  private renderMissing(detail: string) {
    return html`<div part="missing" role="status">
      <h3>The benchmark data is not built yet</h3>
      <p>
        The explorer replays RouteLLM's recorded benchmark results (MT-Bench, MMLU, GSM8K, from lm-sys/RouteLLM) and AlpacaEval's judged answers. They are
        not part of this repository: a build step reads them from the shared data folder (<code>../shared</code> beside the checkout) into
        <code>public/demo-data/</code>.
      </p>
      <pre><code>npm run build:demo-data                          # reads ../shared
npm run build:demo-data -- --data /path/to/shared  # or: ROUTELLM_DATA=/path/to/shared npm run build:demo-data</code></pre>
      <p>Then reload this page (<code>npm start</code> runs the build for you). <span class="muted">(${detail})</span></p>
    </div>`;
  }

  private renderAnalysis(analysis: Analysis) {
    const { file, benchmark } = analysis;
    const selected = this.selected;
    const point = selected?.fine[this.pointIndex];
    const series = chartSeries(analysis, this.routerName);
    const chart = svg`${renderCurveChart({
      series,
      weak: { label: `${benchmark.weakModel} only`, quality: analysis.oracle.weak },
      strong: { label: `${benchmark.strongModel} only`, quality: analysis.oracle.strong },
      qualityUnit: benchmark.qualityUnit,
      marker: point,
    })}`;

    return html`
      <p class="description">${file.description}</p>
      <div class="layout">
        <figure part="chart">
          <svg
            viewBox="0 0 ${CHART.width} ${CHART.height}"
            role="img"
            aria-label="Quality against the share of strong-model calls for each router; the marker is the selected threshold."
            @pointerdown=${this.onChartPointer}
            @pointermove=${this.onChartPointer}
            @pointerup=${this.onChartPointer}
            @pointercancel=${this.onChartPointer}
          >
            ${chart}
          </svg>
          <figcaption>
            ${series.map((entry) => html`<span class="legend ${entry.kind}"><i style="background: ${entry.color}"></i>${entry.label}</span>`)}
          </figcaption>
        </figure>
        <div class="side">
          ${this.renderRouterTable(analysis)} ${selected && point ? this.renderThreshold(analysis, selected, point) : nothing}
        </div>
      </div>
      ${selected && point ? this.renderPrompts(analysis, selected, point) : nothing}
    `;
  }

  private renderRouterTable(analysis: Analysis) {
    const rows = metricRows(analysis);
    return html`<table part="metrics">
      <caption>
        Routers on ${analysis.file.label}: APGR (area under the curve, 0.5 = random, 1 = strong quality throughout) and the strong calls needed for 50% and 80% of
        the quality gap (CPT).
      </caption>
      <thead>
        <tr>
          <th scope="col">router</th>
          <th scope="col">APGR</th>
          <th scope="col">CPT(50%)</th>
          <th scope="col">CPT(80%)</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) => html`<tr class=${row.name === this.routerName ? 'selected' : ''}>
            <th scope="row">
              ${
                row.selectable
                  ? html`<label
                    ><input
                      type="radio"
                      name="router"
                      .checked=${row.name === this.routerName}
                      @change=${() => {
                        const share = this.selected?.fine[this.pointIndex]?.strongPercentage ?? 30;
                        this.routerName = row.name;
                        this.pointAt(share);
                      }}
                    />
                    ${row.name}</label
                  >`
                  : html`<span class="muted">${row.name} (10 seeds)</span>`
              }
            </th>
            <td>${row.evaluation.apgr.toFixed(3)}</td>
            <td>${row.evaluation.cpt[50].toFixed(1)}%</td>
            <td>${row.evaluation.cpt[80].toFixed(1)}%</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  private renderThreshold(analysis: Analysis, selected: RouterAnalysis, point: CurvePoint) {
    const { benchmark } = analysis;
    const { weakQuality, strongQuality, gapRecovered, unit } = thresholdSummary(analysis, point);
    const valueText = `threshold ${point.threshold.toFixed(3)}: ${point.strongPercentage.toFixed(1)}% of prompts go to ${benchmark.strongModel}`;
    return html`<div part="threshold">
      <label for="threshold">Strong calls (right: more), by the threshold on ${selected.name}'s score</label>
      <input
        id="threshold"
        type="range"
        min="0"
        max=${selected.fine.length - 1}
        step="1"
        .value=${String(this.pointIndex)}
        aria-valuetext=${valueText}
        @input=${(event: Event) => (this.pointIndex = Number((event.target as HTMLInputElement).value))}
      />
      <p class="reading">
        <strong>${point.threshold.toFixed(3)}</strong> sends <strong>${point.strongPercentage.toFixed(1)}%</strong> of prompts to ${benchmark.strongModel}.
        Quality <strong>${point.quality.toFixed(2)}${unit}</strong> (${benchmark.weakModel} alone ${weakQuality.toFixed(2)}${unit}, ${benchmark.strongModel} alone
        ${strongQuality.toFixed(2)}${unit}): <strong>${Math.round(gapRecovered * 100)}%</strong> of the gap for ${Math.round(100 - point.strongPercentage)}% fewer strong calls.
      </p>
      <p class="hint">Drag along the chart or use the slider (arrow keys) to move the threshold.</p>
    </div>`;
  }

  private renderPrompts(analysis: Analysis, selected: RouterAnalysis, point: CurvePoint) {
    const { file } = analysis;
    const rows = promptDecisions(file, selected, point, this.filter);
    const visible = rows.slice(0, this.shown);
    return html`<section part="prompts" aria-labelledby="prompts-heading">
      <header>
        <h3 id="prompts-heading">Prompts at this threshold, highest score first</h3>
        <label
          >Show
          <select
            @change=${(event: Event) => {
              this.filter = (event.target as HTMLSelectElement).value as PromptFilter;
              this.shown = PAGE;
            }}
          >
            <option value="all" ?selected=${this.filter === 'all'}>all prompts</option>
            <option value="strong" ?selected=${this.filter === 'strong'}>sent to ${file.strongModel}</option>
            <option value="weak" ?selected=${this.filter === 'weak'}>sent to ${file.weakModel}</option>
            <option value="differ" ?selected=${this.filter === 'differ'}>where the models differ</option>
          </select>
        </label>
        <span class="muted">${rows.length.toLocaleString('en-US')} prompts${selected.name === 'random' ? ' (seed 0)' : ''}</span>
      </header>
      <ol>
        ${visible.map(({ item, score, strong }) => this.renderPrompt(file, item, score, strong))}
      </ol>
      ${
        rows.length > visible.length
          ? html`<button class="more" @click=${() => (this.shown += PAGE)}>Show ${Math.min(PAGE, rows.length - visible.length)} more of ${(rows.length - visible.length).toLocaleString('en-US')}</button>`
          : nothing
      }
    </section>`;
  }

  private renderPrompt(file: DemoBenchmarkFile, item: DemoItem, score: number, strong: boolean) {
    const outcome = outcomeOf(file, item, strong);
    return html`<li part="prompt ${strong ? 'strong' : 'weak'}">
      <details>
        <summary>
          ${renderTierBadge(strong ? 'strong' : 'weak')}
          <span class="score" title="router score">${score.toFixed(3)}</span>
          <span class="outcome ${outcome.tone}" title=${outcome.detail}>${outcome.label}</span>
          ${item.category ? html`<span class="muted">${item.category}</span>` : nothing}
          <span class="snippet">${item.prompt}</span>
        </summary>
        <div class="body">
          <p class="qualities">${qualityLine(file, item)}</p>
          <pre class="prompt-text">${item.prompt}</pre>
          ${
            item.answers
              ? html`<div class="answers">
                ${([0, 1] as const).map(
                  (side) => html`<div class="answer ${side === 1 ? 'strong' : 'weak'}">
                    <h4>${side === 1 ? file.strongModel : file.weakModel} <span class="muted">${qualityOf(file, side === 1 ? item.strong : item.weak, side === 1 ? 'strong' : 'weak')}</span></h4>
                    <pre>${item.answers![side]}</pre>
                  </div>`,
                )}
              </div>`
              : nothing
          }
        </div>
      </details>
    </li>`;
  }
}

if (!customElements.get('benchmark-explorer')) customElements.define('benchmark-explorer', BenchmarkExplorer);

declare global {
  interface HTMLElementTagNameMap {
    'benchmark-explorer': BenchmarkExplorer;
  }
}
