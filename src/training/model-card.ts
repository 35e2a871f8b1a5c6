/**
 * What a trained router folder says about itself besides its weights: the licence that follows from its training
 * data (LICENSE.md and the manifest's `license`), and a model card (README.md) written from the manifest.
 */
import type { TrainingSourceName } from './dataset.ts';
import type { IrtCrossValidation } from './train-irt.ts';

/** Licences of the built-in sources, as ../shared/README.md gives them. */
export const SOURCE_LICENCES: Readonly<Record<TrainingSourceName, string>> = {
  'alpaca-eval': 'CC BY-NC 4.0 (AlpacaEval, tatsu-lab/alpaca_eval)',
  'mmlu-gold': "MIT (MMLU; RouteLLM's cached results, Apache-2.0)",
  golden: 'MIT (MATH, CRUXEval, HumanEval) and Apache-2.0 (ZeroEval, EvalPlus)',
  'gsm8k-train': 'MIT (GSM8K)',
  'mmlu-pro': 'Apache-2.0 (MMLU-Pro, TIGER-AI-Lab/MMLU-Pro)',
  'arena-battles': 'Apache-2.0 (Chatbot Arena battles, lm-sys/FastChat)',
  'pass-rates':
    'MIT (LLMRouter, ulab-uiuc/LLMRouter; GSM8K) and unlicensed labels (RouterDC, shuhao02/RouterDC: no licence file; its questions are MIT GSM8K, MATH and HumanEval)',
};

/** What the data's licences make of the weights. */
export interface WeightsLicence {
  /** The manifest's `license`. */
  readonly license: string;
  /** Licence of each kind of data, by source (user files: as the user declared it). */
  readonly dataLicences: Readonly<Record<string, string>>;
  /** LICENSE.md. */
  readonly note: string;
}

/**
 * The weights inherit CC BY-NC 4.0 only when AlpacaEval data was used; otherwise they carry the licences of their
 * data: the built-in sources' permissive ones and the licence the user declares for their own files (`--license`).
 */
export function weightsLicence(
  sources: readonly TrainingSourceName[],
  userFiles: readonly string[],
  userLicence: string | undefined,
  extraNote = '',
): WeightsLicence {
  const declared = userLicence ?? 'not declared (pass --license when training)';
  const dataLicences: Record<string, string> = Object.fromEntries(
    sources.map((source) => [source, SOURCE_LICENCES[source]]),
  );
  for (const file of userFiles) dataLicences[file] = declared;
  const nonCommercial = sources.includes('alpaca-eval');
  const license = nonCommercial
    ? 'CC BY-NC 4.0 (inherited from AlpacaEval data; see LICENSE.md)'
    : userFiles.length > 0
      ? `${declared}: the licence declared for ${userFiles.join(', ')}${sources.length > 0 ? '; other data MIT / Apache-2.0' : ''} (see LICENSE.md)`
      : 'MIT / Apache-2.0, the licences of the training data (see LICENSE.md)';
  const lines = Object.entries(dataLicences).map(([source, licence]) => `- ${source}: ${licence}`);
  const summary = nonCommercial
    ? 'These weights were trained on data that includes AlpacaEval, whose data is licensed CC BY-NC 4.0: the weights\ninherit the non-commercial licence.'
    : userFiles.length > 0
      ? `These weights were trained without AlpacaEval data. Their licence follows the training data: for the user's\nfiles, the licence their owner declared (${declared}); for built-in data, the licences below.`
      : 'These weights were trained without AlpacaEval data, on data under the MIT and Apache-2.0 licences below.';
  const note = `# Licence of these router weights\n\n${summary}\n\nTraining data and its licences:\n${lines.join('\n')}\n${extraNote ? `\n${extraNote}\n` : ''}\nSee manifest.json for the exact sources and row counts, and README.md for the model card.\n`;
  return { license, dataLicences, note };
}

interface TestResult {
  readonly APGR: number;
  readonly bootstrap?: { readonly low: number; readonly high: number };
  readonly 'CPT(50%)'?: number;
}

/** The generalisation tables a trainer may write under `training.crossValidation` (train-irt.ts writes both). */
type HeldOutTables = Partial<Pick<IrtCrossValidation, 'leaveOneSourceOut' | 'leaveOnePairOut'>>;

const fixed = (value: number | undefined, digits = 3) =>
  value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
