import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Records what an output folder was built from; a build is skipped while it matches. */
export const STAMP_FILE = '.build-stamp';

export interface ModelFolderBuild {
  readonly outDir: string;
  /** Hash of everything the output depends on. */
  readonly stamp: string;
  /** Files (relative to outDir) the folder holds when built. */
  readonly files: readonly string[];
  /** Rebuild even when the stamp matches. */
  readonly force?: boolean;
  /** The folder's contents by relative path; called only when the folder must be (re)built. */
  readonly contents: () => ReadonlyMap<string, string | Uint8Array>;
}

export interface BuildResult {
  outDir: string;
  /** False when the existing output was up to date. */
  built: boolean;
  /** Bytes per written file, relative to outDir. */
  files: Record<string, number>;
}

/**
 * Builds a model folder unless its stamp says it is up to date: under a lock shared by every process building that
 * folder, into a sibling folder that is then swapped in.
 */
export function buildModelFolder(build: ModelFolderBuild): BuildResult {
  const { outDir, stamp, files } = build;
  const upToDate = () => !build.force && isUpToDate(outDir, stamp, files);
  if (upToDate()) return { outDir, built: false, files: fileSizes(outDir, files) };
  return withBuildLock(outDir, () => {
    // Another process may have finished the same build while this one waited for the lock.
    if (upToDate()) return { outDir, built: false, files: fileSizes(outDir, files) };
    writeFolderAtomically(outDir, build.contents(), stamp);
    return { outDir, built: true, files: fileSizes(outDir, files) };
  });
}

function isUpToDate(outDir: string, stamp: string, files: readonly string[]): boolean {
  const stampPath = join(outDir, STAMP_FILE);
  return (
    existsSync(stampPath) &&
    readFileSync(stampPath, 'utf8').trim() === stamp &&
    files.every((file) => existsSync(join(outDir, file)))
  );
}

/**
 * Serialises builds of one folder across processes (parallel test processes, `npm start` beside `npm test`), so no
 * process swaps a folder out from under another that is about to read it. A lock whose owner died is taken over.
 */
function withBuildLock<T>(outDir: string, build: () => T): T {
  const lock = `${outDir}.lock`;
  mkdirSync(dirname(outDir), { recursive: true });
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (ownerIsGone(lock)) rmSync(lock, { force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    return build();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** True when the process that wrote the lock no longer exists (a lock released meanwhile counts as not gone). */
function ownerIsGone(lock: string): boolean {
  let owner: number;
  try {
    owner = Number(readFileSync(lock, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(owner) || owner <= 0) return false;
  try {
    process.kill(owner, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Writes into a sibling folder and swaps it in, so a crash never leaves a half-written model behind a valid stamp. */
function writeFolderAtomically(
  outDir: string,
  contents: ReadonlyMap<string, string | Uint8Array>,
  stamp: string,
): void {
  const partial = `${outDir}.partial-${process.pid}`;
  const previous = `${outDir}.previous-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  for (const [file, content] of contents) {
    mkdirSync(dirname(join(partial, file)), { recursive: true });
    writeFileSync(join(partial, file), content);
  }
  writeFileSync(join(partial, STAMP_FILE), `${stamp}\n`);
  if (existsSync(outDir)) renameSync(outDir, previous);
  renameSync(partial, outDir);
  rmSync(previous, { recursive: true, force: true });
}

function fileSizes(outDir: string, files: readonly string[]): Record<string, number> {
  return Object.fromEntries(files.map((file) => [file, statSync(join(outDir, file)).size]));
}
