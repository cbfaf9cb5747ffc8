// Ghost camera after an admission timeout (issue 15, Medium 7): when the primary decides a
// handshake after the worker gave up on it (5 s, the camera got 1013), the late admission
// is handed back instead of holding the room and counting against maxCameras. The primary
// is made slow for real: its key lookup for this one key busy-waits past the timeout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashSecret } from '../src/keys.js';
import { ADMIT_TIMEOUT_MS } from '../src/worker/ingest.js';
import { rawCamera } from './helpers/clients.js';
import { startTestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

test('a camera admitted after its handshake timed out is handed back: no ghost in the room or the quota', { timeout: 60_000 }, async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  assert.equal((await srv.api('PATCH', '/api/v1/apps/live', { maxCameras: 1 })).status, 200);
  const slow = await srv.mintKey('slowpoke');
  const other = await srv.mintKey('next');

  const store = srv.store;
  const lookup = store.findKeyByHash.bind(store);
  const slowHash = hashSecret(slow.streamKey);
  let stalled = 0;
  store.findKeyByHash = (hash: string) => {
    if (hash === slowHash && stalled++ === 0) {
      const until = Date.now() + ADMIT_TIMEOUT_MS + 1500;
      while (Date.now() < until) {
        /* the primary thread is stuck past the worker's timeout */
      }
    }
    return lookup(hash);
  };
  t.after(() => {
    store.findKeyByHash = lookup;
  });

  const cam = rawCamera(srv.port, { room: 'slowpoke', key: slow.streamKey });
  const closed = await cam.closed;
  assert.equal(closed.code, 1013, `the camera was told to retry: ${JSON.stringify(cam.messages)}`);
  assert.equal(cam.messages[0]?.message, 'unavailable');
  assert.equal(stalled, 1);

  // The late admission is handed back: the key is not live and the app's quota is free.
  await waitFor(async () => {
    const keys = (await srv.api('GET', '/api/v1/apps/live/ws-ingest')).body.data as any[];
    return keys.find((k) => k.id === slow.id)?.live === false;
  }, 5000, 'the slow key not live');
  assert.equal((await srv.api('GET', '/api/v1/apps/live')).body.data.liveCameras, 0);
  const next = rawCamera(srv.port, { room: 'next', key: other.streamKey });
  const ready = await next.ready;
  assert.equal(ready.room, 'live-next', 'maxCameras 1 is not held by a ghost');
  const lastClose = (await srv.api('GET', '/api/v1/apps/live/ws-ingest')).body.data.find((k: any) => k.id === slow.id).lastClose;
  assert.deepEqual([lastClose.code, lastClose.reason], [1013, 'admission_timeout']);
  next.ws.close(1000);
});
