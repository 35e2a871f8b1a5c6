/**
 * The parts of OpenAI's Chat Completions API the SDK reads or produces. Requests pass through to the relay
 * unchanged, so fields not named here (tools, response_format, ...) are allowed and forwarded as they are.
 */

export interface ChatCompletionContentPartText {
  type: 'text';
  text: string;
}

/** Any other content part (images, audio, files): forwarded, never routed on. */
export interface ChatCompletionContentPartOther {
  type: string;
  [field: string]: unknown;
}

export type ChatCompletionContentPart = ChatCompletionContentPartText | ChatCompletionContentPartOther;

export interface ChatCompletionMessageParam {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | (string & {});
  content?: string | ChatCompletionContentPart[] | null;
  [field: string]: unknown;
}

export interface ChatCompletionCreateParamsBase {
  /** A relay model alias (`strong`, `weak`, ...) or a router model string `router-<name>-<threshold>`. */
  model: string;
  messages: ChatCompletionMessageParam[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  [field: string]: unknown;
}

export interface ChatCompletionCreateParamsNonStreaming extends ChatCompletionCreateParamsBase {
  stream?: false | null;
}

export interface ChatCompletionCreateParamsStreaming extends ChatCompletionCreateParamsBase {
  stream: true;
}

export type ChatCompletionCreateParams = ChatCompletionCreateParamsNonStreaming | ChatCompletionCreateParamsStreaming;

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  /** The provider's name of the model that answered. */
  model: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string | null; [field: string]: unknown };
    finish_reason: string | null;
    [field: string]: unknown;
  }[];
  usage?: CompletionUsage;
  [field: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: number;
    delta: { role?: string; content?: string | null; [field: string]: unknown };
    finish_reason: string | null;
    [field: string]: unknown;
  }[];
  usage?: CompletionUsage | null;
  [field: string]: unknown;
}

/** A model the relay serves, with its price (US dollars per 1M tokens) for cost estimates. */
export interface RelayModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  pricing?: { input: number; output: number };
}
