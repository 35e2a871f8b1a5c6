/**
 * Reader of `data/prices/model-prices.json` (see its README): list prices in USD per 1M input and output tokens for
 * every model of the shared datasets, keyed by the datasets' spellings, with an alias map for other spellings. A model
 * is looked up by its own spelling (a key or an alias of the table), else by its canonical name (model-names.ts), so
 * `Meta-Llama-3.1-70B-Instruct` in the golden folders finds MMLU-Pro's `Meta-Llama-3_1-70B-Instruct`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../core/index.ts';
import { canonicalModelName } from './model-names.ts';

export const MODEL_PRICES_FILE = path.join('data', 'prices', 'model-prices.json');

export interface ModelPrice {
  /** The table's key the price was read from. */
  readonly key: string;
  /** USD per 1M tokens. */
  readonly inputPrice: number;
  readonly outputPrice: number;
  readonly estimated: boolean;
}

export interface ModelPriceTable {
  /** The price of a model as a dataset spells it, or undefined when the table has none. */
  priceOf(spelling: string, canonical: string): ModelPrice | undefined;
  readonly asOf: string;
}

/** Canonical names of the table's own spellings: a spelling the alias table does not know stays itself. */
const PRICE_SOURCE = 'prices';

export async function loadModelPrices(sharedDir: string): Promise<ModelPriceTable> {
  const file = path.join(sharedDir, MODEL_PRICES_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InvalidInputError(`Cannot read the price table ${file}: ${(error as Error).message}`);
  }
  const table = json as {
    asOf?: unknown;
    aliases?: Record<string, string>;
    prices?: Record<string, { input?: unknown; output?: unknown; estimated?: unknown }>;
  };
  if (typeof table.prices !== 'object' || table.prices === null) {
    throw new InvalidInputError(`${file}: no 'prices' map.`);
  }
  const bySpelling = new Map<string, ModelPrice>();
  for (const [key, entry] of Object.entries(table.prices)) {
    const { input, output } = entry;
    if (typeof input !== 'number' || typeof output !== 'number' || input < 0 || output < 0) {
      throw new InvalidInputError(`${file}: '${key}' needs non-negative 'input' and 'output' prices.`);
    }
    bySpelling.set(key, { key, inputPrice: input, outputPrice: output, estimated: entry.estimated === true });
  }
  for (const [alias, key] of Object.entries(table.aliases ?? {})) {
    const price = bySpelling.get(key);
    if (price === undefined)
      throw new InvalidInputError(`${file}: alias '${alias}' names '${key}', which has no price.`);
    bySpelling.set(alias, price);
  }
  const byCanonical = new Map<string, ModelPrice>();
  for (const [spelling, price] of bySpelling) {
    const canonical = canonicalModelName(PRICE_SOURCE, spelling);
    if (!canonical.startsWith(`${PRICE_SOURCE}/`) && !byCanonical.has(canonical)) byCanonical.set(canonical, price);
  }
  return {
    asOf: typeof table.asOf === 'string' ? table.asOf : 'unknown',
    priceOf: (spelling, canonical) => bySpelling.get(spelling) ?? byCanonical.get(canonical),
  };
}
