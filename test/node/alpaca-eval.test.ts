import { describe, expect, it } from 'vitest';
import { loadAlpacaEval, modelWinRateOf } from '../../src/node/alpaca-eval.ts';
import { jsonl, sharedFixture } from '../training/shared-fixture.ts';

const files = {
  'data/alpaca-eval/instructions.jsonl': jsonl([
    { id: 0, instruction: 'Write a haiku', dataset: 'koala' },
    { id: 1, instruction: 'Reserved question', dataset: 'vicuna' },
  ]),
  'data/alpaca-eval/output_lengths.csv':
    'model,instruction_id,chars,words\ngpt4_1106_preview,0,100,20\nmodel-x,0,300,60\nexample,0,5,1\nmodel-x,1,10,2\ngpt4_1106_preview,1,10,2\n',
  'data/alpaca-eval/battle_length_overrides.csv':
    'source_path,side,instruction_id,chars,words\nresults/model-x/b/annotations.json,2,0,50,9\n',
  'data/alpaca-eval/battles_compact.csv': `${[
    'instruction_id,generator_1,generator_2,annotator,preference,source_path',
    '0,gpt4_1106_preview,model-x,alpaca_eval_gpt4,2.0,results/model-x/a/annotations.json',
    '0,gpt4_1106_preview,model-x,weighted,1.25,results/model-x/b/annotations.json',
    '0,gpt4_1106_preview,model-x,claude,0,results/model-x/c/annotations.json',
    '0,gpt4_1106_preview,model-x,claude,,results/model-x/d/annotations.json',
    '0,gpt4_1106_preview,example,claude,1,results/example/annotations.json',
    '1,gpt4_1106_preview,model-x,claude,2,results/model-x/a/annotations.json',
  ].join('\n')}\n`,
};

describe('loadAlpacaEval', () => {
  it('drops the reserved subset, the null model and unjudged rows, and reads win rates and lengths', async () => {
    const data = await loadAlpacaEval(await sharedFixture(files));
    expect(data.instructions.map((instruction) => instruction.id)).toEqual([0]);
    expect(data.removed).toEqual({
      reservedInstructions: 1,
      reservedBattles: 1,
      nullModelBattles: 1,
      unjudgedBattles: 1,
    });
    expect(data.battles.map((battle) => battle.modelWinRate)).toEqual([1, 0.25, 0.5]);
    expect(data.battles[0]).toMatchObject({
      baseline: 'gpt4_1106_preview',
      model: 'model-x',
      baselineChars: 100,
      modelChars: 300,
    });
    expect(data.battles[1]!.modelChars).toBe(50);
  });

  it('fails on a missing answer length, naming the row', async () => {
    const broken = {
      ...files,
      'data/alpaca-eval/output_lengths.csv': 'model,instruction_id,chars,words\nmodel-x,0,300,60\n',
    };
    await expect(loadAlpacaEval(await sharedFixture(broken))).rejects.toThrow(
      /row 1: no answer length for gpt4_1106_preview on instruction 0/,
    );
  });
});

describe('modelWinRateOf', () => {
  it("maps AlpacaEval preferences to the model's win rate", () => {
    expect(modelWinRateOf('1', 'x')).toBe(0);
    expect(modelWinRateOf('2.0', 'x')).toBe(1);
    expect(modelWinRateOf('0', 'x')).toBe(0.5);
    expect(modelWinRateOf(' ', 'x')).toBeUndefined();
    expect(() => modelWinRateOf('3', 'x')).toThrow(/preference must be 0 or in \[1, 2\]/);
  });
});
