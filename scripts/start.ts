/**
 * `npm start`: the demo on this machine. Brings the offline encoder and the explorer's data up to date, then runs the
 * relay and the Vite dev server together, prints both URLs, and stops both on Ctrl-C. Works offline with no keys:
 * routing and the benchmark explorer need none, and the chat says which variable to set.
 *
 *   npm start -- [--port 5173] [--relay-port 8787] [--host 127.0.0.1] [--config relay.json] [--data ../shared]
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createServer, type ViteDevServer } from 'vite';
import { isEntryPoint, parseCommandArgs, processIO, runCommand, type CommandIO } from '../src/cli/command.ts';
import { errorMessage, InvalidInputError } from '../src/core/errors.ts';
import { aliasStatuses, type RelayLogEntry } from '../src/relay/app.ts';
import { DEFAULT_PORT as DEFAULT_RELAY_PORT, startNodeRelay, type NodeRelay } from '../src/relay/node.ts';
import { buildUseLite } from '../src/node/onnx/build-use-lite.ts';
import { buildClassifierModel } from '../src/node/onnx/classifier/build-classifier-model.ts';

const ROOT = path.join(import.meta.dirname, '..');
const DEFAULT_SITE_PORT = 5173;
const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');

const USAGE = `Usage: npm start -- [options]
  --port <n>          the demo site's port (default ${DEFAULT_SITE_PORT})
  --relay-port <n>    the relay's port (default ${DEFAULT_RELAY_PORT})
  --host <address>    where both listen (default 127.0.0.1)
  --config <file>     the relay config (default src/relay/relay.config.json)
  --data <folder>     the shared benchmark data for the explorer (default $ROUTELLM_DATA, else ../shared)`;

const OPTIONS = {
  port: { type: 'string' },
  'relay-port': { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  config: { type: 'string' },
  data: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

function portOf(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65_535)
    throw new InvalidInputError(`${flag} must be a port number from 1 to 65535, got "${text}".`);
  return port;
}

/** One short line per relay request, instead of the relay's JSON log. */
function logRequest(io: CommandIO): (entry: RelayLogEntry) => void {
  return (entry) =>
    io.stdout.write(
      `relay: ${entry.method} ${entry.path} ${entry.status}${entry.model ? ` ${entry.model}` : ''} ${Math.round(entry.durationMs)} ms\n`,
    );
}

export async function start(argv: readonly string[], io: CommandIO): Promise<void> {
  const args = parseCommandArgs(argv, OPTIONS);
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return;
  }
  const sitePort = portOf(args.port, DEFAULT_SITE_PORT, '--port');
  const relayPort = portOf(args['relay-port'], DEFAULT_RELAY_PORT, '--relay-port');

  const encoder = buildUseLite({});
  io.stdout.write(`encoder: ${path.relative(ROOT, encoder.outDir)} ${encoder.built ? 'built' : 'is up to date'}\n`);
  // The classifier router's model (the encoder and the committed head in one graph): without it the picker's
  // classifier could only fall back.
  try {
    const classifier = await buildClassifierModel({});
    io.stdout.write(
      `classifier: ${path.relative(ROOT, classifier.outDir)} ${classifier.built ? 'built' : 'is up to date'}\n`,
    );
  } catch (error) {
    io.stdout.write(`classifier: not built (${errorMessage(error)}); the picker shows it as unavailable\n`);
  }

  let relay: NodeRelay;
  try {
    relay = await startNodeRelay({
      port: relayPort,
      host: args.host,
      ...(args.config !== undefined && { configPath: path.resolve(args.config) }),
      log: logRequest(io),
    });
  } catch (error) {
    throw new InvalidInputError(
      `The relay could not start: ${errorMessage(error)}${(error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? ` (use --relay-port)` : ''}`,
    );
  }
  // Vite hands VITE_* variables to the page: this is how it learns where the relay is.
  process.env['VITE_ROUTELLM_RELAY_URL'] = relay.url;
  let site: ViteDevServer;
  try {
    site = await createServer({
      root: ROOT,
      configFile: path.join(ROOT, 'vite.config.ts'),
      server: { host: args.host, port: sitePort, strictPort: true },
    });
    await site.listen();
  } catch (error) {
    await relay.close();
    throw new InvalidInputError(
      `The demo site could not start: ${errorMessage(error)}${/EADDRINUSE|already in use/.test(String(error)) ? ' (use --port)' : ''}`,
    );
  }

  const siteUrl = site.resolvedUrls?.local[0] ?? `http://${args.host}:${sitePort}/`;
  io.stdout.write(`\n  demo   ${siteUrl}\n  relay  ${relay.url}  (OpenAI-compatible API at ${relay.url}/v1)\n\n`);
  const unavailable = aliasStatuses(relay.config, process.env).filter((status) => !status.available);
  for (const status of unavailable)
    io.stdout.write(
      `  model "${status.alias}" answers 503 until ${status.apiKeyEnv} is set; routing and the explorer work without it.\n`,
    );
  const missing = ['strong', 'weak'].filter((alias) => !relay.config.models.has(alias));
  if (missing.length > 0)
    io.stdout.write(
      `  no "${missing.join('" or "')}" alias in the relay config: the chat's ${missing.join(' and ')} answers will fail.\n`,
    );
  io.stdout.write('Press Ctrl-C to stop both.\n');

  // The explorer's data is built after the servers are up, in its own process: the first start scores every
  // benchmark with each learned router (minutes of CPU that would starve the servers), and chat and routing need
  // none of it. The baselines' data is published within seconds, each learned router's as its scoring ends (reload).
  const demoData = spawn(
    process.execPath,
    [TSX_CLI, path.join(ROOT, 'scripts/build-demo-data.ts'), ...(args.data === undefined ? [] : ['--data', args.data])],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  demoData.on('exit', (code, signal) => {
    if (code === 0) io.stdout.write('demo data: ready (the explorer shows it by itself)\n');
    else if (!signal) io.stdout.write('demo data: not built (see above); the explorer says how to build it.\n');
  });

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.stdout.write('\nstopping…\n');
      // An unfinished demo-data build is abandoned; its per-router score caches are kept for the next start.
      if (demoData.exitCode === null) demoData.kill('SIGTERM');
      void Promise.allSettled([site.close(), relay.close()]).then(() => resolve());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

if (isEntryPoint(import.meta.url)) process.exitCode = await runCommand(start, process.argv.slice(2), processIO);
