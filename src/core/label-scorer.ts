import type { ScoreOptions } from './router.ts';

/** One turn of a chat, as chat templates take it. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** A question put to a causal LM: a conversation, and the start of the assistant's answer a label token follows. */
export interface LabelQuery {
  readonly messages: readonly ChatMessage[];
  /** Text after the assistant turn opens and before the label, e.g. '[[' so that the next token is the rating. */
  readonly answerPrefix: string;
}

/**
 * What the causal-LLM router needs from a causal language model: how likely each label is as the next token of
 * the answer. `src/encoder` implements it over transformers.js; core only sees this shape.
 */
export interface LabelScorer {
  /** Stable identity of the model (name and dtype). */
  readonly id: string;
  /**
   * For each query, in input order: the probability (under the model's full next-token distribution) of each
   * label, in `labels` order, as the token right after the chat-formatted messages and the answer prefix. Each
   * label must be exactly one token there.
   */
  scoreLabels(queries: readonly LabelQuery[], labels: readonly string[], options?: ScoreOptions): Promise<number[][]>;
}
