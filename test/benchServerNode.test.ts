// `npm run bench -- … --server-node 24|22|<path>`: the bench runs the servers under another
// Node. A bad value is refused; `24` runs framehub under Node 24 in the Debian 13 root of
// scripts/trixie-root.sh (built or reused; needs root, as on CI) and the case still measures
// the server's own process. No timing assertions.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BENCH_RUN, REPO } from './helpers/paths.js';

const TRIXIE = path.join(REPO, 'scripts/trixie-root.sh');

test('bench refuses a --server-node that is neither 24, 22 nor a node binary', () => {
  const r = spawnSync(process.execPath, [BENCH_RUN, 'fleet', '--smoke', '--server-node', '99'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--server-node must be 24, 22 \(the Debian 13 root\) or a path to a node binary, got "99"/);
});

/** Executables of the processes running framehub's main.js right now. */
function framehubExes(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/src/main.js')) out.push(readlinkSync(`/proc/${pid}/exe`));
    } catch {
      /* gone */
    }
  }
  return out;
}

test('bench fleet --smoke --server-node 24 runs framehub under Node 24 in the Debian 13 root', { timeout: 900_000, skip: process.getuid?.() !== 0 && 'needs root (chroot), as CI has' }, async () => {
  const root = spawnSync('bash', [TRIXIE, 'path'], { encoding: 'utf8', timeout: 840_000 });
  assert.equal(root.status, 0, root.stderr);
  const child = spawn(process.execPath, [BENCH_RUN, 'fleet', '--smoke', '--json', '--quiet', '--target', 'framehub', '--server-node', '24'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exes = new Set<string>();
  const poll = setInterval(() => framehubExes().forEach((e) => exes.add(e)), 100);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(poll);
  assert.equal(code, 0, err.slice(-3000));
  const r = JSON.parse(out.trim().split('\n').at(-1)!);
  assert.equal(r.serverNode, 'Node 24 in the Debian 13 root');
  assert.ok([...exes].some((e) => e.endsWith('/opt/node24/bin/node')), `framehub ran as the root's Node 24 (saw ${[...exes].join(', ') || 'none'})`);
  const p = r.phases[0];
  assert.ok(p.delivered.mjpeg + p.delivered.ws > 0, 'frames were delivered');
  assert.ok(p.server.rssMB > 10 && p.server.cores >= 0, `the server's own process was measured (rss ${p.server.rssMB} MB)`);
  assert.equal(p.errors.bad, 0);
});
