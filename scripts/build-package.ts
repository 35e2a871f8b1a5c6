/**
 * `npm run build:package` (run by `npm pack` / `npm publish` through `prepack`): what the published packages hold.
 *
 *   dist/      ES modules and .d.ts of every public entry (tsc, tsconfig.build.json: decorators lowered, .js imports);
 *              dist/worker/router-worker.js is one bundle with transformers.js's browser build inside, so browser
 *              apps never install @huggingface/transformers (whose onnxruntime-node downloads at install time)
 *   assets/    what a page serves: models/<encoder>/ (int8 only), routers/<name>/, ort/ (onnxruntime-web's WASM-only
 *              build), and the one-script element route-chat.js with its worker, which finds them beside itself
 *   packages/relay/  the relay alone as the package `routellm-relay` (see its package.json): a relay-only install
 *              gets Hono and nothing of the inference stack
 *
 *   tsx scripts/build-package.ts
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, defaultClientConditions } from 'vite';
import { copyServedFiles, ROUTE_CHAT_SCRIPT, servedFiles } from '../src/assets/index.ts';
import { isEntryPoint, processIO, runCommand, type CommandIO } from '../src/cli/command.ts';
import { InvalidInputError, ORT_BUILD_FILES, SERVED_FOLDERS } from '../src/core/index.ts';
import { buildUseLite } from '../src/node/onnx/build-use-lite.ts';
import { PROJECT_ROOT } from '../src/node/paths.ts';

/**
 * Routers the package carries. `classifier` is left out: it runs its own 7 MB ONNX model (encoder and head in one
 * graph), which would double the download, and it is below `length` on GSM8K (see the README's router table).
 */
export const PACKAGED_ROUTERS = ['irt', 'knn-gain', 'mf', 'sw-ranking'] as const;

const DIST = path.join(PROJECT_ROOT, 'dist');
const ASSETS = path.join(PROJECT_ROOT, 'assets');
const RELAY_PACKAGE = path.join(PROJECT_ROOT, 'packages', 'relay');

// The consumer's bundler resolves onnxruntime-web (a dependency) with the condition our Vite plugin sets.
const EXTERNAL_ORT = /^onnxruntime-web(\/.*)?$/;

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new InvalidInputError(`${command} ${args.join(' ')} failed (exit ${result.status}).`);
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** The worker as one module: comlink and transformers.js's browser build inside, onnxruntime-web left to the app. */
async function bundleWorker(): Promise<void> {
  await build({
    configFile: false,
    root: PROJECT_ROOT,
    logLevel: 'warn',
    publicDir: false,
    resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
    build: {
      outDir: path.join(DIST, 'worker'),
      emptyOutDir: false,
      minify: false,
      lib: {
        entry: path.join(PROJECT_ROOT, 'src/worker/router-worker.ts'),
        formats: ['es'],
        fileName: () => 'router-worker.js',
      },
      rolldownOptions: { external: EXTERNAL_ORT, output: { codeSplitting: false } },
    },
  });
  // tsc keeps `new URL('./router-worker.ts', import.meta.url)` as written; the compiled client starts the bundle.
  const clientFile = path.join(DIST, 'worker', 'worker-client.js');
  const client = await readFile(clientFile, 'utf8');
  const patched = client.replace(
    "new URL('./router-worker.ts', import.meta.url)",
    "new URL('./router-worker.js', import.meta.url)",
  );
  if (patched === client)
    throw new InvalidInputError(`${clientFile} no longer starts ./router-worker.ts: update build-package.ts.`);
  await writeFile(clientFile, patched);
}

/** route-chat.js with the SDK and lit inside, and its worker beside it, at the top of `outDir`. */
export async function buildElement(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: PROJECT_ROOT,
    logLevel: 'warn',
    publicDir: false,
    // Asset URLs (the worker) relative to route-chat.js, wherever the folder is served.
    base: './',
    resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
    worker: { format: 'es' },
    build: {
      outDir,
      emptyOutDir: false,
      lib: {
        entry: path.join(PROJECT_ROOT, 'src/elements/route-chat-standalone.ts'),
        formats: ['es'],
        fileName: () => ROUTE_CHAT_SCRIPT,
      },
    },
  });
}

async function copyRoutingFiles(): Promise<void> {
  const fromPublic = servedFiles(path.join(PROJECT_ROOT, 'public'));
  const packaged = new Map(
    [...fromPublic].filter(([urlPath]) => {
      // Only the WASM-only build: the element served straight from node_modules runs on WASM; the Vite plugin and
      // the assets command serve both builds from the onnxruntime-web dependency.
      if (urlPath.startsWith(SERVED_FOLDERS.ort))
        return Object.values(ORT_BUILD_FILES.wasm).some((file) => urlPath === `${SERVED_FOLDERS.ort}${file}`);
      if (urlPath.startsWith(SERVED_FOLDERS.routers))
        return PACKAGED_ROUTERS.some((router) => urlPath.startsWith(`${SERVED_FOLDERS.routers}${router}/`));
      return true;
    }),
  );
  for (const router of PACKAGED_ROUTERS) {
    if (
      ![...packaged.keys()].some((urlPath) => urlPath.startsWith(`${SERVED_FOLDERS.routers}${router}/manifest.json`))
    ) {
      throw new InvalidInputError(`public/routers/${router}/ has no manifest.json: train it before packing.`);
    }
  }
  await copyServedFiles(packaged, ASSETS);
}

/** packages/relay/dist: the compiled relay (it imports nothing outside src/relay, which a test checks). */
async function buildRelayPackage(): Promise<void> {
  const target = path.join(RELAY_PACKAGE, 'dist');
  await rm(target, { recursive: true, force: true });
  await cp(path.join(DIST, 'relay'), target, { recursive: true });
  await cp(path.join(PROJECT_ROOT, 'LICENSE'), path.join(RELAY_PACKAGE, 'LICENSE'));
}

export async function buildPackage(argv: readonly string[], io: CommandIO): Promise<void> {
  if (argv.length > 0) throw new InvalidInputError('build:package takes no arguments.');
  buildUseLite({});
  await rm(DIST, { recursive: true, force: true });
  await rm(ASSETS, { recursive: true, force: true });
  run(process.execPath, [
    path.join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    'tsconfig.build.json',
  ]);
  // The relay's default config and the provider examples are read or copied by users next to the compiled relay.
  await cp(path.join(PROJECT_ROOT, 'src/relay/relay.config.json'), path.join(DIST, 'relay', 'relay.config.json'));
  await cp(path.join(PROJECT_ROOT, 'src/relay/examples'), path.join(DIST, 'relay', 'examples'), { recursive: true });
  await bundleWorker();
  await mkdir(ASSETS, { recursive: true });
  await buildElement(ASSETS);
  await copyRoutingFiles();
  await buildRelayPackage();
  const megabytes = async (folder: string) => ((await folderBytes(folder)) / 1e6).toFixed(1);
  io.stdout.write(
    `Wrote dist/ (${await megabytes(DIST)} MB), assets/ (${await megabytes(ASSETS)} MB) and packages/relay/dist/.\n`,
  );
}

if (isEntryPoint(import.meta.url)) process.exitCode = await runCommand(buildPackage, process.argv.slice(2), processIO);
