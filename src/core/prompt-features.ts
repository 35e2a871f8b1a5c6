/**
 * Prompt statistics that say how much work a prompt asks for, whatever its topic: learned routers add them to the
 * embedding (the paper's routers used the embedding alone). Every feature is a bounded transform of a count, so
 * one extreme prompt cannot dominate a linear model.
 */
export const PROMPT_FEATURE_NAMES = [
  'logChars',
  'logWords',
  'logLines',
  'logNumbers',
  'digitShare',
  'logQuestionMarks',
  'codeMarkers',
  'mathMarkers',
  'choiceLines',
  'logLongestNumber',
] as const;

export type PromptFeatureName = (typeof PROMPT_FEATURE_NAMES)[number];

export const PROMPT_FEATURE_COUNT = PROMPT_FEATURE_NAMES.length;

const NUMBER = /\d+(?:[.,]\d+)*/g;
const WORD = /[\p{L}\p{N}_]+/gu;
/** Syntax that is rare in prose and common in code. */
const CODE_MARKER =
  /```|[{};]|=>|==|!=|\bdef\b|\breturn\b|\bfunction\b|\bclass\b|\bimport\b|\bconst\b|\bprint\(|\bfor\s*\(|\bwhile\b|#include|<\/?\w+>/g;
/** Notation that is rare in prose and common in mathematics. */
const MATH_MARKER =
  /\\[a-zA-Z]+|\$|\^|[=<>≤≥±×÷√∑∫π]|\d\s*[-+*/]\s*\d|\b(?:solve|equation|integer|prime|probability|derivative|integral|sum|product|remainder|divisible)\b/gi;
/** Multiple-choice option lines: `A. ...`, `(B) ...`, `C) ...`. */
const CHOICE_LINE = /^\s*\(?[A-Ha-h][.)]\s+\S/gm;

function count(text: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  return text.match(pattern)?.length ?? 0;
}

/** The features of one prompt, in PROMPT_FEATURE_NAMES order. */
export function promptFeatures(prompt: string, out = new Float64Array(PROMPT_FEATURE_COUNT)): Float64Array {
  const chars = prompt.length;
  const numbers = prompt.match(NUMBER) ?? [];
  let digits = 0;
  let longestNumber = 0;
  for (const number of numbers) {
    const numberDigits = number.replace(/\D/g, '').length;
    digits += numberDigits;
    longestNumber = Math.max(longestNumber, numberDigits);
  }
  const words = count(prompt, WORD);
  out[0] = Math.log1p(chars);
  out[1] = Math.log1p(words);
  out[2] = Math.log1p(prompt.split('\n').length - 1);
  out[3] = Math.log1p(numbers.length);
  out[4] = chars === 0 ? 0 : digits / chars;
  out[5] = Math.log1p(count(prompt, /\?/g));
  out[6] = Math.log1p(count(prompt, CODE_MARKER));
  out[7] = Math.log1p(count(prompt, MATH_MARKER));
  out[8] = Math.log1p(count(prompt, CHOICE_LINE));
  out[9] = Math.log1p(longestNumber);
  return out;
}
