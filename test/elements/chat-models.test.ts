import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/index.ts';
import { deploymentModels, parseChatModels } from '../../src/elements/chat-models.ts';
import { DEMO_MODELS } from '../../src/elements/demo-models.ts';

const MODELS = [
  { name: 'big', inputPrice: 5, outputPrice: 15, relayModel: 'strong' },
  { name: 'small', inputPrice: 0.2, outputPrice: 0.2, like: 'Meta-Llama-3.1-8B-Instruct' },
];

describe('parseChatModels', () => {
  it('takes an array or the attribute’s JSON, and no list (the two-model mode) as undefined', () => {
    expect(parseChatModels(MODELS)).toEqual(MODELS);
    expect(parseChatModels(JSON.stringify(MODELS))).toEqual(MODELS);
    expect(parseChatModels(undefined)).toBeUndefined();
    expect(parseChatModels('')).toBeUndefined();
  });

  it('refuses bad JSON, an empty list, a model without a name or price, and an empty relay alias, naming the model', () => {
    expect(() => parseChatModels('[{"name":')).toThrow(InvalidInputError);
    expect(() => parseChatModels('[{"name":')).toThrow(/models attribute must be JSON/);
    expect(() => parseChatModels([])).toThrow(/non-empty array/);
    expect(() => parseChatModels({ name: 'x' })).toThrow(/non-empty array/);
    expect(() => parseChatModels([{ inputPrice: 1, outputPrice: 1 }])).toThrow(/models\[0\] needs a name/);
    expect(() => parseChatModels([{ name: 'x', inputPrice: -1, outputPrice: 1 }])).toThrow(
      /Model 'x': inputPrice must be a non-negative number/,
    );
    expect(() => parseChatModels([{ name: 'x', inputPrice: 1 }])).toThrow(/Model 'x': outputPrice/);
    expect(() => parseChatModels([{ name: 'x', inputPrice: 1, outputPrice: 1, relayModel: '' }])).toThrow(
      /relayModel must be a relay alias/,
    );
  });
});

describe('deploymentModels', () => {
  it('gives the router the models without their relay alias', () => {
    expect(deploymentModels(MODELS)).toEqual([
      { name: 'big', inputPrice: 5, outputPrice: 15 },
      { name: 'small', inputPrice: 0.2, outputPrice: 0.2, like: 'Meta-Llama-3.1-8B-Instruct' },
    ]);
  });
});

describe('DEMO_MODELS', () => {
  it('are four models with prices, each served by one of the demo relay’s two aliases', () => {
    expect(parseChatModels(DEMO_MODELS)).toHaveLength(4);
    expect(new Set(DEMO_MODELS.map((model) => model.relayModel))).toEqual(new Set(['strong', 'weak']));
  });
});
