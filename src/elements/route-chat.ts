import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import {
  DEFAULT_MODEL_ROUTER,
  DEFAULT_ROUTER,
  type ModelDecision,
  type ModelTier,
  type RouteDecision,
} from '../sdk/index.ts';
import type { WorkerClient } from '../worker/index.ts';
import {
  ChatSession,
  DEFAULT_STRONG_PCT,
  parseRouterModelQuietly,
  type ChatTurn,
  type RouteDecisionDetail,
  type RouteErrorDetail,
} from './chat-session.ts';
import { type ChatModel, DEFAULT_COST_WEIGHT } from './chat-models.ts';
import { formatDollars, summarizeCost, summarizeModelCost } from './cost-meter.ts';
import { renderMarkdown } from './markdown.ts';
import { routeChatStyles } from './route-chat.styles.ts';
import { renderTierBadge, tierBadgeStyles } from './tier-badge.ts';

/**
 * `<route-chat>`: a chat box that routes every prompt on the user's device and streams the answer of the chosen
 * model from the relay. Each reply shows which model answered, the router's score against the threshold and the
 * routing latency; a slider moves the threshold (or the strong-call share); a meter keeps the running cost
 * against always calling the strong model, with the relay's prices. Given a `models` list (N-model mode), each prompt
 * chooses among those models by predicted quality and expected cost (the model router, a costWeight policy), each
 * reply names the model and why, and the meter compares with always calling the best-predicted and the priciest model.
 *
 *   <script type="module" src="route-chat.js"></script>
 *   <route-chat relay-url="http://127.0.0.1:8787" router="mf" strong-pct="0.3"></route-chat>
 *
 * Events (bubbling, composed): `route-decision` ({ decision, prompt }) for every routed prompt, `route-error`
 * ({ kind, error, message }) for every failure. Theming: the `--route-chat-*` custom properties and the parts
 * header, status, progress, log, message, user, assistant, decision, notice, error, controls, slider, meter,
 * composer, input, send, stop, copy, routing, why, ended, expand. Answers render as sanitised markdown (markdown.ts).
 */
export class RouteChat extends LitElement {
  static override styles = [tierBadgeStyles, routeChatStyles];

  /** Where `models/`, `routers/` and `ort/` are served when `model-base-url` is not set. The one-file build points it at its own folder. */
  static defaultModelBaseUrl = '/';

  /** The relay's URL, e.g. `http://127.0.0.1:8787`. */
  @property({ attribute: 'relay-url', reflect: true }) relayUrl = '';
  /** A router name or a model string (`router-mf-0.1159`). */
  @property({ reflect: true }) router = DEFAULT_ROUTER;
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
  /** The router's weights folder, e.g. one `npm run train` wrote (default: `<model-base-url>routers/<router>/`). */
  @property({ attribute: 'weights-url', reflect: true }) weightsUrl = '';
  /** Who answers when the router cannot load. */
  @property({ reflect: true }) fallback: ModelTier | 'error' = 'strong';
  @property({ reflect: true }) heading = 'Routed chat';
  /** Lets the router download its model from the Hugging Face Hub (the causal-llm router's, several hundred MB). */
  @property({ attribute: 'allow-remote-models', type: Boolean, reflect: true }) allowRemoteModels = false;
  /**
   * N-model mode: the models each prompt chooses among, `[{ name, inputPrice, outputPrice, like?, relayModel? }]`
   * (prices in USD per 1M tokens; `relayModel` is the relay alias that serves it, default `name`). As an attribute,
   * the same list in JSON. Unset: the two-model mode (strong-model / weak-model).
   */
  @property({
    reflect: false,
    converter: {
      // Bad JSON is kept as text for the session to report as an input error, in the chat.
      fromAttribute: (value: string | null) => (value === null || value.trim() === '' ? undefined : value),
    },
  })
  models: readonly ChatModel[] | string | undefined;
  /** N-model mode: lambda of the policy quality - lambda x expected cost (USD per request); default 20. */
  @property({ attribute: 'cost-weight', type: Number, reflect: true }) costWeight: number | undefined;
  /** The router worker to use (default: the page's shared one). */
  @property({ attribute: false }) worker: WorkerClient | undefined;

  @state() private draft = '';

  @query('[part~="log"]') private log!: HTMLElement;

