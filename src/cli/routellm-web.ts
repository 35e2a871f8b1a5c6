#!/usr/bin/env node
/**
 * `npx routellm-web relay ...` runs the relay with its opt-in verification (relay.ts).
 * `npx routellm-web assets <dir>`: copies what a page serves for on-device routing into <dir>, for any bundler or
 * static host (Vite apps use `routellm-web/vite` instead): ort/ (onnxruntime-web's runtime, both builds), models/
 * (the int8 encoder), routers/ (the trained routers) and the one-script element route-chat.js with its worker.
 * Serve <dir> at the page's model base URL (default '/': `createRouter({ modelBaseUrl })`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { copyServedFiles, packageAssetsDir, ROUTE_CHAT_SCRIPT, servedFiles } from '../assets/index.ts';
import { InvalidInputError } from '../core/index.ts';
import { type CommandIO, isEntryPoint, processIO, runCommand } from './command.ts';
import { relayCommand } from './relay.ts';

const USAGE = `Usage: routellm-web assets <dir> [--no-element]
       routellm-web relay [--config FILE] [--port N] [--host ADDRESS]   (relay --help for more)

  assets: copies ort/, models/, routers/ and ${ROUTE_CHAT_SCRIPT} (the one-script <route-chat>) into <dir>.
  Serve <dir> at your pages' model base URL (default '/').
  --no-element   leave out ${ROUTE_CHAT_SCRIPT} (an app that imports the SDK or the element through a bundler)

  relay: the relay, as routellm-relay runs it, plus the config's "verify" (a router run on the relay).
`;

export async function routellmWebCommand(argv: readonly string[], io: CommandIO): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    io.stdout.write(USAGE);
    return;
  }
  if (command !== 'assets')
    throw new InvalidInputError(`unknown command '${command}': the commands are 'assets' and 'relay' (see --help).`);
  const unknown = rest.find((arg) => arg.startsWith('-') && arg !== '--no-element');
  if (unknown !== undefined) throw new InvalidInputError(`unknown option '${unknown}' (see --help).`);
  const folders = rest.filter((arg) => !arg.startsWith('-'));
  if (folders.length !== 1) throw new InvalidInputError(`assets takes one folder, got ${folders.length} (see --help).`);
  const assetsDir = packageAssetsDir();
  if (!existsSync(assetsDir))
    throw new InvalidInputError(
      `this copy of routellm-web has no assets folder (${assetsDir}): install it from npm, or run npm run build:package in its repository.`,
    );
  const outDir = path.resolve(folders[0]!);
  const { files, bytes } = await copyServedFiles(
    servedFiles(assetsDir, { element: !rest.includes('--no-element') }),
    outDir,
  );
  io.stdout.write(
    `Copied ${files} files (${(bytes / 1e6).toFixed(1)} MB) into ${outDir}: ort/, models/, routers/${rest.includes('--no-element') ? '' : ` and ${ROUTE_CHAT_SCRIPT}`}.\n`,
  );
}

if (isEntryPoint(import.meta.url)) {
  const argv = process.argv.slice(2);
  // The relay serves until stopped and reports its own errors, as routellm-relay does.
  if (argv[0] === 'relay') await relayCommand(argv.slice(1));
  else process.exitCode = await runCommand(routellmWebCommand, argv, processIO);
}
