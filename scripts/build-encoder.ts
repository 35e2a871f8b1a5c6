/**
 * npm run build:encoder: converts the TF.js Universal Sentence Encoder lite in node_modules into the offline ONNX
 * encoder under public/models/ (see src/node/onnx/). Skips the work while the output's stamp matches.
 *
 *   tsx scripts/build-encoder.ts [--out DIR] [--tfjs DIR] [--force]
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildUseLite } from '../src/node/onnx/build-use-lite.ts';
import { errorMessage } from '../src/core/errors.ts';

const USAGE = 'usage: build-encoder [--out DIR] [--tfjs DIR] [--force]';

function main(): void {
  const started = performance.now();
  const { values } = parseArgs({
    options: { out: { type: 'string' }, tfjs: { type: 'string' }, force: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  const result = buildUseLite({ outDir: values.out, tfjsDir: values.tfjs, force: values.force });
  const fromHere = relative(process.cwd(), result.outDir);
  const where = fromHere === '' ? '.' : fromHere.startsWith('..') ? result.outDir : fromHere;
  if (!result.built) {
    console.log(`build-encoder: ${where} is up to date`);
    return;
  }
  const sizes = Object.entries(result.files)
    .filter(([file]) => file.endsWith('.onnx'))
    .map(([file, bytes]) => `${file.replace('onnx/', '')} ${(bytes / 1e6).toFixed(1)} MB`)
    .join(', ');
  console.log(`build-encoder: wrote ${where} (${sizes}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

try {
  main();
} catch (error) {
  const message = errorMessage(error);
  const badArguments =
    error instanceof TypeError && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
  console.error(`build-encoder: ${message}${badArguments ? `\n${USAGE}` : ''}`);
  process.exit(1);
}
