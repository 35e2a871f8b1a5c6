import { describe, expect, it } from 'vitest';
import { poolingModelName, STRONG_MODEL, WEAK_MODEL } from '../../src/training/dataset.ts';
import { canonicalModelName } from '../../src/training/model-names.ts';

describe('one alias table for model names across sources', () => {
  it('maps every spelling of a model to one name, and namespaces names it does not list', () => {
    expect(canonicalModelName('mmlu-pro', 'Meta-Llama-3_1-8B-Instruct')).toBe('Meta-Llama-3.1-8B-Instruct');
    expect(canonicalModelName('llmrouter', 'llama-3.1-8b-instruct')).toBe('Meta-Llama-3.1-8B-Instruct');
    expect(canonicalModelName('evalperf', 'meta-llama--Llama-3.1-8B-Instruct_vllm_temp_1.0')).toBe(
      'Meta-Llama-3.1-8B-Instruct',
    );
    expect(canonicalModelName('mmlu-pro', 'Mixtral-8x7B-Instruct-v0.1')).toBe(WEAK_MODEL);
    expect(canonicalModelName('alpaca-eval', 'gpt4_1106_preview')).toBe(STRONG_MODEL);
    expect(canonicalModelName('mmlu-pro', 'Yi-34B')).toBe('mmlu-pro/Yi-34B');
  });

  it('gives a pooling router canonical names while the training data keeps the pair routers names', () => {
    expect(poolingModelName('golden/zeroeval_crux', 'zeroeval_crux/gpt-4o-2024-05-13')).toBe('gpt-4o-2024-05-13');
    expect(poolingModelName('golden/zeroeval_crux', 'zeroeval_crux/gemma-2-2b-it')).toBe('zeroeval_crux/gemma-2-2b-it');
    expect(poolingModelName('alpaca-eval', 'llama-2-70b-chat-hf')).toBe('Llama-2-70b-chat');
    expect(poolingModelName('alpaca-eval', 'Ein-70B-v0.1')).toBe('alpaca-eval/Ein-70B-v0.1');
    expect(poolingModelName('golden/evalperf', WEAK_MODEL)).toBe(WEAK_MODEL);
    expect(poolingModelName('user-battles', 'my-model')).toBe('my-model');
  });
});
