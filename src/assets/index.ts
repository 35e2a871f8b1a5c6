/**
 * The files a page serves so that routing runs on the device, found on disk (Node only): onnxruntime-web's runtime
 * from the installed onnxruntime-web, and the encoder, the trained routers and the one-script element from the
 * package's `assets/` folder. The Vite plugin serves them, `npx routellm-web assets <dir>` copies them, the package
 * build fills `assets/`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BROWSER_ENCODER_FILES, ORT_BUILD_FILES, SERVED_FOLDERS } from '../core/index.ts';

/** Cross-origin isolation: threaded WASM needs SharedArrayBuffer, which browsers give only to isolated pages. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
};

/** The one-script element's entry file, at the top of the assets folder (its model files sit beside it). */
export const ROUTE_CHAT_SCRIPT = 'route-chat.js';

/** The package's own assets folder: <package>/assets, two folders up from dist/assets/ (and from src/assets/). */
export function packageAssetsDir(): string {
  return fileURLToPath(new URL(['..', '..', 'assets', ''].join('/'), import.meta.url));
}

/** onnxruntime-web's dist/ folder, resolved from this package (the exact version it depends on). */
export function ortDistDir(): string {
  // The package exports no package.json; its Node entry sits in dist/ beside the runtime files.
  return path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
}

function filesBelow(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(path.join(folder, file)).isFile())
    .map((file) => file.split(path.sep).join('/'))
    .sort();
}

/**
 * Every file routing fetches, by URL path below the page's model base URL (no leading '/'), with where it is on
 * disk: both onnxruntime-web builds, each encoder's browser files and every router folder of `assetsDir`
 * (none when `assetsDir` is false: the app serves those itself). With `element`, also the one-script element.
 */
export function servedFiles(assetsDir: string | false, options: { element?: boolean } = {}): Map<string, string> {
  const files = new Map<string, string>();
  const ortDir = ortDistDir();
  for (const build of Object.values(ORT_BUILD_FILES)) {
    for (const file of [build.mjs, build.wasm]) files.set(`${SERVED_FOLDERS.ort}${file}`, path.join(ortDir, file));
  }
  if (assetsDir === false) return files;
  const modelsDir = path.join(assetsDir, SERVED_FOLDERS.models);
  for (const model of existsSync(modelsDir) ? readdirSync(modelsDir).sort() : []) {
    for (const file of BROWSER_ENCODER_FILES) {
      const onDisk = path.join(modelsDir, model, file);
      if (existsSync(onDisk)) files.set(`${SERVED_FOLDERS.models}${model}/${file}`, onDisk);
    }
  }
  const routersDir = path.join(assetsDir, SERVED_FOLDERS.routers);
  for (const router of existsSync(routersDir) ? readdirSync(routersDir).sort() : []) {
    for (const file of filesBelow(path.join(routersDir, router))) {
      files.set(`${SERVED_FOLDERS.routers}${router}/${file}`, path.join(routersDir, router, file));
    }
  }
  if (options.element) {
    for (const file of filesBelow(assetsDir)) {
      const top = `${file.split('/')[0]}/`;
      if (top === SERVED_FOLDERS.models || top === SERVED_FOLDERS.routers || top === SERVED_FOLDERS.ort) continue;
      files.set(file, path.join(assetsDir, file));
    }
  }
  return files;
}

/** Copies every served file into `outDir` under its URL path; returns the count and total bytes. */
export async function copyServedFiles(
  files: ReadonlyMap<string, string>,
  outDir: string,
): Promise<{ files: number; bytes: number }> {
  let bytes = 0;
  for (const [urlPath, onDisk] of files) {
    const target = path.join(outDir, ...urlPath.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(onDisk, target);
    bytes += statSync(onDisk).size;
  }
  return { files: files.size, bytes };
}
