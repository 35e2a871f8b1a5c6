import { transferHandlers } from 'comlink';
import { RouteError, type RouteErrorCode } from '../core/errors.ts';

interface SerializedError {
  name: string;
  message: string;
  code?: RouteErrorCode;
  status?: number;
}

/**
 * Comlink sends a thrown Error across as a plain Error, dropping its class and `code`. This 'throw' handler
 * keeps the RouteError family intact, so the page can tell a missing model from a bad input. Both sides install it.
 */
export function installErrorTransfer(): void {
  const defaultThrow = transferHandlers.get('throw')!;
  transferHandlers.set('throw', {
    canHandle: defaultThrow.canHandle,
    serialize(thrown) {
      const error = (thrown as { value: unknown }).value;
      const serialized: SerializedError =
        error instanceof Error
          ? { name: error.name, message: error.message, code: error instanceof RouteError ? error.code : undefined }
          : { name: 'Error', message: String(error) };
      return [serialized, []];
    },
    deserialize(serialized) {
      const { name, message, code } = serialized as SerializedError;
      const error = code ? new RouteError(message, code) : new Error(message);
      Object.defineProperty(error, 'name', { value: name });
      throw error;
    },
  });
}
