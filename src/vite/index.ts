/**
 * `routellm-web/vite`: everything a Vite app needs to route on the device, in one plugin with no options.
 *
 *   import { routellmWeb } from 'routellm-web/vite';
 *   export default defineConfig({ plugins: [routellmWeb()] });
 *
 * It serves (dev, preview) and emits (build) what the router Web Worker fetches: onnxruntime-web's runtime at
 * /ort/, the offline encoder at /models/ and the trained routers at /routers/; sets the cross-origin isolation
 * headers that let onnxruntime-web use threads; picks onnxruntime-web's build that does not inline its 27 MB
 * runtime as base64; builds workers as ES modules; and keeps the package out of dependency pre-bundling, which
 * would cut the worker off from the files it sits next to.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Connect, defaultClientConditions, type Plugin } from 'vite';
import { BROWSER_ENCODER_FILES, ORT_BUILD_FILES, SERVED_FOLDERS } from '../core/index.ts';

export interface RouteLlmWebPluginOptions {
  /**
   * Folder holding `models/` and `routers/` to serve and emit. Default: the assets inside the installed package.
   * `false` when the app serves them itself (from its `public/` folder, as this repository does).
   */
  assets?: string | false;
}

/** Cross-origin isolation: threaded WASM needs SharedArrayBuffer, which browsers give only to isolated pages. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
};

/** The package's own assets folder: <package>/assets, two folders up from dist/vite/ (and from src/vite/). */
export function packageAssetsDir(): string {
  return fileURLToPath(new URL(['..', '..', 'assets'].join('/'), import.meta.url));
}

/** onnxruntime-web's dist/ folder, resolved from this package (the exact version it depends on). */
export function ortDistDir(): string {
  // The package exports no package.json; its Node entry sits in dist/ beside the runtime files.
  return path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
}

/** Every served file: its URL path (without the leading '/') and where it is on disk. */
export function servedFiles(assetsDir: string | false): Map<string, string> {
  const files = new Map<string, string>();
  const ortDir = ortDistDir();
  for (const build of Object.values(ORT_BUILD_FILES)) {
    for (const file of [build.mjs, build.wasm]) files.set(`${SERVED_FOLDERS.ort}${file}`, path.join(ortDir, file));
  }
  if (assetsDir === false) return files;
  const modelsDir = path.join(assetsDir, SERVED_FOLDERS.models);
  for (const model of existsSync(modelsDir) ? readdirSync(modelsDir) : []) {
    for (const file of BROWSER_ENCODER_FILES) {
      const onDisk = path.join(modelsDir, model, file);
      if (existsSync(onDisk)) files.set(`${SERVED_FOLDERS.models}${model}/${file}`, onDisk);
    }
  }
  const routersDir = path.join(assetsDir, SERVED_FOLDERS.routers);
  for (const router of existsSync(routersDir) ? readdirSync(routersDir) : []) {
    for (const file of readdirSync(path.join(routersDir, router))) {
      const onDisk = path.join(routersDir, router, file);
      if (statSync(onDisk).isFile()) files.set(`${SERVED_FOLDERS.routers}${router}/${file}`, onDisk);
    }
  }
  return files;
}

function serve(files: ReadonlyMap<string, string>, base: string): Connect.NextHandleFunction {
  return (req, res: ServerResponse, next) => {
    const url = (req.url ?? '').split('?')[0]!;
    if (!url.startsWith(base)) return next();
    const onDisk = files.get(decodeURIComponent(url.slice(base.length)));
    if (onDisk === undefined) return next();
    res.setHeader('Content-Type', CONTENT_TYPES[path.extname(onDisk)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(onDisk).size));
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    createReadStream(onDisk).pipe(res);
  };
}

/** The Vite plugin (see the module comment). */
export function routellmWeb(options: RouteLlmWebPluginOptions = {}): Plugin {
  const assetsDir = options.assets === undefined ? packageAssetsDir() : options.assets;
  if (assetsDir !== false && !existsSync(path.join(assetsDir, SERVED_FOLDERS.models))) {
    throw new Error(`routellm-web/vite: no ${SERVED_FOLDERS.models} in ${assetsDir}; reinstall routellm-web or pass { assets: <folder> }.`);
  }
  const files = servedFiles(assetsDir);
  let base = '/';
  return {
    name: 'routellm-web',
    config() {
      return {
        // Set conditions replace Vite's defaults, so they are listed again after ours.
        resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
        server: { headers: { ...ISOLATION_HEADERS } },
        preview: { headers: { ...ISOLATION_HEADERS } },
        optimizeDeps: { exclude: ['routellm-web', 'onnxruntime-web', '@huggingface/transformers'] },
        worker: { format: 'es' },
      };
    },
    configResolved(config) {
      base = config.base.startsWith('/') ? config.base : '/';
    },
    configureServer(server) {
      server.middlewares.use(serve(files, base));
    },
    configurePreviewServer(server) {
      server.middlewares.use(serve(files, base));
    },
    generateBundle() {
      for (const [fileName, onDisk] of files) this.emitFile({ type: 'asset', fileName, source: readFileSync(onDisk) });
    },
  };
}

export default routellmWeb;
