import { describe, expect, it } from 'vitest';
import { firstTurn, loadArenaBattles, loadGoldenLabels } from '../../src/training/user-data.ts';
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
});
