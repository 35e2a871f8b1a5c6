/**
 * The relay's errors. The relay imports nothing from the rest of src (it ships alone), so it has its own small family
 * instead of core's RouteError; its HTTP answers say no through error-response.ts.
 */

/** The config (file, flags or environment) was not valid; the message lists every problem, separated by semicolons. */
export class RelayConfigError extends Error {
  override readonly name = 'RelayConfigError';
}

/**
 * The message of anything thrown, for a sentence that quotes it: the relay's own copy of core's errorMessage, and
 * its one place for the conversion. An Error (or one from another realm) gives its message, any other object its
 * JSON, the rest their String() form.
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
