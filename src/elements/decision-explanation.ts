import { PROMPT_FEATURE_NAMES, type PromptFeatureName, promptFeatures } from '../core/index.ts';
import type { RouteDecision } from '../sdk/index.ts';

/**
 * What a prompt visibly is, read from cheap, deterministic cues: the prompt statistics the learned routers take as
 * input next to the embedding (core's promptFeatures: code and math markers, option lines, numbers, length) and a
 * few word lists. A cue describes the prompt, not the router's reasoning: a learned router scores an embedding, so
 * the sentence says what the prompt looks like and the score against the threshold, never that the cue decided.
 */
export interface PromptCue {
  /** Completes "this looks like …", e.g. "a multi-step math problem". */
  label: string;
  /** The tier prompts like this usually need: a cue that points the other way from the decision is said so. */
  leans: 'weak' | 'strong' | 'neither';
}

/** Greetings, thanks and chit-chat, at the start of a short prompt. */
const SMALL_TALK =
  /^\W*(?:hi|hello|hey|hiya|howdy|yo|good (?:morning|afternoon|evening|night)|thanks|thank you|thx|cheers|bye|goodbye|see you|how are you|how's it going|what's up|nice to meet you|ok|okay|cool|great|lol)\b/i;
/** Programming words that make a prompt a programming question without code in it. */
const PROGRAMMING =
  /\b(?:python|javascript|typescript|java|rust|golang|kotlin|swift|c\+\+|c#|sql|regex|html|css|bash|function|algorithm|compile[rsd]?|debug|stack trace|api)\b/i;
/** Words of proofs and worked solutions. */
const MULTI_STEP = /\b(?:prove|proof|show that|step[- ]by[- ]step|derive|explain why)\b/i;
/** Questions that ask for a fact. */
const FACTUAL =
  /^\W*(?:who|when|where|which|what(?:'s| is| are| was| were)|how (?:many|much|far|old|long|tall|big))\b/i;
/** Requests for a piece of writing. */
const CREATIVE = /\b(?:story|poem|essay|song|lyrics|haiku|limerick|novel|screenplay)\b/i;
const QUESTION_WORD = /^\W*(?:who|when|where|which|what|why|how|is|are|can|does|do|did|should|would|could)\b/i;

const SHORT_WORDS = 20;
/** A prompt this short in words and characters is called a short prompt when nothing else describes it. */
const TINY_WORDS = 6;
const TINY_CHARS = 60;
const LONG_WORDS = 150;
const LONG_LINES = 15;
/** Below this distance from the threshold a decision is called a close call. */
const CLOSE_CALL = 0.02;

/** The prompt's features as counts: promptFeatures stores each count as log1p(count) (digitShare is a share). */
function counts(prompt: string): Record<PromptFeatureName, number> {
  const features = promptFeatures(prompt);
  return Object.fromEntries(
    PROMPT_FEATURE_NAMES.map((name, index) => [
      name,
      name === 'digitShare' ? features[index]! : Math.round(Math.expm1(features[index]!)),
    ]),
  ) as Record<PromptFeatureName, number>;
}

/** What the prompt looks like, or undefined when no cue is clear enough to name. */
export function promptCue(prompt: string): PromptCue | undefined {
  const count = counts(prompt);
  const words = count.logWords;
  if (prompt.includes('```') || count.codeMarkers >= 3) return { label: 'code', leans: 'strong' };
  const math = count.mathMarkers >= 2 || (count.mathMarkers >= 1 && count.logNumbers >= 2);
  if (math && (MULTI_STEP.test(prompt) || words > SHORT_WORDS))
    return { label: 'a multi-step math problem', leans: 'strong' };
  if (count.choiceLines >= 2) return { label: 'a multiple-choice question', leans: 'neither' };
  if (words >= LONG_WORDS || count.logLines + 1 >= LONG_LINES)
    return { label: `a long, detailed request (${words.toLocaleString('en-US')} words)`, leans: 'strong' };
  if (PROGRAMMING.test(prompt)) return { label: 'a programming question', leans: 'strong' };
  if (math) return { label: 'a short math question', leans: 'weak' };
  if (MULTI_STEP.test(prompt)) return { label: 'a request for a proof or a step-by-step explanation', leans: 'strong' };
  const question = count.logQuestionMarks > 0 || QUESTION_WORD.test(prompt);
  if (question && count.logNumbers >= 3) return { label: 'a word problem with several numbers', leans: 'strong' };
  if (CREATIVE.test(prompt)) return { label: 'a creative-writing request', leans: 'neither' };
  if (words > SHORT_WORDS) return undefined;
  if (SMALL_TALK.test(prompt)) return { label: 'small talk', leans: 'weak' };
  if (question) return { label: FACTUAL.test(prompt) ? 'a short factual question' : 'a short question', leans: 'weak' };
  return words <= TINY_WORDS && prompt.length <= TINY_CHARS
    ? { label: `a short prompt (${words} word${words === 1 ? '' : 's'})`, leans: 'weak' }
    : undefined;
}

/**
 * One plain sentence under a reply: which model answered and why, specific to the prompt the router scored (the
 * last user message). It names the prompt's cue when there is one (promptCue), says so when the cue points the
 * other way, and always gives the score against the threshold. The `length` and `random` routers see no content,
 * so their sentences say what they do see.
 */
export function explainDecision(decision: RouteDecision, prompt: string): string {
  const answered = `Answered by the ${decision.tier === 'strong' ? 'strong' : 'cheap'} model`;
  if (decision.fallback || decision.score === null || decision.threshold === null)
    return `${answered}: the router could not run, so every prompt goes there.`;
  const strong = decision.tier === 'strong';
  const close = Math.abs(decision.score - decision.threshold) < CLOSE_CALL ? ', a close call' : '';
  const versus = `its score ${decision.score.toFixed(3)} is ${strong ? 'at or above' : 'below'} the threshold ${decision.threshold.toFixed(3)}${close}`;
  const truncated = decision.truncated ? ' (only its beginning was scored)' : '';
  if (decision.router === 'length') {
    const length = prompt.length.toLocaleString('en-US');
    return `${answered}: the length router only measures length, and this prompt is ${strong ? 'long' : 'short'} (${length} characters); ${versus}.`;
  }
  if (decision.router === 'random') return `${answered}: the random router picks by chance; ${versus}.`;
  const cue = promptCue(prompt);
  if (!cue) return `${answered}: ${versus}${truncated}.`;
  const against = cue.leans !== 'neither' && cue.leans !== decision.tier;
  return against
    ? `${answered}, although this looks like ${cue.label}: ${versus}${truncated}.`
    : `${answered}: this looks like ${cue.label}, and ${versus}${truncated}.`;
}
