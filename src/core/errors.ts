/**
 * One error family for everything a caller of routellm-web can see (compare openai-node's APIError tree).
 * `code` is stable and machine-readable; `message` is one clear sentence for a person.
 */
export class RouteError extends Error {
  override readonly name: string = 'RouteError';
  constructor(
    message: string,
    readonly code: RouteErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type RouteErrorCode =
  | 'invalid_input'
  | 'model_not_found'
  | 'model_load_failed'
  | 'router_not_found'
  | 'worker_crashed'
  | 'aborted'
  | 'relay_error'
  | 'relay_unreachable'
  | 'upstream_error';

/**
 * The message of anything thrown, for a sentence that quotes it (openai-node's castToError idea). An Error gives its
 * message, and so does an error from another realm (a vm context, an iframe), which fails `instanceof Error` but
 * still carries a string `message`. Any other object gives its JSON (String() would say only "[object Object]"),
 * and the rest their String() form, so `throw 'text'`, null and undefined still read as something.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null) {
    if (typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
    try {
      const json = JSON.stringify(error);
      if (json !== undefined) return json;
    } catch {
      // A cycle or a BigInt: String() below still says what kind of value it was.
    }
  }
  return String(error);
}

/** Bad input from the caller: wrong type, empty prompt, unknown option. */
export class InvalidInputError extends RouteError {
  override readonly name = 'InvalidInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'invalid_input', options);
  }
}

/** A model (encoder or router weights) could not be found or loaded. */
export class ModelLoadError extends RouteError {
  override readonly name = 'ModelLoadError';
  constructor(
    message: string,
    code: 'model_not_found' | 'model_load_failed' = 'model_load_failed',
    options?: { cause?: unknown },
  ) {
    super(message, code, options);
  }
}

/** The Web Worker hosting encoder and routers died; pending calls reject with this and the next call restarts it. */
export class WorkerCrashedError extends RouteError {
  override readonly name = 'WorkerCrashedError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'worker_crashed', options);
  }
}

/** The caller aborted through an AbortSignal. */
export class AbortError extends RouteError {
  override readonly name = 'AbortError';
  constructor(message = 'The operation was aborted.') {
    super(message, 'aborted');
  }
}

/**
 * The relay (or the provider behind it) answered with an error, or could not be reached at all. `status` is the HTTP
 * status, 0 when no answer arrived (code 'relay_unreachable'); `relayCode` is the relay's machine-readable reason
 * from its OpenAI-style error body (e.g. 'model_unavailable' when the provider key is not set).
 */
export class RelayError extends RouteError {
  override readonly name = 'RelayError';
  readonly relayCode: string | undefined;
  constructor(
    message: string,
    readonly status: number,
    readonly type?: string,
    options?: { cause?: unknown; relayCode?: string },
  ) {
    super(message, status === 0 ? 'relay_unreachable' : status >= 500 ? 'upstream_error' : 'relay_error', {
      cause: options?.cause,
    });
    this.relayCode = options?.relayCode;
  }
}
