// Control-plane races on one node (issue 15, item 8): writes that depend on the current
// record are decided inside the write transaction. A camera handshake racing the revoke of
// its key never brings the key record back; concurrent PATCHes of different fields both
// stick; two creations of one app name give one 201 and one 409. (The same on a cluster:
// test/clusterTrust.test.ts.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rawCamera } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer;

before(async () => {
  srv = await startTestServer({ authFailBurst: 100_000 });
});

after(async () => {
  await srv.stop();
});

test('a revoke racing the handshake of its camera never brings the key record back', async () => {
  const rounds = 60;
  const revoked: string[] = [];
  for (let i = 0; i < rounds; i++) {
    const key = await srv.mintKey(`race${i}`);
    const cam = rawCamera(srv.port, { room: `race${i}`, key: key.streamKey });
    // The handshake (admission records lastSeenAt) and the revoke reach the primary together.
    const del = srv.api('DELETE', `/api/v1/apps/live/ws-ingest/${key.id}`);
    assert.equal((await del).status, 200);
    const end = await cam.closed;
    assert.equal(end.code, 4401, `round ${i}: the camera is refused or closed (${end.reason})`);
    revoked.push(key.id);
  }
  // lastSeenAt writes are not awaited by the handshake: let them land.
  await new Promise((r) => setTimeout(r, 300));
  const listed = ((await srv.api('GET', '/api/v1/apps/live/ws-ingest')).body.data as { id: string }[]).map((k) => k.id);
  const back = revoked.filter((id) => listed.includes(id));
  assert.deepEqual(back, [], `${back.length} of ${rounds} revoked keys are listed again`);
  for (const id of revoked.slice(0, 5)) assert.equal((await srv.api('DELETE', `/api/v1/apps/live/ws-ingest/${id}`)).status, 404);
});

test('concurrent PATCHes of different fields of one app both stick', async () => {
  assert.equal((await srv.api('POST', '/api/v1/apps', { name: 'patch1' })).status, 201);
  for (let i = 0; i < 10; i++) {
    const [a, b, c] = await Promise.all([
      srv.api('PATCH', '/api/v1/apps/patch1', { maxFps: 3 + i }),
      srv.api('PATCH', '/api/v1/apps/patch1', { maxCameras: 20 + i }),
      srv.api('PATCH', '/api/v1/apps/patch1', { idleTimeoutSec: 40 + i }),
    ]);
    assert.deepEqual([a.status, b.status, c.status], [200, 200, 200]);
    const app = (await srv.api('GET', '/api/v1/apps/patch1')).body.data;
    assert.deepEqual([app.maxFps, app.maxCameras, app.idleTimeoutSec], [3 + i, 20 + i, 40 + i], `round ${i}`);
  }
});

test('two creations of one app name at once: one 201 and one 409, and the app is the winner', async () => {
  for (let i = 0; i < 10; i++) {
    const name = `twice${i}`;
    const [a, b] = await Promise.all([srv.api('POST', '/api/v1/apps', { name, maxFps: 4 }), srv.api('POST', '/api/v1/apps', { name, maxFps: 6 })]);
    assert.deepEqual([a.status, b.status].sort(), [201, 409], `round ${i}`);
    const winner = a.status === 201 ? a : b;
    assert.equal((await srv.api('GET', `/api/v1/apps/${name}`)).body.data.maxFps, winner.body.data.maxFps);
  }
});
