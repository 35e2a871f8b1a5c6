import { describe, expect, it } from 'vitest';
import { GOLDEN_SOURCES, loadGolden } from '../../src/training/golden.ts';
import { jsonl, sharedFixture } from './shared-fixture.ts';

function folders(rowsOf: (source: string) => object[]): Record<string, string> {
  return Object.fromEntries(
    Object.keys(GOLDEN_SOURCES).map((source) => [`data/golden/${source}/golden.jsonl`, jsonl(rowsOf(source))]),
  );
}

describe('loadGolden', () => {
  it("reads every model's correctness and maps the deployment pair per source", async () => {
    const shared = await sharedFixture(
      folders((source) => {
        const { strong, weak } = GOLDEN_SOURCES[source]!;
        return [
          {
            id: 1,
            prompt: `${source} question`,
            task: 't',
            [strong]: 1,
            [weak]: 0.25,
            other: 0,
            [`${strong}__dps_norm`]: 55,
          },
          { id: 2, prompt: null, task: 't', [strong]: 1, [weak]: 1 },
          { id: 3, prompt: 'no pair results', task: 't', other: 1 },
        ];
      }),
    );
    const data = await loadGolden(shared);
    expect(data.rows).toHaveLength(Object.keys(GOLDEN_SOURCES).length);
    expect(data.skipped).toBe(2 * Object.keys(GOLDEN_SOURCES).length);
    const crux = data.rows.find((row) => row.source === 'zeroeval_crux')!;
    expect(crux).toMatchObject({ family: 'code-reasoning', strongCorrect: 1, weakCorrect: 0.25 });
    expect([...crux.correctness.keys()].sort()).toEqual(
      [GOLDEN_SOURCES['zeroeval_crux']!.strong, GOLDEN_SOURCES['zeroeval_crux']!.weak, 'other'].sort(),
    );
  });

  it('rejects a correctness outside [0, 1]', async () => {
    const shared = await sharedFixture(folders(() => [{ id: 1, prompt: 'q', task: 't', model: 2 }]));
    await expect(loadGolden(shared)).rejects.toThrow(/model 'model' must have a correctness in \[0, 1\]/);
  });
});
