// The README's first command on embedded defaults: `npm start` builds, starts, prints the
// URLs and a generated admin token once, answers /healthz, and stops cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { tempDir } from './helpers/paths.js';
import { REPO } from './helpers/paths.js';
import { waitFor } from './helpers/wait.js';


function start(dataDir: string) {
  const child = spawn('npm', ['start', '--silent'], { cwd: REPO, env: { ...process.env, PORT: '0', FRAMEHUB_METRICS_PORT: '0', FRAMEHUB_DATA_DIR: dataDir, FRAMEHUB_ADMIN_TOKEN: '', FRAMEHUB_WORKERS: '2' }, detached: true });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, err: () => stderr, out: () => stdout };
}

test('npm start on a fresh data dir: banner with a token shown once, healthz, graceful SIGTERM', async () => {
  const dataDir = tempDir();
  const first = start(dataDir);
  const banner = await waitFor(() => (/admin token\s+fht_/.test(first.err()) ? first.err() : ''), 30_000, 'start-up banner');
  const port = Number(/listening on [^:]+:(\d+)/.exec(banner)![1]);
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(health.status, 200);
  const token = /admin token\s+(fht_\S+)/.exec(banner)![1]!;
  const mint = await fetch(`http://127.0.0.1:${port}/api/v1/apps/live/ws-ingest`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"room":"cam1"}' });
  assert.equal(mint.status, 201, 'the printed token works on the app live');
  assert.equal(first.out().includes(token), false, 'the token is not in the log lines');
  process.kill(-first.child.pid!, 'SIGTERM');
  await first.exited;
  await waitFor(() => first.out().includes('"msg":"framehub stopped"'), 10_000, 'graceful stop logged');

  const second = start(dataDir);
  const banner2 = await waitFor(() => (/listening on/.test(second.err()) ? second.err() : ''), 30_000, 'second banner');
  assert.equal(banner2.includes(token), false, 'the admin token is never printed again');
  assert.match(banner2, /printed on the first start only/);
  process.kill(-second.child.pid!, 'SIGTERM');
  await second.exited;
});
