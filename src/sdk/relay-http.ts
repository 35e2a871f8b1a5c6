import { AbortError, errorMessage, RelayError } from '../core/index.ts';

/** The relay's base URL for API calls: its root plus `/v1` (a URL already ending in `/v1` is taken as the API base). */
export function relayApiBase(relayUrl: string | URL): string {
  const page = typeof location === 'undefined' ? undefined : location.href;
  const url = new URL(relayUrl, page);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/v1') ? path : `${path}/v1`;
  url.search = '';
  url.hash = '';
  return url.href;
}

/**
 * One HTTP call to the relay. Network failures become RelayError with status 0 ('relay_unreachable'), an aborted
 * signal AbortError, and any non-2xx answer a RelayError carrying the relay's (OpenAI-style) message, type and code.
 */
export async function relayFetch(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit & { signal: AbortSignal },
): Promise<Response> {
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (error) {
    if (init.signal.aborted) throw new AbortError();
    throw new RelayError(
      `The relay at ${new URL(url).origin} could not be reached (${errorMessage(error)}). Is it running? Start it with \`npm run relay\`.`,
      0,
      undefined,
      { cause: error },
    );
  }
  if (!response.ok) throw await relayErrorOf(response, init.signal);
  return response;
}

async function relayErrorOf(response: Response, signal: AbortSignal): Promise<RelayError | AbortError> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    if (signal.aborted) return new AbortError();
  }
  let error: { message?: unknown; type?: unknown; code?: unknown } | undefined;
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'object' && parsed.error !== null) error = parsed.error as typeof error;
  } catch {
    // Not the relay's JSON (a proxy's HTML page, say): the status tells what happened.
  }
  const message =
    typeof error?.message === 'string' && error.message !== ''
      ? error.message
      : `The relay answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`;
  return new RelayError(message, response.status, typeof error?.type === 'string' ? error.type : undefined, {
    ...(typeof error?.code === 'string' && { relayCode: error.code }),
  });
}
