/**
 * `npm run bench:cold-load`: what a first visit costs, for the demo page (`npm start`'s dev server) and for the
 * one-script element (`npm run build:element`'s output behind a plain static server). A fresh browser context per run
 * (empty cache) loads the page, sends "Hi" as soon as the element exists, and records every response of the page
 * and its worker. Prints, per target: requests, the files fetched more than once, the bytes as served and as gzip
 * would send them (each body gzipped here: the servers send them uncompressed), and the time from navigation to the
 * first routing decision (the median of the runs). Figures, not a test.
 *
 *   tsx scripts/bench-cold-load.ts [--root DIR] [--runs N] [--target demo|element|both] [--router NAME] [--demo-router NAME]
 *
 * The demo is measured as it opens (its default router), or with --demo-router set on its chat before the first
 * message; the element with --router (default knn-gain, which loads the encoder: the cost most pages pay).
 *
 * --root measures another checkout (e.g. an older commit unpacked with its node_modules and public/models linked).
 */
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from '@playwright/test';
import { createServer as createViteServer } from 'vite';
import {
  isEntryPoint,
  parseCommandArgs,
  parseNumberFlag,
  processIO,
  runCommand,
  type CommandIO,
} from '../src/cli/command.ts';
import { InvalidInputError } from '../src/core/errors.ts';
import { PROJECT_ROOT } from '../src/node/paths.ts';

const OPTIONS = {
  root: { type: 'string' },
  runs: { type: 'string', default: '3' },
  target: { type: 'string', default: 'both' },
  router: { type: 'string', default: 'knn-gain' },
  'demo-router': { type: 'string' },
} as const;

const ELEMENT_DIR = path.join('dist', 'bench-route-chat');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

interface LoadFigures {
  requests: number;
  duplicates: string[];
  bytes: number;
  gzipBytes: number;
  firstRouteMs: number;
}

/** A static server over `root`, plus the one page the element is measured on. */
async function serveElement(root: string, router: string): Promise<{ url: string; server: Server }> {
  const page = `<!doctype html><html><head><meta charset="utf-8"><script type="module" src="/${ELEMENT_DIR}/route-chat.js"></script></head>
<body><route-chat relay-url="http://127.0.0.1:9" router="${router}" strong-pct="0.5"></route-chat></body></html>`;
  const server = createHttpServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    if (pathname === '/bench.html') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    const file = path.join(root, pathname);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bench.html`, server };
}

async function measure(browser: Browser, url: string, router?: string): Promise<LoadFigures> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = new Map<string, number>();
  const bodies: Promise<{ bytes: number; gzipBytes: number }>[] = [];
  context.on('response', (response) => {
    if (response.status() !== 200 || response.url().startsWith('data:') || response.url().startsWith('blob:')) return;
    // A HEAD (the demo's picker checks which routers are served) is not a second download of the file.
    const method = response.request().method();
    const key = `${method === 'GET' ? '' : `${method} `}${new URL(response.url()).pathname}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    bodies.push(
      response.body().then(
        (body) => ({ bytes: body.length, gzipBytes: gzipSync(body).length }),
        () => ({ bytes: 0, gzipBytes: 0 }),
      ),
    );
  });
  await page.goto(url);
  const firstRouteMs = await page.evaluate(async (router) => {
    await customElements.whenDefined('route-chat');
    const chat = document.querySelector('route-chat') as HTMLElement & { send(prompt: string): Promise<void> };
    if (router) chat.setAttribute('router', router);
    const decided = new Promise<number>((resolve) =>
      chat.addEventListener('route-decision', () => resolve(performance.now()), { once: true }),
    );
    void chat.send('Hi');
    return decided;
  }, router);
  // Whatever the page still loads after the first decision (e.g. a model warmed in the background) counts too.
  await page.waitForLoadState('networkidle');
  const sizes = await Promise.all(bodies);
  await context.close();
  return {
    requests: sizes.length,
    duplicates: [...seen].filter(([, count]) => count > 1).map(([file, count]) => `${file} x${count}`),
    bytes: sizes.reduce((sum, size) => sum + size.bytes, 0),
    gzipBytes: sizes.reduce((sum, size) => sum + size.gzipBytes, 0),
    firstRouteMs,
  };
}

async function benchColdLoad(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  const root = path.resolve(args.root ?? PROJECT_ROOT);
  const runs = parseNumberFlag(args.runs, '--runs', { min: 1, max: 20, integer: true });
  if (!['demo', 'element', 'both'].includes(args.target))
    throw new InvalidInputError(`--target must be demo, element or both, got "${args.target}".`);
  const browser = await chromium.launch({
    executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
    args: ['--no-sandbox', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });
  const report = (target: string, results: LoadFigures[]) => {
    const median = [...results].sort((a, b) => a.firstRouteMs - b.firstRouteMs)[Math.floor(results.length / 2)]!;
    io.stdout.write(
      `${target}: ${median.requests} requests, ${(median.bytes / 1e6).toFixed(2)} MB served, ${(median.gzipBytes / 1e6).toFixed(2)} MB gzip; first route ${Math.round(median.firstRouteMs)} ms (median of ${results.length}: ${results.map((result) => Math.round(result.firstRouteMs)).join(', ')})\n`,
    );
    io.stdout.write(`  fetched more than once: ${median.duplicates.join(', ') || 'none'}\n`);
  };
  try {
    if (args.target !== 'element') {
      const site = await createViteServer({
        root,
        configFile: path.join(root, 'vite.config.ts'),
        logLevel: 'silent',
        // Its own dependency cache: the bench must not re-optimise the one other dev servers of this tree use.
        cacheDir: path.join(root, '.cache', 'vite-bench'),
        server: {
          host: '127.0.0.1',
          port: 0,
          fs: { allow: [root, realpathSync(path.join(root, 'node_modules'))] },
          // Files edited in the tree while it measures must not reload the page mid-run.
          watch: null,
          hmr: false,
        },
      });
      await site.listen();
      const url = site.resolvedUrls!.local[0]!;
      // The dev server transforms modules on first request: one unmeasured load warms it, as a second visitor sees it.
      // On a first start it also discovers dependencies to pre-bundle and reloads the page: then a second one.
      const router = args['demo-router'];
      await measure(browser, url, router).catch(() => measure(browser, url, router));
      const results: LoadFigures[] = [];
      for (let run = 0; run < runs; run++) results.push(await measure(browser, url, router));
      await site.close();
      report(`demo (npm start)${router ? `, router ${router}` : ''}`, results);
    }
    if (args.target !== 'demo') {
      if (!existsSync(path.join(root, ELEMENT_DIR, 'route-chat.js')))
        throw new InvalidInputError(
          `No element build in ${path.join(root, ELEMENT_DIR)}: run tsx scripts/build-route-chat.ts --out ${ELEMENT_DIR} there.`,
        );
      const { url, server } = await serveElement(root, args.router);
      const results: LoadFigures[] = [];
      for (let run = 0; run < runs; run++) results.push(await measure(browser, url));
      server.close();
      report(`one-script element, router ${args.router}`, results);
    }
  } finally {
    await browser.close();
  }
}

if (isEntryPoint(import.meta.url)) process.exitCode = await runCommand(benchColdLoad, process.argv.slice(2), processIO);
