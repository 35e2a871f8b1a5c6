import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import {
  createClient,
  createRouter,
  RelayError,
  RouteError,
  type ChatCompletionMessageParam,
  type LoadProgress,
  type ModelRouter,
  type ModelTier,
  parseRouterModel,
  type RouteDecision,
  type RouterModel,
  type RouteLLMClient,
  type RouterInfo,
} from '../sdk/index.ts';
import type { WorkerClient } from '../worker/index.ts';
import { estimateTokens, formatDollars, summarizeCost, type MeteredCall, type ModelPrice } from './cost-meter.ts';
import { routeChatStyles } from './route-chat.styles.ts';
import { renderTierBadge, tierBadgeStyles } from './tier-badge.ts';

/** What a `route-decision` event carries: the decision, and the prompt it was made for. */
export interface RouteDecisionDetail {
  decision: RouteDecision;
  prompt: string;
}

/** What kind of failure a `route-error` event reports, for host pages that react to some and not others. */
export type RouteChatErrorKind = 'relay-unreachable' | 'no-key' | 'relay' | 'router-failed' | 'worker-crashed' | 'input';

export interface RouteErrorDetail {
  kind: RouteChatErrorKind;
  error: Error;
  message: string;
}

interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
  decision?: RouteDecision;
  /** The provider's name of the model that answered. */
  answeredBy?: string;
  streaming?: boolean;
  failed?: boolean;
}

type LoadState = { kind: 'loading'; progress: number } | { kind: 'ready'; info: RouterInfo } | { kind: 'fallback'; reason: string } | { kind: 'failed'; message: string };

/** The strong-call share when the page sets neither `threshold` nor `strong-pct`. */
const DEFAULT_STRONG_PCT = 0.5;

const ROUTER_SETTINGS = ['router', 'device', 'modelBaseUrl', 'fallback', 'strongModel', 'weakModel', 'worker'] as const;

/**
 * `<route-chat>`: a chat box that routes every prompt on the user's device and streams the answer of the chosen
 * model from the relay. Each reply shows which model answered, the router's score against the threshold and the
 * routing latency; a slider moves the threshold (or the strong-call share); a meter keeps the running cost
 * against always calling the strong model, with the relay's prices.
 *
 *   <script type="module" src="route-chat.js"></script>
 *   <route-chat relay-url="http://127.0.0.1:8787" router="mf" strong-pct="0.3"></route-chat>
 *
 * Events (bubbling, composed): `route-decision` ({ decision, prompt }) for every routed prompt, `route-error`
 * ({ kind, error, message }) for every failure. Theming: the `--route-chat-*` custom properties and the parts
 * header, status, progress, log, message, user, assistant, decision, notice, error, controls, slider, meter,
 * composer, input, send, stop.
 */
export class RouteChat extends LitElement {
  static override styles = [tierBadgeStyles, routeChatStyles];

  /** Where `models/`, `routers/` and `ort/` are served when `model-base-url` is not set. The one-file build points it at its own folder. */
  static defaultModelBaseUrl = '/';

  /** The relay's URL, e.g. `http://127.0.0.1:8787`. */
  @property({ attribute: 'relay-url', reflect: true }) relayUrl = '';
  /** A router name or a model string (`router-mf-0.1159`). */
  @property({ reflect: true }) router = 'length';
  /** Route by a fixed threshold (0-1). When neither this nor `strong-pct` is set, the strong-call share is 0.5. */
  @property({ type: Number, reflect: true }) threshold: number | undefined;
  /** Route by a target share of strong calls (0-1). */
  @property({ attribute: 'strong-pct', type: Number, reflect: true }) strongPct: number | undefined;
  /** The relay alias a strong decision calls. */
  @property({ attribute: 'strong-model', reflect: true }) strongModel = 'strong';
  /** The relay alias a weak decision calls. */
  @property({ attribute: 'weak-model', reflect: true }) weakModel = 'weak';
  @property({ reflect: true }) device: 'auto' | 'wasm' | 'webgpu' = 'auto';
  /** Where `models/`, `routers/` and `ort/` are served (default: RouteChat.defaultModelBaseUrl). */
  @property({ attribute: 'model-base-url', reflect: true }) modelBaseUrl = '';
  /** Who answers when the router cannot load. */
  @property({ reflect: true }) fallback: ModelTier | 'error' = 'strong';
  @property({ reflect: true }) heading = 'Routed chat';
  /** The router worker to use (default: the page's shared one). */
  @property({ attribute: false }) worker: WorkerClient | undefined;

