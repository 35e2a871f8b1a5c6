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
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { type Connect, defaultClientConditions, type Plugin } from 'vite';
import { CONTENT_TYPES, ISOLATION_HEADERS, packageAssetsDir, servedFiles } from '../assets/index.ts';
import { ModelLoadError, SERVED_FOLDERS } from '../core/index.ts';

export interface RouteLlmWebPluginOptions {
  /**
   * Folder holding `models/` and `routers/` to serve and emit. Default: the assets inside the installed package.
   * `false` when the app serves them itself (from its `public/` folder, as this repository does).
   */
  assets?: string | false;
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
    throw new ModelLoadError(
      `routellm-web/vite: no ${SERVED_FOLDERS.models} in ${assetsDir}; reinstall routellm-web or pass { assets: <folder> }.`,
      'model_not_found',
    );
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
