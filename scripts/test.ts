/**
 * `npm test`: every suite of the project in one run (type check, lint, vitest, Playwright in headless Chromium), ending
 * with one line `N passed, N failed` that totals them all. Exits non-zero when anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

interface SuiteResult {
  suite: string;
  passed: number;
  failed: number;
  skipped: number;
}

const root = join(import.meta.dirname, '..');
const reports = join(root, 'test-results');
mkdirSync(reports, { recursive: true });

// The suites' temporary folders go into one scratch folder, removed however the run ends, so none is left behind.
const scratch = mkdtempSync(join(tmpdir(), 'routellm-test-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: string[], env: Record<string, string> = {}): number {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TMPDIR: scratch, ...env },
  });
  return result.status ?? 1;
}

function readJson(path: string): unknown {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

function typecheck(): SuiteResult {
  const projects = ['tsconfig.json', 'tsconfig.core.json'];
  const failed = projects.filter((project) => run('npx', ['tsc', '--noEmit', '-p', project]) !== 0).length;
  return { suite: 'typecheck', passed: projects.length - failed, failed, skipped: 0 };
}

/** The formatter and the linter (Biome, biome.json) in check mode: passes when every file is formatted and lint-clean. */
function lint(): SuiteResult {
  const status = run('npx', ['biome', 'ci', '--reporter=summary', '.']);
  return { suite: 'lint', passed: status === 0 ? 1 : 0, failed: status === 0 ? 0 : 1, skipped: 0 };
}

function vitest(): SuiteResult {
  const out = join(reports, 'vitest.json');
  rmSync(out, { force: true });
  const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  const report = readJson(out) as
    | { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number }
    | undefined;
  if (!report) return { suite: 'vitest', passed: 0, failed: 1, skipped: 0 };
  // A crash outside any test (a failing import, a broken setup) fails the suite even when no test failed.
  const failed = report.numFailedTests + (status !== 0 && report.numFailedTests === 0 ? 1 : 0);
  return {
    suite: 'vitest',
    passed: report.numPassedTests,
    failed,
    skipped: report.numPendingTests + report.numTodoTests,
  };
}

async function playwright(): Promise<SuiteResult> {
  const out = join(reports, 'playwright.json');
  rmSync(out, { force: true });
  const env = { PLAYWRIGHT_JSON_OUTPUT_NAME: out, E2E_PORT: process.env.E2E_PORT ?? String(await freePort()) };
  const status = run('npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts'], env);
  const report = readJson(out) as
    | { stats: { expected: number; unexpected: number; flaky: number; skipped: number }; errors?: unknown[] }
    | undefined;
  if (!report) return { suite: 'e2e', passed: 0, failed: 1, skipped: 0 };
  const { expected, unexpected, flaky, skipped } = report.stats;
  const failed = unexpected + flaky + (status !== 0 && unexpected === 0 ? 1 : 0);
  return { suite: 'e2e', passed: expected, failed, skipped };
}

if (run('npx', ['tsx', 'scripts/build-encoder.ts']) !== 0) {
  console.error('test: the encoder build failed; see above.');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const results = [typecheck(), lint(), vitest(), await playwright()];
console.log('');
for (const r of results) console.log(`${r.suite}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`);
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
const skipped = results.reduce((sum, r) => sum + r.skipped, 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
