/**
 * `npm run build:element`: <route-chat> as one script for any page, in dist/route-chat/:
 *
 *   route-chat.js            the element, the SDK and lit in one ES module
 *   assets/                  the router worker (transformers.js and ONNX Runtime's glue)
 *   ort/                     ONNX Runtime's WASM runtime
 *   models/<encoder>/        the offline encoder (USE-lite, int8 only: the variant the browser runs)
 *   routers/<name>/          every trained router in public/routers/
 *
 * Serve the folder from the page's own origin (browsers only start workers from it) and write
 *   <script type="module" src="/route-chat/route-chat.js"></script>
 *   <route-chat relay-url="https://relay.example.com" router="knn-gain" strong-pct="0.3"></route-chat>
 *
 *   tsx scripts/build-route-chat.ts [--out dist/route-chat]
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { copyServedFiles, servedFiles } from '../src/assets/index.ts';
import { isEntryPoint, parseCommandArgs, processIO, runCommand, type CommandIO } from '../src/cli/command.ts';
import { InvalidInputError } from '../src/core/index.ts';
import { buildUseLite } from '../src/node/onnx/build-use-lite.ts';
import { PROJECT_ROOT } from '../src/node/paths.ts';
import { buildElement } from './build-package.ts';

const OPTIONS = {
  out: { type: 'string', default: path.join('dist', 'route-chat') },
  help: { type: 'boolean', default: false },
} as const;

export async function buildRouteChat(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (args.help) {
    io.stdout.write('Usage: npm run build:element -- [--out dist/route-chat]\n');
    return;
  }
  const outDir = path.resolve(args.out);
  if (outDir === PROJECT_ROOT || !outDir.startsWith(PROJECT_ROOT + path.sep))
    throw new InvalidInputError(`--out must be a folder inside the project, got ${outDir}.`);
  buildUseLite({});
  await rm(outDir, { recursive: true, force: true });
  await buildElement(outDir);
  // Everything this checkout serves: both onnxruntime-web builds, the encoders and every trained router.
  const { files, bytes } = await copyServedFiles(servedFiles(path.join(PROJECT_ROOT, 'public')), outDir);
  io.stdout.write(
    `Wrote ${path.relative(process.cwd(), outDir)}: route-chat.js, its worker, ort/, models/ and routers/ (${files} files, ${(bytes / 1e6).toFixed(1)} MB besides the scripts).\n`,
  );
}

if (isEntryPoint(import.meta.url))
  process.exitCode = await runCommand(buildRouteChat, process.argv.slice(2), processIO);
