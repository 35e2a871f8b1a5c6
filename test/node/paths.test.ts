import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { DEFAULT_SHARED_DIR, resolveSharedDir } from '../../src/node/paths.ts';

describe('resolveSharedDir', () => {
  const copy = mkdtempSync(path.join(tmpdir(), 'routellm-shared-'));
  mkdirSync(path.join(copy, 'data', 'routellm-evals'), { recursive: true });

  it('prefers --data, then ROUTELLM_DATA, then ../shared beside the checkout', () => {
    expect(resolveSharedDir(copy, { ROUTELLM_DATA: '/elsewhere' })).toBe(copy);
    expect(resolveSharedDir(undefined, { ROUTELLM_DATA: copy })).toBe(copy);
    expect(resolveSharedDir(undefined, {})).toBe(DEFAULT_SHARED_DIR);
  });

  it('names where it looked and how to fix it when the data is missing', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'routellm-empty-'));
    expect(() => resolveSharedDir(undefined, { ROUTELLM_DATA: empty })).toThrow(InvalidInputError);
    expect(() => resolveSharedDir(undefined, { ROUTELLM_DATA: empty })).toThrow(
      `Data folder not found: ${path.join(empty, 'data', 'routellm-evals')} (from ROUTELLM_DATA). Point --data or ROUTELLM_DATA at the shared folder that holds data/routellm-evals.`,
    );
  });
});
