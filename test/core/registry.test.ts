import { describe, expect, it } from 'vitest';
import { InvalidInputError, RouteError } from '../../src/core/errors.ts';
import { RouterRegistry, type RouterDefinition } from '../../src/core/registry.ts';
import type { Embedder } from '../../src/core/router.ts';
import { builtinRouters, defaultRegistry } from '../../src/core/routers.ts';

const constant = (name: string, value: number, requires: RouterDefinition['requires'] = []): RouterDefinition => ({
  name,
  description: `always ${value}`,
  requires,
  create: () => ({ name, score: async (prompts) => prompts.map(() => value) }),
});

describe('RouterRegistry', () => {
  it('creates routers by name', async () => {
    const registry = new RouterRegistry([constant('half', 0.5)]);
    const router = await registry.create('half');
    expect(await router.score(['x'])).toEqual([0.5]);
    expect(registry.names()).toEqual(['half']);
    expect(registry.has('half')).toBe(true);
  });

  it('names the known routers when asked for an unknown one', () => {
    try {
      defaultRegistry.get('mff');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RouteError);
      expect((error as RouteError).code).toBe('router_not_found');
      expect((error as RouteError).message).toBe(
        `Unknown router 'mff'. Known routers: ${builtinRouters.map((definition) => definition.name).join(', ')}.`,
      );
      expect((error as RouteError).message).toMatch(/^Unknown router 'mff'\. Known routers: length, random, /);
    }
  });

  it('refuses to create a router whose requirements are missing, and passes them when present', async () => {
    const registry = new RouterRegistry([constant('embedded', 0.25, ['embedder'])]);
    await expect(registry.create('embedded')).rejects.toThrow(
      "Router 'embedded' needs a text embedder (context.embedder), which was not provided.",
    );
    const embedder: Embedder = {
      id: 'fake',
      dimensions: 1,
      embed: async (texts) => texts.map(() => new Float32Array(1)),
    };
    await expect(registry.create('embedded', { embedder })).resolves.toMatchObject({ name: 'embedded' });
  });

  it('rejects duplicate and malformed names', () => {
    expect(() => new RouterRegistry([constant('a', 0), constant('a', 1)])).toThrow(InvalidInputError);
    expect(() => new RouterRegistry([constant('Bad_Name', 0)])).toThrow(InvalidInputError);
    expect(() => new RouterRegistry([constant('trailing-', 0)])).toThrow(InvalidInputError);
  });

  it('with() adds or replaces definitions without touching the original', async () => {
    const extended = defaultRegistry.with(constant('half', 0.5), constant('length', 1));
    expect(extended.names()).toEqual([
      ...builtinRouters.map((definition) => definition.name).filter((name) => name !== 'length'),
      'half',
      'length',
    ]);
    expect(await (await extended.create('length')).score(['x'])).toEqual([1]);
    expect(defaultRegistry.names()).toEqual(builtinRouters.map((definition) => definition.name));
  });
});

describe('built-in routers', () => {
  it('length reads maxLength from the context; random reads the seed and is averaged over 10 seeds', async () => {
    const length = await defaultRegistry.create('length', { maxLength: 3 });
    expect(await length.score(['abc'])).toEqual([0.75]);
    const random = defaultRegistry.get('random');
    expect(random.evaluationSeeds).toBe(10);
    const a = await (await defaultRegistry.create('random', { seed: 5 })).score(['x', 'y']);
    const b = await (await defaultRegistry.create('random', { seed: 5 })).score(['x', 'y']);
    expect(a).toEqual(b);
  });
});

describe('model-backed routers', () => {
  it('classifier and causal-llm need their model in the context and say which', async () => {
    await expect(defaultRegistry.create('classifier')).rejects.toThrow(
      "Router 'classifier' needs trained weights (context.weights) and a text classifier (context.textClassifier), which was not provided.",
    );
    await expect(defaultRegistry.create('causal-llm')).rejects.toThrow(
      "Router 'causal-llm' needs a causal LM label scorer (context.labelScorer), which was not provided.",
    );
    const textClassifier = {
      id: 'c',
      labels: ['weak', 'strong'],
      classify: async (texts: readonly string[]) => texts.map(() => [0.25, 0.75]),
    };
    const weights = { manifest: {}, files: new Map<string, Uint8Array>() };
    expect(await (await defaultRegistry.create('classifier', { textClassifier, weights })).score(['x'])).toEqual([
      0.75,
    ]);
    const threeWay = {
      ...textClassifier,
      labels: ['LABEL_0', 'LABEL_1', 'LABEL_2'],
      classify: async (texts: readonly string[]) => texts.map(() => [0.5, 0.3, 0.2]),
    };
    const routeLlmWeights = {
      manifest: { labelValues: { LABEL_0: 1, LABEL_1: 0, LABEL_2: 0 } },
      files: new Map<string, Uint8Array>(),
    };
    expect(
      await (await defaultRegistry.create('classifier', { textClassifier: threeWay, weights: routeLlmWeights })).score([
        'x',
      ]),
    ).toEqual([0.5]);
    await expect(
      defaultRegistry.create('classifier', {
        textClassifier,
        weights: { manifest: { labelValues: ['weak'] }, files: new Map() },
      }),
    ).rejects.toThrow("The classifier manifest's labelValues must map each label to a number.");
    const labelScorer = {
      id: 'l',
      scoreLabels: async (queries: readonly unknown[]) => queries.map(() => [1, 1, 2, 0, 0]),
    };
    expect(await (await defaultRegistry.create('causal-llm', { labelScorer })).score(['x'])).toEqual([1]);
  });
});