const table = (header: readonly string[], rows: readonly (readonly string[])[]) =>
  [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

/** README.md of a trained router folder, written from its manifest: data, models, seed, metrics, intended use. */
export function modelCard(manifest: Readonly<Record<string, unknown>>): string {
  const router = String(manifest['router']);
  const data = manifest['data'] as {
    sources: readonly string[];
    files?: Readonly<Record<string, string>>;
    report: {
      read: Record<string, number>;
      kept: Record<string, number>;
      removed: Record<string, number>;
      decontaminated: { byBenchmark: Record<string, number>; checked: boolean };
      heldOut?: { exact: number; nearDuplicate: number };
    };
    rows: Record<string, number>;
  };
  const pair = manifest['pair'] as { strong: string; weak: string };
  const licences = (manifest['dataLicenses'] ?? {}) as Record<string, string>;
  const test = manifest['test'] as
    | {
        file: string;
        split: string;
        prompts: number;
        qualityUnit: string;
        results: Record<string, TestResult>;
        oracle: number;
      }
    | undefined;
  const benchmarks = manifest['benchmarks'] as Record<string, TestResult & { randomAPGR?: number }> | undefined;
  const encoder = manifest['encoder'] as { id: string };
  const parts: string[] = [];
  const userFiles = Object.values(data.files ?? {});
  parts.push(`# \`${router}\` router${userFiles.length > 0 ? ` trained on ${userFiles.join(', ')}` : ''}`);
  parts.push(
    `A \`${router}\` router for routellm-web, written by \`npm run train\`: for each prompt it scores how likely the strong model\n` +
      `(**${pair.strong}**) is needed rather than the weak one (**${pair.weak}**). Load it by path (\`--weights <this folder>\` in\n` +
      `\`npm run eval\`, \`score\`, \`calibrate\`) or by URL (\`weightsUrl\` in the SDK, \`weights-url\` on \`<route-chat>\`).`,
  );

  parts.push('## Data');
  const sources =
    data.sources.length > 0
      ? data.sources.map((source) => `\`${source}\``).join(', ')
      : "none (the user's files alone)";
  parts.push(`Built-in sources: ${sources}.`);
  parts.push(
    table(
      ['read', 'rows'],
      Object.entries(data.report.read).map(([name, count]) => [name, count.toLocaleString('en-US')]),
    ),
  );
  parts.push(
    table(
      ['kept for training', 'prompts'],
      Object.entries(data.report.kept)
        .filter(([, count]) => count > 0)
        .map(([name, count]) => [name, count.toLocaleString('en-US')]),
    ),
  );
  const removed = Object.entries(data.report.removed).filter(([, count]) => count > 0);
  const decontaminated = Object.entries(data.report.decontaminated.byBenchmark);
  parts.push(
    [
      data.report.heldOut
        ? `- Test prompts kept out of training: ${data.report.heldOut.exact} exact copies and ${data.report.heldOut.nearDuplicate} near-duplicates (cosine >= 0.95) removed.`
        : '- No user test: nothing held out.',
      !data.report.decontaminated.checked
        ? "- Not checked against RouteLLM's benchmarks (MT-Bench, MMLU, GSM8K): the shared data folder was not available."
        : decontaminated.length > 0
          ? `- Removed as (near-)copies of benchmark prompts: ${decontaminated.map(([name, count]) => `${name} ${count}`).join(', ')}.`
          : "- No training prompt was a (near-)copy of a prompt of RouteLLM's benchmarks.",
      ...removed.map(([name, count]) => `- Removed: ${name}: ${count}.`),
    ].join('\n'),
  );
  parts.push(
    table(
      ['data', 'licence'],
      Object.entries(licences).map(([name, licence]) => [name, licence]),
    ),
  );

  parts.push('## Models and training');
  const models = (manifest['parameters'] as { models?: readonly string[] } | undefined)?.models;
  parts.push(
    [
      `- Strong model: ${pair.strong}; weak model: ${pair.weak}.`,
      ...(models
        ? [
            `- Model set (${models.length}): ${models.slice(0, 20).join(', ')}${models.length > 20 ? `, and ${models.length - 20} more` : ''}.`,
          ]
        : []),
      `- Seed: ${String(manifest['seed'])} (the same seed gives byte-identical weights).`,
      `- Encoder: ${encoder.id}, long prompts pooled over 128-token windows.`,
      `- Training rows: ${Object.entries(data.rows)
        .map(([name, count]) => `${name} ${count}`)
        .join(', ')}; ${String(manifest['trainingSeconds'])} s of training.`,
    ].join('\n'),
  );

  parts.push('## Results');
  if (test) {
    parts.push(
      `On the user's test (${test.split}: ${test.prompts} prompts of ${test.file}; quality in ${test.qualityUnit}), APGR with its 95% bootstrap\n` +
        'interval (higher is better; random is about 0.5, the oracle the best possible):',
    );
    parts.push(
      table(
        ['router', 'APGR', '95% interval', 'CPT(50%)'],
        [
          ...Object.entries(test.results).map(([name, result]) => [
            name === router ? `**${name}** (this router)` : name,
            fixed(result.APGR),
            result.bootstrap ? `${fixed(result.bootstrap.low)}-${fixed(result.bootstrap.high)}` : '',
            fixed(result['CPT(50%)'], 1),
          ]),
          ['oracle', fixed(test.oracle), '', ''],
        ],
      ),
    );
  } else {
    parts.push(
      "No user test was given (`--test FILE` or `--holdout 0.2`): this router has not been checked on the user's prompts.",
    );
  }
  if (benchmarks && Object.keys(benchmarks).length > 0) {
    parts.push(
      data.sources.includes('mmlu-gold')
        ? "On RouteLLM's benchmarks (test sets; `mmlu` includes the 1,500-row gold split this router trained on, so judge MMLU\nby `mmlu-heldout`):"
        : "On RouteLLM's benchmarks (test sets, never trained on):",
    );
    parts.push(
      table(
        ['benchmark', 'APGR', '95% interval', 'random'],
        Object.entries(benchmarks)
          .filter(([name]) => name !== 'seeds')
          .map(([name, result]) => [
            name,
            fixed(result.APGR),
            result.bootstrap ? `${fixed(result.bootstrap.low)}-${fixed(result.bootstrap.high)}` : '',
            fixed(result.randomAPGR),
          ]),
      ),
    );
  }

  const crossValidation = (manifest['training'] as { crossValidation?: HeldOutTables } | undefined)?.crossValidation;
  if (crossValidation?.leaveOneSourceOut) {
    parts.push(
      'Held out of training (training data only): each source, or one task family of a source, left out of a fit of\n' +
        "the others and scored on its own model pairs: the router's gain as fitted, with the family settings, and prompt\n" +
        'length alone.',
    );
    parts.push(
      table(
        ['held out', 'prompts', 'pairs', 'gain', 'with family settings', 'length'],
        Object.entries(crossValidation.leaveOneSourceOut).map(([group, row]) => [
          group,
          String(row.prompts),
          String(row.pairs),
          fixed(row.gain),
          fixed(row.adjusted),
          fixed(row.length),
        ]),
      ),
    );
  }
  if (crossValidation?.leaveOnePairOut && Object.keys(crossValidation.leaveOnePairOut).length > 0) {
    parts.push(
      "The same with one of the source's model pairs also left out of every other source's labels (a pair the fit\n" +
        'never saw), scored on that pair; the last column is the fit that still knew the two models from elsewhere.',
    );
    parts.push(
      table(
        ['held out', 'pair', 'labels left out elsewhere', 'gain', 'with family settings', 'length', 'pair known'],
        Object.entries(crossValidation.leaveOnePairOut).map(([group, row]) => [
          group,
          `${row.strong} vs ${row.weak}`,
          String(row.labelsElsewhere),
          fixed(row.gain),
          fixed(row.adjusted),
          fixed(row.length),
          fixed(row.gainPairKnown),
        ]),
      ),
    );
  }

  parts.push('## Intended use');
  parts.push(
    `Routing prompts like those of its training data between ${pair.strong} and ${pair.weak}: send a prompt to the strong\n` +
      'model when its score is at or above a threshold (`strongPct` in the SDK picks the threshold from the calibration\n' +
      'quantiles in manifest.json). Check it on your own held-out prompts before relying on it: a router beats `length` and\n' +
      '`random` only where the numbers above say so, and other prompts, other models or another encoder need a new check.\n' +
      'It does not judge whether an answer is correct, safe or allowed.',
  );
  parts.push(`## Licence\n\n${String(manifest['license'])}`);
  return `${parts.join('\n\n')}\n`;
}
