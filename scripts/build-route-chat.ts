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
import { cp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'vite';
import { isEntryPoint, parseCommandArgs, processIO, runCommand, type CommandIO } from '../src/cli/command.ts';
import { PROJECT_ROOT } from '../src/node/paths.ts';
import { InvalidInputError } from '../src/core/errors.ts';
import { DEFAULT_MODEL } from '../src/encoder/index.ts';
import { buildUseLite } from '../src/node/onnx/build-use-lite.ts';

const OPTIONS = { out: { type: 'string', default: path.join('dist', 'route-chat') }, help: { type: 'boolean', default: false } } as const;
/** What the browser loads of the encoder folder: int8 weights (the default variant), tokenizer and configs. */
const ENCODER_FILES = /^(config\.json|tokenizer\.json|tokenizer_config\.json|README\.md|onnx\/model_int8\.onnx)$/;

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

export async function buildRouteChat(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (args.help) {
    io.stdout.write('Usage: npm run build:element -- [--out dist/route-chat]\n');
    return;
  }
  const outDir = path.resolve(args.out);
  if (outDir === PROJECT_ROOT || !outDir.startsWith(PROJECT_ROOT + path.sep)) throw new InvalidInputError(`--out must be a folder inside the project, got ${outDir}.`);
  buildUseLite({});
  await rm(outDir, { recursive: true, force: true });

  await build({
    root: PROJECT_ROOT,
    configFile: path.join(PROJECT_ROOT, 'vite.config.ts'),
    mode: 'production',
    logLevel: 'warn',
    publicDir: false,
    // Asset URLs (the worker) relative to route-chat.js, wherever the folder is served.
    base: './',
    build: {
      outDir,
      emptyOutDir: true,
      lib: { entry: path.join(PROJECT_ROOT, 'src/elements/route-chat-standalone.ts'), formats: ['es'], fileName: () => 'route-chat.js' },
    },
  });

  const encoderFrom = path.join(PROJECT_ROOT, 'public', 'models', DEFAULT_MODEL);
  await cp(encoderFrom, path.join(outDir, 'models', DEFAULT_MODEL), {
    recursive: true,
    filter: (source) => {
      const relative = path.relative(encoderFrom, source).split(path.sep).join('/');
      return relative === '' || relative === 'onnx' || ENCODER_FILES.test(relative);
    },
  });
  const routersFrom = path.join(PROJECT_ROOT, 'public', 'routers');
  const routers = await readdir(routersFrom).catch(() => [] as string[]);
  if (routers.length > 0) await cp(routersFrom, path.join(outDir, 'routers'), { recursive: true });

  const megabytes = ((await folderBytes(outDir)) / 1e6).toFixed(1);
  io.stdout.write(`Wrote ${path.relative(process.cwd(), outDir)} (${megabytes} MB): route-chat.js, the worker, ort/, models/${DEFAULT_MODEL}/ and ${routers.length} router(s)${routers.length ? ` (${routers.join(', ')})` : ''}.\n`);
}

if (isEntryPoint(import.meta.url)) process.exitCode = await runCommand(buildRouteChat, process.argv.slice(2), processIO);
