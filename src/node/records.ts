import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { errorMessage, InvalidInputError } from '../core/index.ts';

/** One row of a prompt or benchmark file: CSV cells are strings, JSONL values are any JSON. */
export type FileRecord = Readonly<Record<string, unknown>>;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a text file that must be UTF-8: other encodings (Latin-1, UTF-16) would turn prompts into mojibake silently. */
async function readText(file: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(error);
    throw new InvalidInputError(`Cannot read ${file}: ${reason}.`, { cause: error });
  }
  try {
    return UTF8.decode(bytes);
  } catch (error) {
    const offset = firstInvalidUtf8(bytes);
    throw new InvalidInputError(
      `${file} is not UTF-8 text (invalid byte 0x${bytes[offset]!.toString(16).padStart(2, '0')} at offset ${offset}, line ${lineAt(bytes, offset)}): save it as UTF-8.`,
      { cause: error },
    );
  }
}

/** The offset of the first byte that starts no valid UTF-8 sequence (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead <= 0xdf
          ? 2
          : lead >= 0xe0 && lead <= 0xef
            ? 3
            : lead >= 0xf0 && lead <= 0xf4
              ? 4
              : 0;
    if (length === 0 || index + length > bytes.length) return index;
    const decoded = new TextDecoder('utf-8', { fatal: true });
    try {
      decoded.decode(bytes.subarray(index, index + length));
    } catch {
      return index;
    }
    index += length;
  }
  return index;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset; index++) if (bytes[index] === 0x0a) line++;
  return line;
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