  @state() private turns: ChatTurn[] = [];
  @state() private load: LoadState = { kind: 'loading', progress: 0 };
  @state() private error: RouteErrorDetail | undefined;
  @state() private prices: Partial<Record<ModelTier, ModelPrice>> = {};
  @state() private pricesNote = '';
  @state() private calls: MeteredCall[] = [];
  @state() private busy = false;
  @state() private draft = '';

  @query('textarea') private input!: HTMLTextAreaElement;
  @query('[part~="log"]') private log!: HTMLElement;

  private modelRouter: ModelRouter | undefined;
  private client: RouteLLMClient | undefined;
  private inFlight: AbortController | undefined;
  private readonly ids = `route-chat-${Math.random().toString(36).slice(2, 8)}`;

  /** Sends a prompt as if typed (for host pages and tests); resolves when the answer is complete or failed. */
  async send(prompt: string): Promise<void> {
    if (this.busy) return;
    const text = prompt.trim();
    if (text === '') return;
    this.error = undefined;
    this.draft = '';
    const history: ChatCompletionMessageParam[] = [...this.turns.filter((turn) => !turn.failed).map(({ role, content }) => ({ role, content })), { role: 'user', content: text }];
    this.turns = [...this.turns, { role: 'user', content: text }];
    this.busy = true;
    const controller = new AbortController();
    this.inFlight = controller;
    let answer: ChatTurn | undefined;
    try {
      const decision = await this.ensureRouter().route(history, { signal: controller.signal });
      this.dispatchEvent(new CustomEvent<RouteDecisionDetail>('route-decision', { detail: { decision, prompt: text }, bubbles: true, composed: true }));
      answer = { role: 'assistant', content: '', decision, streaming: true };
      this.turns = [...this.turns, answer];
      const stream = await this.ensureClient().chat.completions.create(
        { model: decision.model, messages: history, stream: true, stream_options: { include_usage: true } },
        { signal: controller.signal },
      );
      let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta.content ?? '';
        answer = { ...answer, content: answer.content + delta, answeredBy: chunk.model || answer.answeredBy };
        this.replaceLast(answer);
        if (chunk.usage) usage = chunk.usage;
      }
      answer = { ...answer, streaming: false };
      this.replaceLast(answer);
      this.calls = [
        ...this.calls,
        {
          tier: decision.tier,
          inputTokens: usage?.prompt_tokens ?? estimateTokens(history.map((message) => String(message.content ?? '')).join('\n')),
          outputTokens: usage?.completion_tokens ?? estimateTokens(answer.content),
          measured: usage !== undefined,
        },
      ];
      // The relay may have been down when the element loaded: now that it answered, its prices can be read.
      if (this.pricesNote) void this.loadPrices();
    } catch (error) {
      if (answer) this.replaceLast({ ...answer, streaming: false, failed: answer.content === '' });
      if (!(error instanceof RouteError && error.code === 'aborted')) this.reportError(error);
    } finally {
      this.busy = false;
      this.inFlight = undefined;
    }
  }

  /** Stops the answer being streamed. */
  stop(): void {
    this.inFlight?.abort();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the DOM: the router was released when the element left, and no property changed since.
    if (this.hasUpdated) this.ensureRouter();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.inFlight?.abort();
    void this.modelRouter?.dispose();
    this.modelRouter = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A model string names the threshold too: the slider then moves that threshold.
    const fromModelString = changed.has('router') ? parseRouterModelQuietly(this.router) : undefined;
    if (fromModelString) {
      this.threshold = fromModelString.threshold;
      this.strongPct = undefined;
    }
    if (ROUTER_SETTINGS.some((name) => changed.has(name)) && this.isConnected) {
      void this.modelRouter?.dispose();
      this.modelRouter = undefined;
      this.ensureRouter();
    } else if (this.modelRouter && (changed.has('threshold') || changed.has('strongPct'))) {
      this.applyPolicy(this.modelRouter);
    }
    if (changed.has('relayUrl') || changed.has('strongModel') || changed.has('weakModel')) {
      this.client = undefined;
      void this.loadPrices();
    }
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('turns') && this.log) this.log.scrollTop = this.log.scrollHeight;
  }

  private ensureRouter(): ModelRouter {
    if (this.modelRouter) return this.modelRouter;
    this.load = { kind: 'loading', progress: 0 };
    let router: ModelRouter;
    try {
      router = createRouter({
        router: parseRouterModelQuietly(this.router)?.router ?? this.router,
        ...(this.threshold !== undefined ? { threshold: this.threshold } : { strongPct: this.strongPct ?? DEFAULT_STRONG_PCT }),
        strongModel: this.strongModel,
        weakModel: this.weakModel,
        device: this.device,
        modelBaseUrl: this.modelBaseUrl || RouteChat.defaultModelBaseUrl,
        fallback: this.fallback,
        ...(this.worker && { worker: this.worker }),
        onProgress: (event: LoadProgress) => {
          if (this.modelRouter === router && this.load.kind === 'loading') this.load = { kind: 'loading', progress: event.progress };
        },
      });
    } catch (error) {
      this.load = { kind: 'failed', message: (error as Error).message };
      this.reportError(error);
      throw error;
    }
    this.modelRouter = router;
    router.ready.then(
      (status) => {
        if (this.modelRouter !== router) return;
        if (status.state === 'ready') {
          this.load = { kind: 'ready', info: status.info };
        } else {
          const reason = `Router '${router.name}' could not load (${status.error.message.replace(/\.$/, '')}). The ${this.fallback} model answers every prompt.`;
          this.load = { kind: 'fallback', reason };
          this.emitError('router-failed', status.error, reason);
        }
      },
      (error: unknown) => {
        if (this.modelRouter !== router) return;
        this.load = { kind: 'failed', message: (error as Error).message };
        this.reportError(error);
      },
    );
    return router;
  }

  private applyPolicy(router: ModelRouter): void {
    if (this.threshold !== undefined) router.setThreshold(this.threshold);
    else if (this.strongPct !== undefined) router.setStrongPct(this.strongPct);
  }

  private ensureClient(): RouteLLMClient {
    if (!this.relayUrl) throw new RelayError('Set the relay-url attribute to the relay that answers (e.g. http://127.0.0.1:8787).', 0);
    this.client ??= createClient({ relayUrl: this.relayUrl });
    return this.client;
  }

  private async loadPrices(): Promise<void> {
    this.prices = {};
    this.pricesNote = '';
    if (!this.relayUrl) return;
    let models;
    try {
      models = await this.ensureClient().models.list();
    } catch (error) {
      this.pricesNote = 'prices unknown: the relay did not answer';
      this.reportError(error);
      return;
    }
    const priceOf = (alias: string) => models.find((model) => model.id === alias)?.pricing;
    const strong = priceOf(this.strongModel);
    const weak = priceOf(this.weakModel);
    this.prices = { ...(strong && { strong }), ...(weak && { weak }) };
    if (!strong || !weak) {
      const missing = [!strong && this.strongModel, !weak && this.weakModel].filter(Boolean).join(' and ');
      this.pricesNote = `prices unknown: the relay does not list ${missing}`;
    }
  }

  private replaceLast(turn: ChatTurn): void {
    this.turns = [...this.turns.slice(0, -1), turn];
  }

  private reportError(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    if (failure instanceof RelayError) {
      if (failure.code === 'relay_unreachable') {
        this.emitError('relay-unreachable', failure, `${failure.message.replace(/ Is it running\?.*$/, '')} Is it running? Start it with npm run relay (or npm start).`);
      } else if (failure.relayCode === 'model_unavailable') {
        this.emitError('no-key', failure, `No provider key: ${failure.message}`);
      } else this.emitError('relay', failure, failure.message);
    } else if (failure instanceof RouteError && failure.code === 'worker_crashed') {
      this.emitError('worker-crashed', failure, `${failure.message}`);
    } else if (failure instanceof RouteError && failure.code === 'invalid_input') {
      this.emitError('input', failure, failure.message);
    } else {
      this.emitError('router-failed', failure, failure.message);
    }
  }

  private emitError(kind: RouteChatErrorKind, error: Error, message: string): void {
    const detail: RouteErrorDetail = { kind, error, message };
    if (kind !== 'router-failed' || this.load.kind !== 'fallback') this.error = detail;
    this.dispatchEvent(new CustomEvent<RouteErrorDetail>('route-error', { detail, bubbles: true, composed: true }));
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void this.send(this.draft);
    } else if (event.key === 'Escape' && this.busy) {
      event.preventDefault();
      this.stop();
    }
  }

  private onSlider(event: Event): void {
    const value = Number((event.target as HTMLInputElement).value);
    if (this.threshold !== undefined) this.threshold = value;
    else this.strongPct = value / 100;
  }

  protected override render() {
    return html`
      <section part="container" aria-labelledby="${this.ids}-heading">
        <header part="header">
          <h2 id="${this.ids}-heading">${this.heading}</h2>
          ${this.renderStatus()}
        </header>
        ${this.load.kind === 'loading'
          ? html`<div part="progress" role="progressbar" aria-label="Loading the router" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.round(this.load.progress * 100)}>
              <span style="width: ${(this.load.progress * 100).toFixed(1)}%"></span>
            </div>`
          : nothing}
        ${this.load.kind === 'fallback' ? html`<p part="notice" role="status">${this.load.reason}</p>` : nothing}
        <div part="log" role="log" aria-live="polite" aria-relevant="additions" tabindex="0" aria-label="Conversation">
          ${this.turns.length === 0
            ? html`<p class="empty">Ask anything. The router decides on this device which model answers; each reply says why.</p>`
            : this.turns.map((turn) => this.renderTurn(turn))}
        </div>
        ${this.error ? html`<p part="error" role="alert">${this.error.message}</p>` : nothing}
        <div part="controls">${this.renderSlider()} ${this.renderMeter()}</div>
        <form part="composer" @submit=${(event: Event) => (event.preventDefault(), void this.send(this.draft))}>
          <label class="visually-hidden" for="${this.ids}-input">Message</label>
          <textarea
            id="${this.ids}-input"
            part="input"
            rows="2"
            placeholder="Type a message. Enter sends, Shift+Enter adds a line."
            .value=${this.draft}
            @input=${(event: Event) => (this.draft = (event.target as HTMLTextAreaElement).value)}
            @keydown=${this.onKeyDown}
          ></textarea>
          ${this.busy
            ? html`<button part="stop" type="button" @click=${() => this.stop()}>Stop</button>`
            : html`<button part="send" type="submit" ?disabled=${this.draft.trim() === ''}>Send</button>`}
        </form>
      </section>
    `;
  }

  private renderStatus() {
    const load = this.load;
    const text =
      load.kind === 'loading'
        ? load.progress >= 1
          ? `Starting router ${this.router} (compiling its model)…`
          : `Loading router ${this.router}…`
        : load.kind === 'ready'
          ? `${load.info.router} router on ${load.info.device === 'cpu' ? 'the CPU (no model)' : load.info.device.toUpperCase()}`
          : load.kind === 'fallback'
            ? `Fallback: ${this.fallback} model`
            : 'Router unavailable';
    const title = load.kind === 'ready' ? load.info.deviceReason : '';
    return html`<p part="status" role="status" title=${title}>${text}</p>`;
  }

  private renderTurn(turn: ChatTurn) {
    if (turn.role === 'user') return html`<div part="message user"><p>${turn.content}</p></div>`;
    return html`<div part="message assistant ${turn.decision?.tier ?? ''}" aria-busy=${turn.streaming ? 'true' : 'false'}>
      ${turn.decision ? this.renderDecision(turn.decision, turn.answeredBy) : nothing}
      <p>${turn.content}${turn.streaming ? html`<span class="cursor" aria-hidden="true"></span>` : nothing}</p>
      ${turn.failed ? html`<p class="failed">No answer.</p>` : nothing}
    </div>`;
  }

  private renderDecision(decision: RouteDecision, answeredBy: string | undefined) {
    const model = answeredBy ? html`<strong>${answeredBy}</strong> (${decision.model})` : html`<strong>${decision.model}</strong>`;
    const why =
      decision.fallback || decision.score === null || decision.threshold === null
        ? html`fallback: the router could not load`
        : html`score ${decision.score.toFixed(3)} ${decision.score >= decision.threshold ? '≥' : '<'} threshold ${decision.threshold.toFixed(3)}${decision.calibration === 'adaptive' ? ' (adaptive)' : ''}`;
    const latency = decision.fallback ? '' : ` · routed in ${formatMs(decision.latencyMs)}`;
    return html`<p part="decision">
      ${renderTierBadge(decision.tier)} ${model} · ${why}${latency}${decision.truncated ? ' · prompt truncated for scoring' : ''}
    </p>`;
  }

  private renderSlider() {
    const byThreshold = this.threshold !== undefined;
    const value = byThreshold ? this.threshold! : Math.round((this.strongPct ?? DEFAULT_STRONG_PCT) * 100);
    const label = byThreshold ? 'Threshold' : 'Target strong share';
    const shown = byThreshold ? value.toFixed(2) : `${value}%`;
    const valueText = byThreshold ? `${shown}: prompts scoring at least this go to the strong model` : `${shown} of prompts go to the strong model`;
    return html`<label part="slider">
      <span>${label} <output>${shown}</output></span>
      <input
        type="range"
        min="0"
        max=${byThreshold ? 1 : 100}
        step=${byThreshold ? 0.01 : 1}
        .value=${String(value)}
        aria-valuetext=${valueText}
        @input=${this.onSlider}
      />
    </label>`;
  }

  private renderMeter() {
    const cost = summarizeCost(this.calls, this.prices);
    const share = `${Math.round(cost.strongShare * 100)}%`;
    const estimated = cost.measured ? '' : ' (estimated tokens)';
    let spend: unknown = html`<span class="muted">${this.pricesNote || 'no calls yet'}</span>`;
    if (cost.calls > 0 && cost.spend !== undefined && cost.alwaysStrongSpend !== undefined) {
      const saved = cost.alwaysStrongSpend > 0 ? 1 - cost.spend / cost.alwaysStrongSpend : 0;
      spend = html`<span>${formatDollars(cost.spend)} vs ${formatDollars(cost.alwaysStrongSpend)} always-strong${estimated}</span>
        ${saved > 0 ? html`<span class="saved">${Math.round(saved * 100)}% saved</span>` : html`<span class="muted">no saving</span>`}`;
    } else if (cost.calls > 0 && this.pricesNote) spend = html`<span class="muted">${this.pricesNote}</span>`;
    return html`<p part="meter" aria-label="Cost meter">
      <span>Sent strong: ${cost.strongCalls} of ${cost.calls} (${share})</span> ${spend}
    </p>`;
  }
}

/** The router model string's parts, or undefined for a plain name or a malformed string (which createRouter reports). */
function parseRouterModelQuietly(router: string): RouterModel | undefined {
  try {
    return parseRouterModel(router);
  } catch {
    return undefined;
  }
}

function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

if (!customElements.get('route-chat')) customElements.define('route-chat', RouteChat);

declare global {
  interface HTMLElementTagNameMap {
    'route-chat': RouteChat;
  }
  interface HTMLElementEventMap {
    'route-decision': CustomEvent<RouteDecisionDetail>;
    'route-error': CustomEvent<RouteErrorDetail>;
  }
}
