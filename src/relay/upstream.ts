/**
 * One chat completion forwarded to its provider. The request the provider sees is built from scratch (nothing the
 * client sent in its headers goes along), the provider's answer comes back byte for byte, and the provider's error
 * answers are turned into the relay's own errors, because a provider's error text may quote the key it was sent.
 */
import type { RelayLimits, UpstreamModel } from './config.ts';
import { errorBody, errorResponse } from './error-response.ts';
import type { Redactor } from './redact.ts';
import { meterWholeBody, StreamMeter, type Usage } from './usage.ts';

/** How a forwarded exchange ended; logged, and the moment the client's concurrency slot is given back. */
export type ExchangeOutcome =
  | 'completed'
  | 'client_closed'
  | 'upstream_error'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'upstream_idle'
  | 'upstream_failed_mid_response';

/** What the relay asks of an HTTP client: one POST, redirects not followed. `fetch` fits it on every runtime. */
export interface UpstreamRequestInit {
  readonly method: 'POST';
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly signal: AbortSignal;
  readonly redirect: 'manual';
}

/** Sends a request to a provider; resolves once the response headers are in, with the body still streaming. */
export type UpstreamFetch = (url: string, init: UpstreamRequestInit) => Promise<Response>;

export interface ForwardRequest {
  readonly upstream: UpstreamModel;
  readonly apiKey: string | undefined;
  /** The client's JSON body with `model` already replaced by the provider's model name. */
  readonly body: string;
  readonly stream: boolean;
  readonly fetch: UpstreamFetch;
  /** Aborted when the client goes away; the provider request is then aborted too. */
  readonly clientSignal: AbortSignal;
  readonly limits: Pick<RelayLimits, 'upstreamFirstByteTimeoutMs' | 'upstreamIdleTimeoutMs'>;
  /** Every configured key: none of them, nor the start of one, reaches the client. */
  readonly redactor: Redactor;
  /** The client asked for the usage chunk itself (`stream_options.include_usage`); otherwise it is taken out. */
  readonly clientWantsUsage: boolean;
  /** Set when this alias answers in place of the one asked for: the body's `model` then says this. */
  readonly answeredAs?: string;
  /** Called exactly once, when the exchange is over (including after the last byte of a stream). */
  readonly onSettled: (outcome: ExchangeOutcome, usage: Usage | undefined) => void;
}

export interface ForwardResult {
  readonly response: Response;
  /**
   * Set when the provider failed before any byte reached the client, so another provider may be tried: a 5xx, a
   * connection error, no first byte in time, or a 429 (with how long it asked to wait, when it said).
   */
  readonly retryable?: { readonly retryAfterMs: number | undefined };
}