  private readonly session = new ChatSession(this, {
    settings: () => ({
      relayUrl: this.relayUrl,
      router: this.router,
      threshold: this.threshold,
      strongPct: this.strongPct,
      strongModel: this.strongModel,
      weakModel: this.weakModel,
      device: this.device,
      modelBaseUrl: this.modelBaseUrl || RouteChat.defaultModelBaseUrl,
      weightsUrl: this.weightsUrl,
      fallback: this.fallback,
      allowRemoteModels: this.allowRemoteModels,
      worker: this.worker,
      models: this.models,
      costWeight: this.costWeight,
    }),
    onDecision: (detail) =>
      this.dispatchEvent(
        new CustomEvent<RouteDecisionDetail>('route-decision', { detail, bubbles: true, composed: true }),
      ),
    onError: (detail) =>
      this.dispatchEvent(new CustomEvent<RouteErrorDetail>('route-error', { detail, bubbles: true, composed: true })),
  });
  /** The turns the log was last scrolled for: they live in the session, so `changed` cannot tell when they moved. */
  private scrolledTurns: readonly ChatTurn[] = [];
  private readonly ids = `route-chat-${Math.random().toString(36).slice(2, 8)}`;
  /** Each answer's rendered markdown, kept while its turn is unchanged (a streamed chunk makes a new turn). */
  private readonly rendered = new WeakMap<ChatTurn, HTMLElement>();
  /** Long user messages the user opened. */
  private readonly expanded = new WeakSet<ChatTurn>();

  /** Sends a prompt as if typed (for host pages and tests); resolves when the answer is complete or failed. */
  async send(prompt: string): Promise<void> {
    if (!this.session.canSend(prompt)) return;
    this.draft = '';
    await this.session.send(prompt);
  }

  /** Stops the answer being streamed. */
  stop(): void {
    this.session.stop();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A model string names the threshold too: the slider then moves that threshold.
    const fromModelString = changed.has('router') ? parseRouterModelQuietly(this.router) : undefined;
    if (fromModelString) {
      this.threshold = fromModelString.threshold;
      this.strongPct = undefined;
    }
    this.session.applySettings(changed);
  }

  protected override updated(): void {
    if (this.session.state.turns !== this.scrolledTurns && this.log) this.log.scrollTop = this.log.scrollHeight;
    this.scrolledTurns = this.session.state.turns;
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void this.send(this.draft);
    } else if (event.key === 'Escape' && this.session.state.busy) {
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
    const { load, turns, error, busy } = this.session.state;
    return html`
      <section part="container" aria-labelledby="${this.ids}-heading">
        <header part="header">
          <h2 id="${this.ids}-heading">${this.heading}</h2>
          ${this.renderStatus()}
        </header>
        ${
          load.kind === 'loading'
            ? html`<div part="progress" role="progressbar" aria-label="Loading the router" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${Math.round(load.progress * 100)}>
              <span style="width: ${(load.progress * 100).toFixed(1)}%"></span>
            </div>`
            : nothing
        }
        ${load.kind === 'fallback' ? html`<p part="notice" role="status">${load.reason}</p>` : nothing}
        <div part="log" role="log" aria-live="polite" aria-relevant="additions" tabindex="0" aria-label="Conversation">
          ${
            turns.length === 0
              ? html`<p class="empty">Ask anything. The router decides on this device which model answers; each reply says why.</p>`
              : turns.map((turn) => this.renderTurn(turn))
          }
          ${
            this.session.state.routing
              ? html`<p part="routing" role="status"><span class="spinner" aria-hidden="true"></span>Routing on your device…</p>`
              : nothing
          }
        </div>
        ${error ? html`<p part="error" role="alert">${error.message}</p>` : nothing}
        <div part="controls">${this.session.state.models ? this.renderPolicy() : this.renderSlider()} ${this.renderMeter()}</div>
        <form part="composer" @submit=${(event: Event) => {
          event.preventDefault();
          void this.send(this.draft);
        }}
        >
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
          ${
            busy
              ? html`<button part="stop" type="button" @click=${() => this.stop()}>Stop</button>`
              : html`<button part="send" type="submit" ?disabled=${this.draft.trim() === ''}>Send</button>`
          }
        </form>
      </section>
    `;
  }

