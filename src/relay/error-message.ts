/**
 * The message of anything thrown, for a sentence that quotes it. The relay imports nothing from the rest of src (it
 * ships alone), so this is its own copy of core's errorMessage, and the relay's one place for the conversion: an
 * Error (or one from another realm) gives its message, any other object its JSON, the rest their String() form.
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
