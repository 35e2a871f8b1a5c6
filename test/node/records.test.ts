import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.ts';
import { parseCsv, parseJsonl, readRecords, requireFields } from '../../src/node/records.ts';

describe('records', () => {
  it('parses CSV with a header, quoted multi-line fields, escaped quotes and a BOM', () => {
    const records = parseCsv('\uFEFFprompt,ok\n"He said ""hi""\nthen left",True\n', 'x.csv');
    expect(records).toEqual([{ prompt: 'He said "hi"\nthen left', ok: 'True' }]);
  });

  it('reports a CSV row with the wrong number of cells as bad input', () => {
    expect(() => parseCsv('a,b\n1,2,3\n', 'x.csv')).toThrow(InvalidInputError);
    expect(() => parseCsv('a,b\n1,2,3\n', 'x.csv')).toThrow(/^x\.csv: /);
  });

  it('parses JSON Lines, skipping blank lines, and names the line of an error', () => {
    expect(parseJsonl('{"a":1}\n\n{"a":2}\r\n', 'x.jsonl')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(() => parseJsonl('{"a":1}\n{oops\n', 'x.jsonl')).toThrow(/x\.jsonl, line 2: not valid JSON/);
    expect(() => parseJsonl('[1,2]\n', 'x.jsonl')).toThrow(/line 1: expected a JSON object/);
  });

  it('reads by extension and refuses empty, missing and unknown files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'routellm-records-'));
    const empty = path.join(dir, 'empty.csv');
    writeFileSync(empty, '');
    await expect(readRecords(empty)).rejects.toThrow(`${empty} has no rows.`);
    const headerOnly = path.join(dir, 'header.csv');
    writeFileSync(headerOnly, 'prompt\n');
    await expect(readRecords(headerOnly)).rejects.toThrow('has no rows');
    await expect(readRecords(path.join(dir, 'nope.jsonl'))).rejects.toThrow(/Cannot read .*nope\.jsonl: no such file/);
    await expect(readRecords(path.join(dir, 'prompts.txt'))).rejects.toThrow(/expected a \.csv or \.jsonl file/);
  });

  it('requireFields lists the columns that do exist', () => {
    expect(() => requireFields([{ a: '1', b: '2' }], ['a', 'c', 'd'], 'f.csv')).toThrow(
      "f.csv has no columns 'c', 'd' (it has: a, b).",
    );
    expect(() => requireFields([{ a: '1' }], ['a'], 'f.csv')).not.toThrow();
  });

  it('refuses a file that is not UTF-8, naming the first bad byte and its line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'records-'));
    const latin1 = path.join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from('prompt,ok\ncaf\u00e9 au lait,True\nna\u00efve,False\n', 'latin1'));
    await expect(readRecords(latin1)).rejects.toThrow(
      new InvalidInputError(`${latin1} is not UTF-8 text (invalid byte 0xe9 at offset 13, line 2): save it as UTF-8.`),
    );
    const utf8 = path.join(dir, 'utf8.csv');
    writeFileSync(utf8, 'prompt,ok\ncaf\u00e9 au lait \u2014 \u{1F600},True\n');
    expect(await readRecords(utf8)).toEqual([{ prompt: 'caf\u00e9 au lait \u2014 \u{1F600}', ok: 'True' }]);
  });
});