  private renderStatus() {
    const { load, models } = this.session.state;
    // The N-model mode's router: irt unless the page named another (as ChatSession chooses it).
    const router = models && this.router === DEFAULT_ROUTER ? DEFAULT_MODEL_ROUTER : this.router;
    const text =
      load.kind === 'loading'
        ? load.progress >= 1
          ? `Starting router ${router} (compiling its model)…`
          : `Loading router ${router}…`
        : load.kind === 'ready'
          ? `${load.info.router} router on ${load.info.device === 'cpu' ? 'the CPU (no model)' : load.info.device.toUpperCase()}`
          : load.kind === 'fallback'
            ? `Fallback: ${this.fallback} model`
            : 'Router unavailable';
    const title = load.kind === 'ready' ? load.info.deviceReason : '';
    return html`<p part="status" role="status" title=${title}>${text}</p>`;
  }

  private renderTurn(turn: ChatTurn) {
    if (turn.role === 'user') {
      const long = turn.content.length > LONG_MESSAGE_CHARS || turn.content.split('\n').length > LONG_MESSAGE_LINES;
      const collapsed = long && !this.expanded.has(turn);
      return html`<div part="message user">
        <p class=${collapsed ? 'collapsed' : ''}>${turn.content}</p>
        ${
          long
            ? html`<button type="button" part="expand" class="link" aria-expanded=${collapsed ? 'false' : 'true'} @click=${() => this.toggleExpanded(turn)}>
              ${collapsed ? `Show all ${turn.content.length.toLocaleString('en-US')} characters` : 'Show less'}
            </button>`
            : nothing
        }
      </div>`;
    }
    return html`<div part="message assistant ${turn.decision?.tier ?? ''}" aria-busy=${turn.streaming ? 'true' : 'false'}>
      ${turn.decision ? this.renderDecision(turn.decision, turn.answeredBy, turn.why) : nothing}
      ${turn.choice ? this.renderChoice(turn.choice, turn.relayModel, turn.answeredBy) : nothing}
      ${this.renderAnswer(turn)}${turn.streaming ? html`<span class="cursor" aria-hidden="true"></span>` : nothing}
      ${turn.failed ? html`<p class="failed">No answer.</p>` : nothing}
      ${turn.ended === 'stopped' ? html`<p class="ended" part="ended">Stopped: counted in the meter as far as it got.</p>` : nothing}
      ${turn.ended === 'cut-off' ? html`<p class="ended" part="ended">Cut off: the answer broke off; counted in the meter as far as it got.</p>` : nothing}
    </div>`;
  }

  private renderAnswer(turn: ChatTurn): HTMLElement {
    let element = this.rendered.get(turn);
    if (!element) {
      element = renderMarkdown(turn.content);
      this.rendered.set(turn, element);
    }
    return element;
  }

  private toggleExpanded(turn: ChatTurn): void {
    if (this.expanded.has(turn)) this.expanded.delete(turn);
    else this.expanded.add(turn);
    this.requestUpdate();
  }

  private renderDecision(decision: RouteDecision, answeredBy: string | undefined, explanation: string | undefined) {
    const model = answeredBy
      ? html`<strong>${answeredBy}</strong> (${decision.model})`
      : html`<strong>${decision.model}</strong>`;
    const why =
      decision.fallback || decision.score === null || decision.threshold === null
        ? html`fallback: the router could not load`
        : html`score ${decision.score.toFixed(3)} ${decision.score >= decision.threshold ? '≥' : '<'} threshold ${decision.threshold.toFixed(3)}${CALIBRATION_NOTES[decision.calibration] ?? ''}`;
    const latency = decision.fallback ? '' : ` · routed in ${formatMs(decision.latencyMs)}`;
    return html`<p part="decision">
      ${renderTierBadge(decision.tier)} ${model} · ${why}${latency}${decision.truncated ? ' · prompt truncated for scoring' : ''}
    </p>
    ${explanation ? html`<p part="why">${explanation}</p>` : nothing}`;
  }

  /** N-model mode: which of the page's models answered, its predicted quality and expected cost, and why. */
  private renderChoice(choice: ModelDecision, relayModel: string | undefined, answeredBy: string | undefined) {
    const via =
      relayModel && relayModel !== choice.model ? ` via ${relayModel}${answeredBy ? ` (${answeredBy})` : ''}` : '';
    const served = !via && answeredBy && answeredBy !== choice.model ? ` (${answeredBy})` : '';
    return html`<p part="decision">
      <strong>${choice.model}</strong>${via}${served} · predicted quality ${(choice.quality * 100).toFixed(1)}% ·
      expected ${formatDollars(choice.expectedCostUsd)} · routed in ${formatMs(choice.latencyMs)}${choice.truncated ? ' · prompt truncated for scoring' : ''}
    </p>
    <p part="why">Chosen of ${choice.estimates.length} models: ${choice.why}.</p>`;
  }

