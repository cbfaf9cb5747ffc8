// The two test tiers, defined here and nowhere else. `npm test` runs every test file (what CI
// runs). `npm run test:quick` runs this file's quick tier: the files that need nothing but
// Node and the npm packages (no browser, no system program or service) and finish in seconds,
// for inner-loop work. The rule: a file is quick unless FULL_ONLY below names it with the
// reason, so a new unit test is quick by default; test/tiers.test.ts fails when a quick file
// starts a browser or a system program, naming the file to list here. A new end-to-end file
// that runs longer than about ten seconds on an idle machine is listed here too.
//   node dist/test/tiers.js quick [node --test options]   run the quick tier
//   node dist/test/tiers.js list                          print each file's tier and why
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

/** Test files (name without .test.ts) that only `npm test` runs, each with why. */
export const FULL_ONLY: Readonly<Record<string, string>> = {
  // A browser.
  dashboard: 'Chromium',
  dashboardSecurity: 'Chromium',
  fleetDashboard: 'Chromium, 600 cameras',
  player: 'Chromium',
  wallPage: 'Chromium',
  // System services and programs.
  cluster: 'redis-server, HAProxy',
  clusterTrust: 'redis-server, openssl',
  xff: 'nginx, HAProxy, openssl',
  nginx: 'nginx, openssl',
  tls: 'openssl',
  observability: 'Prometheus',
  prometheus: 'promtool',
  compose: 'promtool',
  systemd: 'systemd-analyze',
  playback: 'ffmpeg',
  firmware: 'g++',
  durability: 'gcc',
  // Builds and installs.
  start: 'npm start (a full tsc build)',
  dockerfile: 'npm ci and tsc in temp dirs',
  bench: 'every bench case in --smoke mode',
  benchServerNode: 'the Debian 13 root of scripts/trixie-root.sh',
  uws: 'loads every uWebSockets.js build in child processes',
  // Several server processes booted and stopped one after another.
  adminToken: 'five server boots, restarts on one data dir',
  shutdown: 'server processes signalled and waited for, twice',
  // Load: minutes of cameras, viewers or connections.
  storm: '600 cameras reconnecting, twice',
  stress: 'many threads publishing as fast as they can',
  viewers: 'thousands of idle connections',
  fuzz: 'seeded batches of malformed traffic',
  bulk: '600 keys minted and a child server',
};

/** The test file names (without .test.ts) in `dir` (test/ or dist/test/). */
export function testNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.test\.(ts|js)$/.test(f))
    .map((f) => f.replace(/\.test\.(ts|js)$/, ''))
    .sort();
}

/** The quick tier: every test file FULL_ONLY does not name. */
export function quickNames(dir: string): string[] {
  return testNames(dir).filter((n) => !Object.hasOwn(FULL_ONLY, n));
}

function main(argv: string[]): void {
  const dir = import.meta.dirname; // dist/test
  const [command, ...rest] = argv;
  if (command === 'list') {
    for (const n of testNames(dir)) console.log(`${n.padEnd(20)} ${Object.hasOwn(FULL_ONLY, n) ? `full  ${FULL_ONLY[n]}` : 'quick'}`);
    return;
  }
  if (command !== 'quick') {
    console.error('usage: node dist/test/tiers.js quick [node --test options] | list');
    process.exit(2);
  }
  const files = quickNames(dir).map((n) => path.join(dir, `${n}.test.js`));
  const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-force-exit', '--test-timeout=600000', ...rest, ...files], { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) main(process.argv.slice(2));