/** Response headers worth passing on; everything else (cookies, provider rate-limit details, encodings) stays behind. */
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'cache-control', 'x-request-id'];
/** Enough of a provider's error body to find its message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_FORWARDED_MESSAGE_CHARS = 1000;

export async function forwardChatCompletion(request: ForwardRequest): Promise<ForwardResult> {
  const { upstream, clientSignal, limits } = request;
  const abort = new AbortController();
  const abortUpstream = () => abort.abort();
  let settled = false;
  const settle = (outcome: ExchangeOutcome, usage?: Usage) => {
    if (settled) return;
    settled = true;
    clientSignal.removeEventListener('abort', abortUpstream);
    request.onSettled(outcome, usage);
  };
  const retryable = (response: Response, retryAfterMs?: number): ForwardResult => ({
    response,
    retryable: { retryAfterMs },
  });
  if (clientSignal.aborted) {
    settle('client_closed');
    return { response: errorResponse(502, 'upstream_error', 'The client closed the request before it was forwarded.') };
  }
  clientSignal.addEventListener('abort', abortUpstream, { once: true });

  let firstByteTimedOut = false;
  const firstByteTimer = setTimeout(() => {
    firstByteTimedOut = true;
    abort.abort();
  }, limits.upstreamFirstByteTimeoutMs);

  const headers: Record<string, string> = {
    ...upstream.headers,
    'content-type': 'application/json',
    accept: request.stream ? 'text/event-stream' : 'application/json',
    // Bytes pass through untouched, so there is nothing to gain from a compressed answer the relay must decode.
    'accept-encoding': 'identity',
  };
  if (request.apiKey !== undefined) headers['authorization'] = `Bearer ${request.apiKey}`;

  let response: Response;
  try {
    response = await request.fetch(`${upstream.baseURL}/chat/completions`, {
      method: 'POST',
      headers,
      body: request.body,
      signal: abort.signal,
      // A redirect would carry the key to a URL nobody configured.
      redirect: 'manual',
    });
  } catch {
    if (firstByteTimedOut) {
      settle('upstream_timeout');
      return retryable(
        errorResponse(
          504,
          'upstream_timeout',
          `The provider for model "${upstream.alias}" did not answer within ${limits.upstreamFirstByteTimeoutMs} ms.`,
        ),
      );
    }
    if (clientSignal.aborted) {
      settle('client_closed');
      return { response: errorResponse(502, 'upstream_unreachable', 'The client closed the request.') };
    }
    settle('upstream_unreachable');
    return retryable(
      errorResponse(
        502,
        'upstream_unreachable',
        `The relay could not reach the provider for model "${upstream.alias}".`,
      ),
    );
  } finally {
    clearTimeout(firstByteTimer);
  }

  if (response.status < 200 || response.status >= 300) {
    const errorText = await readCapped(response, MAX_ERROR_BODY_BYTES, limits.upstreamIdleTimeoutMs, abort);
    settle(clientSignal.aborted ? 'client_closed' : 'upstream_error');
    const relayError = relayErrorForUpstream(upstream, request.redactor, response, errorText);
    if (clientSignal.aborted) return { response: relayError };
    if (response.status === 429) return retryable(relayError, retryAfterMsOf(response.headers));
    return response.status >= 500 ? retryable(relayError) : { response: relayError };
  }

  const forwardedHeaders = new Headers();
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null && !request.redactor.matches(value)) forwardedHeaders.set(name, value);
  }
  if (!response.body) {
    settle('completed');
    return { response: new Response(null, { status: response.status, headers: forwardedHeaders }) };
  }
  const meterOptions = {
    redactor: request.redactor,
    ...(request.answeredAs !== undefined && { model: request.answeredAs }),
  };
  if (!request.stream) {
    // A whole body is read before anything is sent, so a provider that fails halfway can still be replaced.
    const whole = await readWhole(response.body, limits.upstreamIdleTimeoutMs, abort);
    if (whole === undefined) {
      settle(clientSignal.aborted ? 'client_closed' : 'upstream_failed_mid_response');
      return retryable(
        errorResponse(
          502,
          'upstream_error',
          `The provider for model "${upstream.alias}" failed while sending its answer.`,
        ),
      );
    }
    const { body, usage } = meterWholeBody(whole, meterOptions);
    forwardedHeaders.delete('content-length');
    settle('completed', usage);
    return { response: new Response(body, { status: response.status, headers: forwardedHeaders }) };
  }
  const meter = new StreamMeter({ ...meterOptions, stripUsage: !request.clientWantsUsage });
  const body = guardIdle(response.body, limits.upstreamIdleTimeoutMs, abort, clientSignal, meter, settle);
  return { response: new Response(body, { status: response.status, headers: forwardedHeaders }) };
}

/** A whole body, or undefined when the provider failed or went silent for `idleMs` before its end. */
async function readWhole(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  abort: AbortController,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer = setTimeout(() => abort.abort(), idleMs);
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      clearTimeout(timer);
      timer = setTimeout(() => abort.abort(), idleMs);
      chunks.push(chunk.value);
      size += chunk.value.byteLength;
    }
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * The provider's stream, event for event through the meter, with two guards: a provider that keeps the relay waiting
 * for its next chunk longer than `idleMs` is aborted and the client's stream ends with an SSE `error` event (a
 * truncated answer must not look complete), and a client that stops reading cancels the provider request. Time the client takes to read does not
 * count as provider silence: chunks are pulled only when the client wants one (backpressure).
 */
function guardIdle(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  abort: AbortController,
  clientSignal: AbortSignal,
  meter: StreamMeter,
  settle: (outcome: ExchangeOutcome, usage?: Usage) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  // One timer per exchange, re-armed only when it fires: a timer per chunk costs more than the chunk itself.
  let waitingSince: number | undefined;
  let wentIdle = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const checkIdle = () => {
    idleTimer = undefined;
    if (waitingSince === undefined) return;
    const silentFor = Date.now() - waitingSince;
    if (silentFor >= idleMs) {
      wentIdle = true;
      abort.abort();
    } else idleTimer = setTimeout(checkIdle, idleMs - silentFor);
  };
  const stopTimer = () => clearTimeout(idleTimer);

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // An event still incomplete gives nothing to send yet: read on until there is something, or the end.
        for (;;) {
          waitingSince = Date.now();
          idleTimer ??= setTimeout(checkIdle, idleMs);
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch {
            stopTimer();
            if (clientSignal.aborted) {
              // Nobody is listening any more; closing quietly keeps the server log free of a failure that is not one.
              settle('client_closed', meter.usage);
              controller.close();
              return;
            }
            settle(wentIdle ? 'upstream_idle' : 'upstream_failed_mid_response', meter.usage);
            const message = wentIdle
              ? `The provider sent nothing for ${idleMs} ms; the response was cut off.`
              : 'The provider connection ended before the response was complete.';
            controller.enqueue(
              meter.fail(errorBody(502, wentIdle ? 'upstream_timeout' : 'upstream_error', message).error),
            );
            controller.close();
            return;
          }
          waitingSince = undefined;
          if (chunk.done) {
            stopTimer();
            const rest = meter.end();
            if (rest.byteLength > 0) controller.enqueue(rest);
            controller.close();
            settle('completed', meter.usage);
            return;
          }
          const out = meter.push(chunk.value);
          if (out.byteLength > 0) {
            controller.enqueue(out);
            return;
          }
        }
      },
      async cancel() {
        stopTimer();
        abort.abort();
        settle('client_closed', meter.usage);
        await reader.cancel().catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

async function readCapped(
  response: Response,
  maxBytes: number,
  idleMs: number,
  abort: AbortController,
): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const idleTimer = setTimeout(() => abort.abort(), idleMs);
  try {
    while (size < maxBytes) {
      const chunk = await reader.read();
      if (chunk.done) break;
      chunks.push(chunk.value);
      size += chunk.value.byteLength;
    }
  } catch {
    // A provider that fails while sending its error leaves us with what arrived; the status alone is enough.
  } finally {
    clearTimeout(idleTimer);
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes.subarray(0, maxBytes));
}

