// Acknowledged writes survive SIGKILL of the whole process right after the answer, and the
// CLI can manage a data dir while the server runs (the server applies its changes).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { rawCamera } from './helpers/clients.js';
import { MAIN, startChild } from './helpers/child.js';
import { tempDir } from './helpers/server.js';

test('every acknowledged API write survives a SIGKILL right after the answer', async () => {
  const dataDir = tempDir();
  const first = await startChild({ FRAMEHUB_DATA_DIR: dataDir });
  const h = { Authorization: `Bearer ${first.token}`, 'Content-Type': 'application/json' };
  const acked: { keys: { room: string; key: string }[]; apps: string[]; tokens: string[] } = { keys: [], apps: [], tokens: [] };
  // Many writes in flight at once; kill the moment the last answer is in.
  const writes: Promise<void>[] = [];
  for (let i = 0; i < 60; i++) {
    writes.push(
      fetch(`${first.base}/api/v1/apps/live/ws-ingest`, { method: 'POST', headers: h, body: JSON.stringify({ room: `d${i}` }) }).then(async (r) => {
        if (r.status === 201) acked.keys.push({ room: `d${i}`, key: ((await r.json()) as any).data.streamKey });
      }),
    );
    if (i % 10 === 0) {
      writes.push(fetch(`${first.base}/api/v1/apps`, { method: 'POST', headers: h, body: JSON.stringify({ name: `a${i}` }) }).then(async (r) => void (r.status === 201 && acked.apps.push(`a${i}`))));
      writes.push(fetch(`${first.base}/api/v1/tokens`, { method: 'POST', headers: h, body: JSON.stringify({ name: `t${i}`, scopes: ['apps:read'] }) }).then(async (r) => void (r.status === 201 && acked.tokens.push(((await r.json()) as any).data.token))));
    }
  }
  await Promise.all(writes);
  first.child.kill('SIGKILL');
  assert.equal((await first.exited).signal, 'SIGKILL');
  assert.equal(acked.keys.length, 60);

  const second = await startChild({ FRAMEHUB_DATA_DIR: dataDir });
  for (const app of acked.apps) assert.equal((await fetch(`${second.base}/api/v1/apps/${app}`, { headers: h })).status, 200, `app ${app}`);
  for (const t of acked.tokens) assert.equal((await fetch(`${second.base}/api/v1/apps`, { headers: { Authorization: `Bearer ${t}` } })).status, 200, 'token');
  for (const { room, key } of acked.keys) {
    const cam = rawCamera(second.port, { room, key });
    await cam.ready;
    cam.ws.close(1000);
    await cam.closed;
  }
  second.child.kill('SIGTERM');
  assert.equal((await second.exited).code, 0, 'graceful exit on SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

test('the CLI works on the data dir of a running server; a key revoked there closes the camera', async () => {
  const dataDir = tempDir();
  const srv = await startChild({ FRAMEHUB_DATA_DIR: dataDir });
  const cli = (...args: string[]): any => JSON.parse(execFileSync(process.execPath, [MAIN, ...args, '--data-dir', dataDir], { encoding: 'utf8' }));
  const app = cli('apps', 'create', 'field', '--max-fps', '6');
  assert.equal(app.maxFps, 6);
  const key = cli('keys', 'mint', 'field', 'pole1', '--identity', 'esp-7');
  assert.match(key.streamKey, /^wsk_/);
  const cam = rawCamera(srv.port, { app: 'field', room: 'pole1', key: key.streamKey });
  const ready = await cam.ready;
  assert.equal(ready.maxFps, 6, 'the server sees apps created by the CLI');
  const listed = cli('keys', 'list', 'field');
  assert.equal(listed.length, 1);
  assert.ok(!JSON.stringify(listed).includes(key.streamKey));
  const token = cli('tokens', 'create', '--name', 'ops', '--scopes', 'streams:read', '--app', 'field');
  const streams = await fetch(`${srv.base}/api/v1/apps/field/streams`, { headers: { Authorization: `Bearer ${token.token}` } });
  assert.equal(streams.status, 200);
  cli('keys', 'revoke', key.id);
  const closed = await cam.closed;
  assert.equal(closed.code, 4401);
  assert.equal(closed.reason, 'key_revoked');
  srv.child.kill('SIGTERM');
  await srv.exited;
  rmSync(dataDir, { recursive: true, force: true });
});
