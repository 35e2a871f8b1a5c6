import { describe, expect, it } from 'vitest';
import { renderCurvePlot } from '../../src/node/plot.ts';

const plot = renderCurvePlot({
  title: 'mt-bench: quality vs strong-model calls',
  qualityUnit: 'GPT-4 score (1-10)',
  weak: { label: 'Mixtral & co', quality: 8.28 },
  strong: { label: 'gpt-4', quality: 9.21 },
  series: [
    {
      label: 'length (APGR 0.556)',
      kind: 'router',
      points: [
        { strongPercentage: 0, quality: 8.28 },
        { strongPercentage: 50, quality: 8.8 },
        { strongPercentage: 100, quality: 9.21 },
      ],
    },
    {
      label: 'random',
      kind: 'random',
      points: [
        { strongPercentage: 0, quality: 8.28 },
        { strongPercentage: 100, quality: 9.21 },
      ],
    },
    {
      label: 'oracle',
      kind: 'oracle',
      points: [
        { strongPercentage: 0, quality: 8.28 },
        { strongPercentage: 20, quality: 9.3 },
      ],
    },
  ],
  markers: [{ label: 'Unify 8.76 @ 50%', strongPercentage: 50, quality: 8.76 }],
});

describe('renderCurvePlot', () => {
  it('is a standalone SVG with title, axis titles with units, and tick labels', () => {
    expect(plot.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(plot.trimEnd().endsWith('</svg>')).toBe(true);
    expect(plot).toContain('Strong-model calls (% of prompts)');
    expect(plot).toContain('Quality (GPT-4 score (1-10))');
    for (const tick of ['>0<', '>50<', '>100<', '>9.0<']) expect(plot).toContain(tick);
  });

  it('has a legend entry for every series, reference line and marker', () => {
    for (const label of [
      'length (APGR 0.556)',
      'random',
      'oracle',
      'Weak model only',
      'Strong model only',
      'Unify 8.76 @ 50%',
    ]) {
      expect(plot).toContain(`>${label}</text>`);
    }
  });

  it('marks router and random points but draws the oracle as a plain line', () => {
    expect(plot.match(/<circle /g)).toHaveLength(3 + 2 + 2); // points, plus the two legend samples
    expect(plot.match(/<polyline /g)).toHaveLength(3);
  });

  it('escapes text and never writes non-finite coordinates', () => {
    expect(plot).toContain('Mixtral &#38; co');
    expect(plot).not.toMatch(/NaN|Infinity/);
  });
});
