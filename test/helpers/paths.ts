// Where things are, for tests that read the repository's files or run its programs, and
// where a test puts its scratch files. Tests run compiled from dist/test (this file from
// dist/test/helpers), so every path is resolved from here once, not from each test file's
// own depth.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The repository root (package.json, deploy/, docs/, the sources). */
export const REPO = path.resolve(import.meta.dirname, '../../..');
/** The compiled server entry (`node dist/src/main.js`), as `npm start` and the CLI run it. */
export const MAIN = path.join(REPO, 'dist/src/main.js');
/** The compiled bench runner (`npm run bench` runs it). */
export const BENCH_RUN = path.join(REPO, 'dist/bench/run.js');

/** A new empty directory under the OS temp dir (a data dir, a config dir); the test removes it. */
export function tempDir(prefix = 'framehub-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}
