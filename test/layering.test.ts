/**
 * The house rules of src/ (STYLE.md): a folder is used by other folders only through its index.ts (its contract)
 * or, for code that runs on one runtime only, its entry for that runtime (node.ts beside index.ts, as Hono does),
 * imports point one way (core <- encoder <- worker <- sdk <- elements; the relay alone), and nothing in src imports
 * scripts/, test/ or e2e/. Read from the source text, so a rule broken anywhere fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/node/paths.ts';

const SRC = path.join(PROJECT_ROOT, 'src');

/** The folders each folder may import (through their index.ts). Anything else is a layering error. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  encoder: ['core'],
  worker: ['core', 'encoder'],
  sdk: ['core', 'encoder', 'worker'],
  elements: ['core', 'encoder', 'worker', 'sdk'],
  relay: [],
  // Server-side verification for the relay: a router (core, with the encoder when it needs one) behind the relay's
  // hook. Published in routellm-web, so not on the Node library, which that package does not ship.
  'relay-verify': ['core', 'encoder', 'relay'],
  // Node-only: finding the served files on disk, and the Vite plugin that serves them.
  assets: ['core'],
  vite: ['core', 'assets'],
  // The AI SDK adapter routes through the SDK (in Node, on the worker's service in the same thread).
  'ai-sdk': ['core', 'encoder', 'worker', 'sdk'],
  // The Node library (data, caches, plots, ONNX converters), the trainers on it, the commands on top.
  node: ['core', 'encoder'],
  training: ['core', 'encoder', 'node'],
  cli: ['core', 'encoder', 'node', 'training', 'assets', 'relay', 'relay-verify'],
};

/** A folder's contracts: index.ts for every runtime, node.ts for Node only (kept out of browser bundles). */
const ENTRIES = ['index.ts', 'node.ts'];

/** Relative import specifiers of a module: static and dynamic imports, re-exports, worker URLs. */
function relativeImports(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /import\s+['"](\.{1,2}\/[^'"]+)['"]/g,
  ];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(SRC, file));
}

const folderOf = (file: string) => path.relative(SRC, file).split(path.sep)[0]!;

describe('layering of src/', () => {
  const files = sourceFiles();

  it('knows every folder of src/', () => {
    const folders = new Set(files.map(folderOf).filter((folder) => !folder.endsWith('.ts')));
    expect([...folders].filter((folder) => !(folder in ALLOWED))).toEqual([]);
  });

  it('imports another folder only through its index.ts, and only a folder below it', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
        const target = path.resolve(path.dirname(file), specifier);
        const where = `${path.relative(PROJECT_ROOT, file)} imports ${specifier}`;
        if (!target.startsWith(SRC + path.sep)) {
          violations.push(`${where}: outside src/`);
          continue;
        }
        const to = folderOf(target);
        if (to === from) continue;
        if (!ENTRIES.some((entry) => target === path.join(SRC, to, entry)))
          violations.push(`${where}: not through ${to}/index.ts`);
        if (!ALLOWED[from]?.includes(to)) violations.push(`${where}: ${from} may not depend on ${to}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('finds the violations it looks for', () => {
    expect(
      relativeImports(
        `import { a } from '../core/curve.ts';\nexport * from './x.ts';\nconst m = await import('../node/index.ts');\nimport './side.ts';`,
      ),
    ).toEqual(['../core/curve.ts', './x.ts', '../node/index.ts', './side.ts']);
  });
});
