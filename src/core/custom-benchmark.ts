import { createBenchmark, type Benchmark } from './benchmark.ts';
import { InvalidInputError } from './errors.ts';

/** Which fields of a user's rows hold the prompt and each model's quality. */
export interface CustomBenchmarkFields {
  readonly prompt: string;
  readonly weak: string;
  readonly strong: string;
}

export interface CustomBenchmarkSource {
  readonly name?: string;
  /** Rows as read from a CSV (strings) or JSONL (any JSON values) file, in file order. */
  readonly records: readonly Readonly<Record<string, unknown>>[];
  readonly fields: CustomBenchmarkFields;
  readonly weakModel?: string;
  readonly strongModel?: string;
}

type QualityValue = { kind: 'correctness'; value: boolean } | { kind: 'score'; value: number };

/** true/false (JSON or text, any case) is correctness; a number or numeric text is a score. */
function readQuality(raw: unknown): QualityValue | undefined {
  if (typeof raw === 'boolean') return { kind: 'correctness', value: raw };
  if (typeof raw === 'number') return Number.isFinite(raw) ? { kind: 'score', value: raw } : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return { kind: 'correctness', value: lower === 'true' };
  if (text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? { kind: 'score', value } : undefined;
}

/**
 * A benchmark from a user's file (RouteLLM users asked for this): a prompt field and one quality field per
 * model. Boolean qualities are answered-correctly flags and the benchmark reports "% correct"; numeric
 * qualities (a judge score, a reward) are averaged as they are. Both models' fields must be of one kind.
 * Row numbers in errors count data rows from 1.
 */
export function createCustomBenchmark(source: CustomBenchmarkSource): Benchmark {
  const { fields, records } = source;
  const name = source.name ?? 'custom';
  if (records.length === 0) throw new InvalidInputError(`Benchmark '${name}' has no rows.`);

  let kind: QualityValue['kind'] | undefined;
  const items = records.map((record, index) => {
    const row = index + 1;
    const prompt = record[fields.prompt];
    if (typeof prompt !== 'string') {
      throw new InvalidInputError(`Row ${row}: field '${fields.prompt}' is missing or not text.`);
    }
    const qualities = [fields.weak, fields.strong].map((field) => {
      const quality = readQuality(record[field]);
      if (!quality) {
        throw new InvalidInputError(
          `Row ${row}: field '${field}' must be true/false or a number, got ${JSON.stringify(record[field] ?? null)}.`,
        );
      }
      kind ??= quality.kind;
      if (quality.kind !== kind) {
        throw new InvalidInputError(`Row ${row}: field '${field}' mixes true/false and numeric qualities.`);
      }
      return quality.kind === 'correctness' ? (quality.value ? 100 : 0) : quality.value;
    });
    return { id: String(row), prompt, weakQuality: qualities[0]!, strongQuality: qualities[1]! };
  });

  return createBenchmark({
    name,
    weakModel: source.weakModel ?? fields.weak,
    strongModel: source.strongModel ?? fields.strong,
    qualityUnit: kind === 'correctness' ? '% correct' : 'quality',
    items,
  });
}
