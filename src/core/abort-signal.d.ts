/**
 * Core is type-checked against plain ES2023 (tsconfig.core.json), which does not declare AbortSignal, although every
 * runtime core runs in (browsers, workers, Node) provides it and the Router contract takes one. This declares the
 * part core itself reads; wherever the DOM or Node types are loaded it merges into their full declaration.
 */
declare global {
  interface AbortSignal {
    readonly aborted: boolean;
  }
}

export {};
