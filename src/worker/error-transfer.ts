import { transferHandlers } from 'comlink';
import {
  AbortError,
  InvalidInputError,
  ModelLoadError,
  RouteError,
  WorkerCrashedError,
  type RouteErrorCode,
} from '../core/index.ts';

interface SerializedError {
  name: string;
  message: string;
  code?: RouteErrorCode;
}

/** The error class the page sees for a code, so `instanceof ModelLoadError` works on both sides of the worker. */
export function routeErrorFromCode(code: RouteErrorCode, message: string): RouteError {
  switch (code) {
    case 'invalid_input':
      return new InvalidInputError(message);
    case 'model_not_found':
    case 'model_load_failed':
      return new ModelLoadError(message, code);
    case 'worker_crashed':
      return new WorkerCrashedError(message);
    case 'aborted':
      return new AbortError(message);
    default:
      return new RouteError(message, code);
  }
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
      const error = code ? routeErrorFromCode(code, message) : new Error(message);
      if (error.name !== name) Object.defineProperty(error, 'name', { value: name });
      throw error;
    },
  });
}
