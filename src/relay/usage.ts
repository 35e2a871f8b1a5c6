/**
 * What a provider's answer used and cost. OpenAI-compatible providers report `usage` in a non-streaming body, and in a
 * streamed one as a last chunk (`choices: []`) when the request asks with `stream_options.include_usage`; the relay
 * always asks, counts it, and takes the chunk out again when the client did not ask for it. The same pass rewrites
 * `model` when another alias answered, and redacts keys from every byte.
 */
import type { Redactor } from './redact.ts';

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** US dollars for `usage` at `pricing` (US dollars per 1M tokens). */
export function costUsd(usage: Usage, pricing: { readonly input: number; readonly output: number }): number {
  return (usage.promptTokens * pricing.input + usage.completionTokens * pricing.output) / 1_000_000;
}

/** The `usage` of a completion or chunk object, when it has a well-formed one. */
export function usageOf(value: unknown): Usage | undefined {
  const usage = (value as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } } | null)?.usage;
  const promptTokens = usage?.prompt_tokens;
  const completionTokens = usage?.completion_tokens;
  if (typeof promptTokens !== 'number' || typeof completionTokens !== 'number') return undefined;
  if (!(promptTokens >= 0 && completionTokens >= 0 && Number.isFinite(promptTokens + completionTokens)))
    return undefined;
  return { promptTokens, completionTokens };
}

export interface MeterOptions {
  readonly redactor: Redactor;
  /** Set when the answer is another alias's than the one asked for: `model` fields then say this. */
  readonly model?: string;
}

/** A whole (non-streaming) body: its usage, and the bytes to send (unchanged unless a key or `model` is rewritten). */
export function meterWholeBody(
  bytes: Uint8Array<ArrayBuffer>,
  options: MeterOptions,
): { body: Uint8Array<ArrayBuffer>; usage: Usage | undefined } {
  const text = new TextDecoder().decode(bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  let out = text;
  if (options.model !== undefined && typeof parsed === 'object' && parsed !== null && 'model' in parsed) {
    out = JSON.stringify({ ...parsed, model: options.model });
  }
  if (options.redactor.matches(out)) out = options.redactor.redact(out);
  return { body: out === text ? bytes : new TextEncoder().encode(out), usage: usageOf(parsed) };
}

/** The end of an SSE event: a blank line, in any of the three line endings the standard allows. */
const EVENT_END = /(?:\r\n|\r|\n)(?:\r\n|\r|\n)/g;

/** A streamed (SSE) body, event by event. Every event passes through as it came, except as the class comment says. */
export class StreamMeter {
  readonly #redactor: Redactor;
  readonly #model: string | undefined;
  readonly #stripUsage: boolean;
  readonly #decoder = new TextDecoder();
  readonly #encoder = new TextEncoder();
  #partial = '';
  #synced = true;
  usage: Usage | undefined;

  /** `stripUsage`: the client did not ask for the usage chunk, the relay did. */
  constructor(options: MeterOptions & { readonly stripUsage: boolean }) {
    this.#redactor = options.redactor;
    this.#model = options.model;
    this.#stripUsage = options.stripUsage;
  }

  /** The bytes of whole events that can be sent now; a part of an event waits for its end. */
  push(chunk: Uint8Array): Uint8Array {
    // Nothing of earlier chunks is waiting (in this meter or in the decoder), so this chunk's text is its bytes.
    const synced = this.#synced && this.#partial === '';
    const text = this.#partial + this.#decoder.decode(chunk, { stream: true });
    // Providers write whole events per chunk, so the usual end of the last event is the end of the text.
    let end = text.endsWith('\n\n') ? text.length : -1;
    if (end === -1) {
      EVENT_END.lastIndex = 0;
      for (let match = EVENT_END.exec(text); match; match = EVENT_END.exec(text)) end = match.index + match[0].length;
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk to tell.
      if (end === text.length && text.endsWith('\r')) end = -1;
    }
    // Text ending in a line break leaves no half of a character in the decoder.
    this.#synced = text.endsWith('\n');
    if (end === -1) {
      this.#partial = text;
      return new Uint8Array(0);
    }
    this.#partial = text.slice(end);
    const events = text.slice(0, end);
    const out = this.#redactor.push(this.#events(events));
    // Unchanged whole events go out as the very bytes that came in: no encoding on the common path.
    if (synced && end === text.length && out === events) return chunk;
    return this.#encoder.encode(out);
  }

  /** The provider's stream ended: whatever is left. */
  end(): Uint8Array {
    const rest = this.#partial + this.#decoder.decode();
    this.#partial = '';
    return this.#encoder.encode(this.#redactor.push(rest, true));
  }

  /**
   * The provider failed mid-stream: a half-received event is dropped (it could not be parsed), and the stream ends
   * with an `error` event in OpenAI's shape, which openai-node and the SDK raise as an error.
   */
  fail(error: { message: string; type: string; code: string }): Uint8Array {
    this.#partial = '';
    const held = this.#redactor.push('', true);
    return this.#encoder.encode(
      `${held}${held === '' || /\n\n$/.test(held) ? '' : '\n\n'}event: error\ndata: ${JSON.stringify({ error })}\n\n`,
    );
  }

  #events(text: string): string {
    if (!text.includes('"usage"') && this.#model === undefined) return text;
    let out = '';
    let start = 0;
    EVENT_END.lastIndex = 0;
    for (let match = EVENT_END.exec(text); match; match = EVENT_END.exec(text)) {
      const eventEnd = match.index + match[0].length;
      out += this.#event(text.slice(start, eventEnd), text.slice(start, match.index));
      start = eventEnd;
    }
    return out + text.slice(start);
  }

  /** One event (`raw`, with its blank line) and its lines (`body`). */
  #event(raw: string, body: string): string {
    const data = body
      .split(/\r\n|\r|\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
      .join('\n');
    if (data === '' || data === '[DONE]') return raw;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return raw;
    }
    const usage = usageOf(parsed);
    if (usage) this.usage = usage;
    const chunk = parsed as { choices?: unknown; model?: unknown };
    if (usage && this.#stripUsage && Array.isArray(chunk.choices) && chunk.choices.length === 0) return '';
    if (this.#model !== undefined && typeof chunk.model === 'string') {
      return `data: ${JSON.stringify({ ...chunk, model: this.#model })}\n\n`;
    }
    return raw;
  }
}
