import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { errorMessage, InvalidInputError } from '../core/index.ts';

/** One row of a prompt or benchmark file: CSV cells are strings, JSONL values are any JSON. */
export type FileRecord = Readonly<Record<string, unknown>>;

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(error);
    throw new InvalidInputError(`Cannot read ${file}: ${reason}.`, { cause: error });
  }
}

/** Parses JSON Lines text: one JSON object per non-blank line. Errors name the file and line. */
export function parseJsonl(text: string, file: string): FileRecord[] {
  const records: FileRecord[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InvalidInputError(`${file}, line ${index + 1}: not valid JSON (${errorMessage(error)}).`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidInputError(`${file}, line ${index + 1}: expected a JSON object.`);
    }
    records.push(value as FileRecord);
  });
  return records;
}

/**
 * Parses CSV text with a header row (RFC 4180 quoting: MMLU prompts are quoted multi-line fields). A byte order
 * mark is skipped; a row with a different number of cells than the header is an error naming its line.
 */
export function parseCsv(text: string, file: string): FileRecord[] {
  try {
    return parse<FileRecord>(text, { columns: true, bom: true, skip_empty_lines: true });
  } catch (error) {
    if (error instanceof CsvError) throw new InvalidInputError(`${file}: ${error.message}`, { cause: error });
    throw error;
  }
}

export async function readJsonl(file: string): Promise<FileRecord[]> {
  return parseJsonl(await readText(file), file);
}

export async function readCsv(file: string): Promise<FileRecord[]> {
  return parseCsv(await readText(file), file);
}

/** Reads a CSV or JSONL file by its extension (.csv; .jsonl or .ndjson). An empty file is an error. */
export async function readRecords(file: string): Promise<FileRecord[]> {
  const extension = path.extname(file).toLowerCase();
  if (extension !== '.csv' && extension !== '.jsonl' && extension !== '.ndjson') {
    throw new InvalidInputError(`${file}: expected a .csv or .jsonl file.`);
  }
  const records = extension === '.csv' ? await readCsv(file) : await readJsonl(file);
  if (records.length === 0) throw new InvalidInputError(`${file} has no rows.`);
  return records;
}

/** Fails when any of the fields is absent from the first record (the header, for a CSV), listing what exists. */
export function requireFields(records: readonly FileRecord[], fields: readonly string[], file: string): void {
  const present = Object.keys(records[0] ?? {});
  const missing = fields.filter((field) => !present.includes(field));
  if (missing.length > 0) {
    const names = missing.map((field) => `'${field}'`).join(', ');
    throw new InvalidInputError(
      `${file} has no ${missing.length === 1 ? 'column' : 'columns'} ${names} (it has: ${present.join(', ')}).`,
    );
  }
}
