/**
 * One explicit alias table for model names across the training sources. Each source spells models its own way
 * (`gpt4_1106_preview`, `gpt-4-1106-preview`; `Meta-Llama-3_1-8B-Instruct`, `llama-3.1-8b-instruct`,
 * `meta-llama--Llama-3.1-8B-Instruct_vllm_temp_1.0`): a model that several sources measured must be one model to a
 * router that pools them (the item-response router gives every model one ability vector). A name not in the table
 * stays the source's own, namespaced by its source, so two sources' different models never merge by accident.
 *
 * Deliberate merges, each a judgement: GPT-4 Turbo's April 2024 snapshot is the November 2023 preview's model
 * (RouteLLM's strong model; the golden folders only have the later one), the Arena's and AlpacaEval's undated
 * `gpt-4` / `chatgpt` / `claude` are the snapshots current when those battles were collected.
 */
import { ROUTELLM_MODEL_PAIR } from '../core/index.ts';

/** Canonical name -> the spellings of that model in the training sources (the canonical one counts too). */
const SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  [ROUTELLM_MODEL_PAIR.strong]: ['gpt4_1106_preview', 'gpt-4-turbo-2024-04-09'],
  [ROUTELLM_MODEL_PAIR.weak]: ['Mixtral-8x7B-Instruct-v0.1', 'mixtral-8x7b'],
  'gpt-4o-2024-05-13': [],
  'gpt-4o-2024-08-06': ['gpt-4o-2024-08-06_openai_temp_1.0'],
  'gpt-4o-mini-2024-07-18': ['gpt-4o-mini-2024-07-18_openai_temp_1.0'],
  'gpt-4-0613': ['gpt-4', 'gpt4_0613'],
  'gpt-4-0314': ['gpt4', 'gpt4_0314'],
  'gpt-3.5-turbo-0613': ['gpt-3.5-turbo', 'chatgpt'],
  'claude-1': ['claude'],
  'claude-instant-1': ['claude-instant-1.2'],
  'claude-3-opus-20240229': [],
  'claude-3-5-sonnet-20240620': ['claude-3-5-sonnet-20240620_bedrock_temp_1.0'],
  'gemini-1.5-pro-002': ['gemini-1.5-pro-002_google_temp_1.0'],
  'gemini-1.5-flash-002': ['gemini-1.5-flash-002_google_temp_1.0'],
  'Llama-2-70b-chat': ['llama-2-70b-chat', 'llama-2-70b-chat-hf'],
  'Llama-2-13b-chat': ['llama-2-13b-chat', 'llama-2-13b-chat-hf'],
  'Llama-2-7b-chat': ['llama-2-7b-chat', 'llama-2-7b-chat-hf'],
  'Meta-Llama-3-8B': ['meta-llama/Meta-Llama-3-8B'],
  'Meta-Llama-3-8B-Instruct': ['meta-llama--Meta-Llama-3-8B-Instruct_vllm_temp_1.0'],
  'Meta-Llama-3.1-8B-Instruct': [
    'Meta-Llama-3_1-8B-Instruct',
    'llama-3.1-8b-instruct',
    'meta-llama--Llama-3.1-8B-Instruct_vllm_temp_1.0',
  ],
  'Meta-Llama-3.1-70B-Instruct': ['Meta-Llama-3_1-70B-Instruct', 'meta-llama--Llama-3.1-70B-Instruct_vllm_temp_1.0'],
  'Mistral-7B-v0.1': ['mistralai/Mistral-7B-v0.1', 'mistral-7b'],
  'Mistral-7B-Instruct-v0.2': [],
  'Qwen2.5-7B-Instruct': ['qwen2.5-7b-instruct', 'Qwen--Qwen2.5-7B-Instruct_vllm_temp_1.0'],
  'Qwen2.5-32B-Instruct': ['Qwen--Qwen2.5-32B-Instruct_vllm_temp_1.0'],
  'Qwen2.5-72B-Instruct': ['Qwen--Qwen2.5-72B-Instruct_vllm_temp_1.0'],
  'gemma-2-9b-it': ['google--gemma-2-9b-it_vllm_temp_1.0'],
  'gemma-2-27b-it': ['google--gemma-2-27b-it_vllm_temp_1.0'],
  'Phi-3-mini-4k-instruct': [],
  'chatglm2-6b': [],
  'vicuna-13b': [],
  'vicuna-33b-v1.3': ['vicuna-33b'],
  'vicuna-7b': [],
  'WizardLM-13B-V1.2': ['wizardlm-13b'],
  'guanaco-33b': [],
  'zephyr-7b-beta': ['HuggingFaceH4/zephyr-7b-beta'],
  'Yi-34B-Chat': [],
  'claude-2': [],
};

const CANONICAL: ReadonlyMap<string, string> = new Map(
  Object.entries(SPELLINGS).flatMap(([canonical, spellings]) =>
    [canonical, ...spellings].map((spelling) => [spelling, canonical] as const),
  ),
);

/** The canonical name of a model as `source` spells it: the table's name, else `<source>/<name>`. */
export function canonicalModelName(source: string, model: string): string {
  return CANONICAL.get(model) ?? `${source}/${model}`;
}

/** Canonical names the table knows (for listings and tests). */
export function knownModelNames(): string[] {
  return Object.keys(SPELLINGS);
}
