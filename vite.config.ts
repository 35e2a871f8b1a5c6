import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultClientConditions } from 'vite';
import { defineConfig, type Plugin } from 'vitest/config';
import { ORT_BUILD_FILES } from './src/core/index.ts';

// Threaded WASM (SharedArrayBuffer) needs a cross-origin isolated page.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const ortDist = join(import.meta.dirname, 'node_modules/onnxruntime-web/dist');
// Both onnxruntime-web builds the encoder picks from: WASM-only (fast on the CPU) and WebGPU (see ort-build.ts).
const ortRuntimeFiles = Object.values(ORT_BUILD_FILES).flatMap((files) => [files.mjs, files.wasm]);

/**
 * Serves ONNX Runtime's wasm runtime from this origin at /ort/ (dev) and emits it into the build, so the browser
 * never fetches it from a CDN (transformers.js's default).
 */
function serveOrtRuntime(): Plugin {
  const contentTypes: Record<string, string> = { '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
  return {
    name: 'routellm-web:ort-runtime',
    configureServer(server) {
      server.middlewares.use('/ort/', (req, res, next) => {
        const file = (req.url ?? '').split('?')[0]!.replace(/^\//, '');
        if (!ortRuntimeFiles.includes(file)) return next();
        const path = join(ortDist, file);
        if (!existsSync(path)) return next();
        res.setHeader('Content-Type', contentTypes[file.slice(file.lastIndexOf('.'))]!);
        for (const [name, value] of Object.entries(isolationHeaders)) res.setHeader(name, value);
        createReadStream(path).pipe(res);
      });
    },
    generateBundle() {
      for (const file of ortRuntimeFiles) {
        this.emitFile({ type: 'asset', fileName: `ort/${file}`, source: readFileSync(join(ortDist, file)) });
      }
    },
  };
}

export default defineConfig({
  // 'mpa': a missing model file is a 404, not index.html with status 200.
  appType: 'mpa',
  plugins: [serveOrtRuntime()],
  // onnxruntime-web's default build inlines its 27 MB WASM runtime as base64 (twice, in a built worker); pages
  // fetch the runtime from /ort/ (wasmPaths) anyway, so bundles take the build that does not embed it.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  server: {
    headers: isolationHeaders,
    // Outputs written while the server runs (caches, reports) must not reload open pages mid-test.
    watch: { ignored: ['**/.cache/**', '**/eval-results/**', '**/bench-results/**', '**/test-results/**'] },
  },
  preview: { headers: isolationHeaders },
  optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
  worker: { format: 'es' },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
