import { InvalidInputError } from '../core/index.ts';

/** Checks, at the boundary, that texts is an array of non-blank strings; `purpose` ('encode', 'classify') names the work in errors. */
export function validateTexts(texts: unknown, purpose: string): asserts texts is readonly string[] {
  if (!Array.isArray(texts)) throw new InvalidInputError(`texts must be an array of strings, got ${typeof texts}.`);
  texts.forEach((text: unknown, index) => {
    if (typeof text !== 'string')
      throw new InvalidInputError(`texts[${index}] must be a string, got ${text === null ? 'null' : typeof text}.`);
    if (text.trim() === '') throw new InvalidInputError(`texts[${index}] is empty; there is nothing to ${purpose}.`);
  });
}