  /** N-model mode has no slider: the policy is quality - lambda x cost, lambda from `cost-weight`. */
  private renderPolicy() {
    return html`<p part="slider">Policy: predicted quality − ${this.costWeight ?? DEFAULT_COST_WEIGHT} × expected cost (USD)</p>`;
  }

  private renderModelMeter(models: readonly ChatModel[]) {
    const cost = summarizeModelCost(this.session.state.modelCalls, models);
    const estimated = cost.measured ? '' : ' (estimated tokens)';
    const answered = cost.callsByModel
      .filter((entry) => entry.calls > 0)
      .map((entry) => `${entry.model} ${entry.calls}`)
      .join(', ');
    if (cost.calls === 0 || cost.bestModel === undefined)
      return html`<p part="meter" aria-label="Cost meter"><span class="muted">no calls yet</span></p>`;
    const versus = (model: string, amount: number, which: string) => {
      const saved = amount > 0 ? 1 - cost.spend / amount : 0;
      return html`<span>vs ${formatDollars(amount)} always ${model} (${which})</span>
        ${saved > 0 ? html`<span class="saved">${Math.round(saved * 100)}% saved</span>` : html`<span class="muted">no saving</span>`}`;
    };
    const same = cost.priciestModel === cost.bestModel;
    return html`<p part="meter" aria-label="Cost meter">
      <span>Answered: ${answered} (of ${cost.calls})</span>
      <span>${formatDollars(cost.spend)} spent${estimated}</span>
      ${versus(cost.bestModel, cost.alwaysBestSpend, same ? 'the priciest model, and the best by mean predicted quality on these prompts' : 'the best by mean predicted quality on these prompts')}
      ${same ? nothing : versus(cost.priciestModel!, cost.alwaysPriciestSpend, 'the priciest model')}
    </p>`;
  }

  private renderSlider() {
    const byThreshold = this.threshold !== undefined;
    const value = byThreshold ? this.threshold! : Math.round((this.strongPct ?? DEFAULT_STRONG_PCT) * 100);
    const label = byThreshold ? 'Threshold' : 'Target strong share';
    const shown = byThreshold ? value.toFixed(2) : `${value}%`;
    const valueText = byThreshold
      ? `${shown}: prompts scoring at least this go to the strong model`
      : `${shown} of prompts go to the strong model`;
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
    const { calls, prices, pricesNote, models } = this.session.state;
    if (models) return this.renderModelMeter(models);
    const cost = summarizeCost(calls, prices);
    const share = `${Math.round(cost.strongShare * 100)}%`;
    const estimated = cost.measured ? '' : ' (estimated tokens)';
    let spend: unknown = html`<span class="muted">${pricesNote || 'no calls yet'}</span>`;
    if (cost.calls > 0 && cost.spend !== undefined && cost.alwaysStrongSpend !== undefined) {
      const saved = cost.alwaysStrongSpend > 0 ? 1 - cost.spend / cost.alwaysStrongSpend : 0;
      spend = html`<span>${formatDollars(cost.spend)} vs ${formatDollars(cost.alwaysStrongSpend)} always-strong${estimated}</span>
        ${saved > 0 ? html`<span class="saved">${Math.round(saved * 100)}% saved</span>` : html`<span class="muted">no saving</span>`}`;
    } else if (cost.calls > 0 && pricesNote) spend = html`<span class="muted">${pricesNote}</span>`;
    return html`<p part="meter" aria-label="Cost meter">
      <span>Sent strong: ${cost.strongCalls} of ${cost.calls} (${share})</span> ${spend}
    </p>`;
  }
}

/** A user message longer than this (characters or lines) is shown collapsed, with a button to open it. */
const LONG_MESSAGE_CHARS = 1_200;
const LONG_MESSAGE_LINES = 12;

/** How a strong-share threshold was set, after the threshold in each decision line. */
const CALIBRATION_NOTES: Partial<Record<RouteDecision['calibration'], string>> = {
  manifest: ' (calibrated)',
  prompts: ' (calibrated on your prompts)',
  adaptive: ' (adaptive: from your recent prompts)',
};

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
