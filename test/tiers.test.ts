// The quick tier stays quick by rule (test/tiers.ts): no file in it starts a browser or a
// system program, so `npm run test:quick` runs with Node alone; every name FULL_ONLY lists
// is a test file; every test file is in exactly one tier.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO } from './helpers/paths.js';
import { FULL_ONLY, quickNames, testNames } from './tiers.js';

const SOURCES = path.join(REPO, 'test');

/** What puts a file in the full tier: helpers and packages that start browsers or system programs, and program names in a spawn. */
const NEEDS_MORE_THAN_NODE: { what: string; pattern: RegExp }[] = [
  { what: 'a browser or system-service helper', pattern: /^import .* from '\.\/helpers\/(browser|nginx|haproxy|redis|prometheus|tls)\.js'/m },
  { what: 'Playwright', pattern: /^import .* from 'playwright-core'/m },
  { what: 'a system program', pattern: /\b(spawn|spawnSync|exec|execSync|execFile|execFileSync|run)\(\s*['"`](ffmpeg|chromium|nginx|haproxy|redis-server|prometheus|promtool|systemd-analyze|openssl|gcc|g\+\+|iperf3|npm|npx|sh|bash|docker)['"`]/ },
];

test('every quick test file needs Node alone (a file that needs more goes in FULL_ONLY of test/tiers.ts)', () => {
  const offenders: string[] = [];
  for (const name of quickNames(SOURCES)) {
    const source = readFileSync(path.join(SOURCES, `${name}.test.ts`), 'utf8');
    for (const { what, pattern } of NEEDS_MORE_THAN_NODE) {
      const m = pattern.exec(source);
      if (m) offenders.push(`${name}.test.ts uses ${what} (${m[0]})`);
    }
  }
  assert.deepEqual(offenders, [], 'list these files in FULL_ONLY of test/tiers.ts, with the reason');
});

test('FULL_ONLY names test files that exist, and the two tiers cover every file once', () => {
  const all = testNames(SOURCES);
  const stale = Object.keys(FULL_ONLY).filter((n) => !all.includes(n));
  assert.deepEqual(stale, [], 'FULL_ONLY in test/tiers.ts names files that are gone');
  const quick = quickNames(SOURCES);
  assert.equal(quick.length + Object.keys(FULL_ONLY).length, all.length);
  assert.ok(quick.includes('tiers'), 'this file is in the quick tier');
});

test('the guard catches what it is for', () => {
  // A file in the quick tier that started Chromium or ffmpeg would be reported.
  const [helper, , program] = NEEDS_MORE_THAN_NODE;
  assert.match("import { launchBrowser } from './helpers/browser.js';", helper!.pattern);
  assert.match('await run(' + "'ffmpeg', ['-i', url])", program!.pattern); // split so this file does not match itself
  assert.doesNotMatch("import { startChild } from './helpers/child.js';", helper!.pattern);
  assert.doesNotMatch("// uses './helpers/browser.js' only in a comment", helper!.pattern);
});
