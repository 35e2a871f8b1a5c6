/**
 * `prestart` / `pretest`: a fresh clone runs `npm start` or `npm test` and nothing else. Installs the locked
 * dependencies (`npm ci`) when node_modules is missing or older than package-lock.json. Plain JavaScript with no
 * dependencies, because it runs before there are any.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
// npm writes this file at the end of every install: it is missing after an interrupted one.
const installed = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log('Installing the locked dependencies (npm ci) ...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('error: npm ci failed; see above.');
    process.exit(result.status ?? 1);
  }
}
