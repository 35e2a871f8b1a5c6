import { describe, expect, it } from 'vitest';
import {
  chooseUserPair,
  firstTurn,
  loadArenaBattles,
  loadGoldenLabels,
  loadUserData,
  userTestBenchmark,
} from '../../src/training/user-data.ts';
import { sharedFixture } from './shared-fixture.ts';

describe('user training files', () => {
  it('reads Arena-style battles, taking the first turn of a JSON conversation', async () => {
    const root = await sharedFixture({
      'battles.csv':
        'model_a,model_b,prompt,winner_model_a,winner_model_b,winner_tie\nbig,small,"[""Hi there"", ""and more""]",1,0,0\nbig,small,plain text,0,0,1\n',
    });
    expect(await loadArenaBattles(`${root}/battles.csv`)).toEqual([
      { prompt: 'Hi there', modelA: 'big', modelB: 'small', winRateA: 1 },
      { prompt: 'plain text', modelA: 'big', modelB: 'small', winRateA: 0.5 },
    ]);
    expect(firstTurn('[not json')).toBe('[not json');
  });

  it('rejects a battle with no or two winners, and a missing column', async () => {
    const root = await sharedFixture({
      'two.csv': 'model_a,model_b,prompt,winner_model_a,winner_model_b,winner_tie\nbig,small,x,1,1,0\n',
      'missing.csv': 'model_a,model_b,prompt,winner_model_a\nbig,small,x,1\n',
    });
    await expect(loadArenaBattles(`${root}/two.csv`)).rejects.toThrow(/row 1: exactly one of/);
    await expect(loadArenaBattles(`${root}/missing.csv`)).rejects.toThrow(
      /has no columns 'winner_model_b', 'winner_tie'/,
    );
  });

  it('reads golden labels (booleans or fractions) for the chosen model columns only', async () => {
    const root = await sharedFixture({
      'gold.csv': 'prompt,gpt,mix,gpt_response\nq1,True,False,some text\nq2,0.5,1,more\n',
    });
    const rows = await loadGoldenLabels(`${root}/gold.csv`, { models: ['gpt', 'mix'] });
    expect(rows.map((row) => [row.prompt, row.correctness.get('gpt'), row.correctness.get('mix')])).toEqual([
      ['q1', 1, 0],
      ['q2', 0.5, 1],
    ]);
    await expect(loadGoldenLabels(`${root}/gold.csv`)).rejects.toThrow(
      /column 'gpt_response' must be true\/false or a number/,
    );
  });

  it('chooses the pair from the data: named and checked, or the better of exactly two models', async () => {
    const root = await sharedFixture({
      'gold.csv': 'prompt,mix,gpt\nq1,0,1\nq2,1,1\nq3,0,0\n',
      'battles.csv':
        'model_a,model_b,prompt,winner_model_a,winner_model_b,winner_tie\nbig,small,p1,1,0,0\nsmall,big,p1,0,0,1\nbig,other,p2,0,1,0\n',
    });
    const golden = await loadUserData(`${root}/gold.csv`);
    expect(golden.kind).toBe('golden');
    expect(chooseUserPair(golden, undefined, undefined)).toEqual({ strong: 'gpt', weak: 'mix' });
    const battles = await loadUserData(`${root}/battles.csv`);
    expect(battles.kind).toBe('battles');
    expect(() => chooseUserPair(battles, undefined, undefined)).toThrow(
      /has 3 models: name the pair with --strong and --weak \(models: big, other, small\)/,
    );
    expect(() => chooseUserPair(battles, 'huge', 'small')).toThrow(/has no model 'huge' \(models: big, other, small\)/);
    expect(() => chooseUserPair(battles, 'big', undefined)).toThrow(/--strong and --weak go together/);
    expect(() => chooseUserPair(battles, 'other', 'small')).toThrow(
      /no prompt on which both 'other' and 'small' were judged/,
    );
    expect(chooseUserPair(battles, 'big', 'small')).toEqual({ strong: 'big', weak: 'small' });
  });

  it('scores a test as the pair does on it: % correct, or the share of the pair battles won', async () => {
    const root = await sharedFixture({
      'gold.csv': 'prompt,gpt,mix\nq1,1,0\nq2,0.5,1\n',
      'battles.csv':
        'model_a,model_b,prompt,winner_model_a,winner_model_b,winner_tie\nbig,small,p1,1,0,0\nsmall,big,p1,0,0,1\nbig,other,p2,0,1,0\nsmall,big,p3,1,0,0\n',
    });
    const golden = userTestBenchmark(await loadUserData(`${root}/gold.csv`), { strong: 'gpt', weak: 'mix' }, 'test');
    expect(golden.qualityUnit).toBe('% correct');
    expect(golden.items.map((item) => [item.prompt, item.strongQuality, item.weakQuality])).toEqual([
      ['q1', 100, 0],
      ['q2', 50, 100],
    ]);
    const battles = userTestBenchmark(
      await loadUserData(`${root}/battles.csv`),
      { strong: 'big', weak: 'small' },
      'test',
    );
    expect(battles.qualityUnit).toBe('% of battles won');
    // p1: big won once and tied once (0.75); p2 has no battle of the pair; p3: small won.
    expect(battles.items.map((item) => [item.prompt, item.strongQuality, item.weakQuality])).toEqual([
      ['p1', 75, 25],
      ['p3', 0, 100],
    ]);
  });
});
