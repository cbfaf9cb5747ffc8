// The shard workers' import graph, read from the sources (the imports that load a module):
// nothing a worker loads opens the control store (src/keys.ts, the lmdb package) or is
// part of the primary, and src/primary/ imports nothing of src/worker/. Workers learn of
// keys and apps only through the primary's messages (src/protocol.ts).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO as root } from './helpers/paths.js';

const src = path.join(root, 'src');
/** Imports that load a module at run time (`import type` is erased, so it is skipped). */
const IMPORT = /(?:import|export)\s+(?!type\s)[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(?\s*['"]([^'"]+)['"]/g;

/** Every module `file` imports: relative ones as absolute .ts paths, packages by name. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const files: string[] = [];
  const packages: string[] = [];
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const spec = (m[1] ?? m[2])!;
    if (spec.startsWith('.')) files.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
    else packages.push(spec);
  }
  return { files, packages };
}

/** The files and packages reachable from `entries`, each with the chain that reaches it. */
function reach(entries: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue: [string, string[]][] = entries.map((e) => [e, [path.relative(root, e)]]);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [file, chain] = next;
    if (seen.has(file)) continue;
    seen.set(file, chain);
    if (!file.endsWith('.ts')) continue;
    assert.ok(existsSync(file), `${chain.join(' -> ')} does not exist`);
    const { files, packages } = importsOf(file);
    for (const p of packages) if (!seen.has(p)) seen.set(p, [...chain, p]);
    for (const f of files) queue.push([f, [...chain, path.relative(root, f)]]);
  }
  return seen;
}

const tsFilesIn = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));

test('no worker module reaches the control store or the primary', () => {
  const reached = reach(tsFilesIn(path.join(src, 'worker')));
  assert.ok(reached.has(path.join(src, 'slots.ts')), 'the graph is read (the worker reaches src/slots.ts)');
  const forbidden = [...reached].filter(([mod]) => mod === path.join(src, 'keys.ts') || mod === 'lmdb' || mod.startsWith('lmdb/') || mod.startsWith(path.join(src, 'primary') + path.sep));
  assert.deepEqual(forbidden.map(([, chain]) => chain.join(' -> ')), []);
});

test('src/primary/ imports nothing of src/worker/', () => {
  const reached = reach(tsFilesIn(path.join(src, 'primary')));
  const worker = [...reached].filter(([mod]) => mod.startsWith(path.join(src, 'worker') + path.sep));
  assert.deepEqual(worker.map(([, chain]) => chain.join(' -> ')), []);
});