function relayErrorForUpstream(
  upstream: UpstreamModel,
  redactor: Redactor,
  response: Response,
  errorText: string,
): Response {
  const alias = upstream.alias;
  const status = response.status;
  const providerSays = providerMessage(errorText, redactor);
  const detail = providerSays ? `: ${providerSays}` : '.';
  switch (status) {
    case 400:
    case 422:
      return errorResponse(
        400,
        'upstream_rejected_request',
        `The provider rejected the request for model "${alias}"${detail}`,
      );
    case 401:
    case 403:
      // The provider's own text is dropped here: authentication errors are where providers quote (parts of) the key.
      return errorResponse(
        502,
        'upstream_auth_failed',
        upstream.apiKeyEnv
          ? `The provider refused the relay's credentials for model "${alias}"; check the key in ${upstream.apiKeyEnv}.`
          : `The provider for model "${alias}" requires credentials; set apiKeyEnv for it in the relay config.`,
        // Sending it again cannot help until someone fixes the key: openai-node would otherwise retry it.
        { 'x-should-retry': 'false' },
      );
    case 404:
      return errorResponse(
        502,
        'upstream_error',
        `The provider does not know model "${upstream.model}" (configured for "${alias}"), or its baseURL is wrong${detail}`,
      );
    case 408:
      return errorResponse(504, 'upstream_timeout', `The provider for model "${alias}" timed out${detail}`);
    case 413:
      return errorResponse(
        413,
        'request_too_large',
        `The provider says the request for model "${alias}" is too large${detail}`,
      );
    case 429:
      return errorResponse(429, 'upstream_rate_limited', `The provider is rate-limiting model "${alias}"${detail}`, {
        'retry-after': String(retryAfterSeconds(response.headers)),
      });
    default:
      if (status >= 300 && status < 400) {
        return errorResponse(
          502,
          'upstream_error',
          `The provider for model "${alias}" answered with a redirect; check its baseURL.`,
        );
      }
      return errorResponse(
        502,
        'upstream_error',
        `The provider for model "${alias}" failed with status ${status}${detail}`,
      );
  }
}

/** The message in an OpenAI-style error body (or the plain text), with the key cut out and the length capped. */
function providerMessage(errorText: string, redactor: Redactor): string {
  let message = errorText.trim();
  try {
    const parsed: unknown = JSON.parse(errorText);
    const inner = (parsed as { error?: { message?: unknown } | string } | null)?.error;
    if (typeof inner === 'string') message = inner;
    else if (typeof inner?.message === 'string') message = inner.message;
  } catch {
    // Not JSON: the text itself is the message.
  }
  message = redactor.redact(message);
  message = message.replace(/\s+/g, ' ').trim();
  return message.length > MAX_FORWARDED_MESSAGE_CHARS ? `${message.slice(0, MAX_FORWARDED_MESSAGE_CHARS)}…` : message;
}

/** What a 429 asked to wait, in ms, when it said. */
export function retryAfterMsOf(headers: Headers): number | undefined {
  const seconds = Number(headers.get('retry-after'));
  if (headers.has('retry-after') && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const milliseconds = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  return undefined;
}

function retryAfterSeconds(headers: Headers): number {
  const seconds = Number(headers.get('retry-after'));
  if (Number.isFinite(seconds) && seconds > 0) return Math.ceil(seconds);
  const milliseconds = Number(headers.get('retry-after-ms'));
  if (Number.isFinite(milliseconds) && milliseconds > 0) return Math.ceil(milliseconds / 1000);
  return 1;
}
