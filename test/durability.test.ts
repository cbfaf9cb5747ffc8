// Acknowledged writes survive SIGKILL of the whole process right after the answer, and a
// simulated power cut (flushes held, then LMDB's after-reboot restore); the CLI can manage
// a data dir while the server runs (the server applies its changes).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startChild } from './helpers/child.js';
import { rawCamera } from './helpers/clients.js';
import { tempDir } from './helpers/paths.js';
import { MAIN, REPO } from './helpers/paths.js';
import { sleep, waitFor } from './helpers/wait.js';


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

test('a simulated power cut loses no acknowledged write; an unacknowledged one is all it can lose', async () => {
  // The disk: an LD_PRELOAD shim holds fsync/fdatasync while a gate file exists.
  const dir = tempDir('framehub-fsync-');
  const shim = path.join(dir, 'fsyncGate.so');
  execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-o', shim, path.join(REPO, 'test/fixtures/fsyncGate.c'), '-ldl']);
  const gate = path.join(dir, 'gate');
  const dataDir = tempDir();
  const first = await startChild({ FRAMEHUB_DATA_DIR: dataDir, LD_PRELOAD: shim, FSYNC_GATE: gate });
  const h = { Authorization: `Bearer ${first.token}`, 'Content-Type': 'application/json' };
  const post = (p: string, body: unknown) => fetch(first.base + p, { method: 'POST', headers: h, body: JSON.stringify(body) });

  // Acknowledged: keys, an app, a token, a revoke (each answered only once it is on disk).
  const keys: { room: string; streamKey: string; id: string }[] = [];
  await Promise.all(Array.from({ length: 12 }, async (_, i) => {
    const r = await post('/api/v1/apps/live/ws-ingest', { room: `pc${i}` });
    assert.equal(r.status, 201);
    keys.push({ room: `pc${i}`, ...((await r.json()) as any).data });
  }));
  assert.equal((await post('/api/v1/apps', { name: 'powercut' })).status, 201);
  const tokenRes = await post('/api/v1/tokens', { name: 'pc', scopes: ['apps:read'] });
  const token = ((await tokenRes.json()) as any).data.token as string;
  const revoked = keys.pop()!;
  assert.equal((await fetch(`${first.base}/api/v1/apps/live/ws-ingest/${revoked.id}`, { method: 'DELETE', headers: h })).status, 200);

  // Now the disk stops flushing: a new key is committed (visible to reads) but not durable.
  writeFileSync(gate, '');
  let answered = false;
  const inflight = post('/api/v1/apps/live/ws-ingest', { room: 'inflight' }).then((r) => {
    answered = true;
    return r;
  });
  inflight.catch(() => {});
  await waitFor(async () => {
    const list = ((await (await fetch(`${first.base}/api/v1/apps/live/ws-ingest`, { headers: h })).json()) as any).data as { name: string }[];
    return list.some((k) => k.name === 'inflight');
  }, 10_000, 'the in-flight key committed and visible');
  await sleep(200);
  assert.equal(answered, false, 'no answer while the change is not on disk');

  // Power cut: the process dies; after the "reboot" LMDB restores the last flushed
  // transaction (what it does when the boot id changed; LMDB_RESTORE=safe forces it here).
  first.child.kill('SIGKILL');
  await first.exited;
  unlinkSync(gate);
  const second = await startChild({ FRAMEHUB_DATA_DIR: dataDir, LMDB_RESTORE: 'safe' });
  const listed = ((await (await fetch(`${second.base}/api/v1/apps/live/ws-ingest`, { headers: h })).json()) as any).data as { id: string; name: string }[];
  assert.ok(!listed.some((k) => k.name === 'inflight'), 'the unflushed change is gone: the restore really went back to the last flushed state');
  for (const k of keys) assert.ok(listed.some((x) => x.id === k.id), `acknowledged key ${k.room} survived`);
  assert.ok(!listed.some((x) => x.id === revoked.id), 'the acknowledged revoke survived');
  assert.equal((await fetch(`${second.base}/api/v1/apps/powercut`, { headers: h })).status, 200);
  assert.equal((await fetch(`${second.base}/api/v1/apps`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);
  const cam = rawCamera(second.port, { room: keys[0]!.room, key: keys[0]!.streamKey });
  await cam.ready;
  cam.ws.close(1000);
  await cam.closed;
  second.child.kill('SIGTERM');
  await second.exited;
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});
