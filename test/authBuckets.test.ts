// Failed attempts must not lock out the valid camera (issue 15, Medium 3): the key is looked
// up first and only failed handshakes are charged to the bucket of their address and room.
// (The API's failed-auth bucket: test/api.test.ts "API abuse limits".)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rawCamera } from './helpers/clients.js';
import { startTestServer } from './helpers/server.js';

test('ten bad-key handshakes for a room from one address: they get 4429, the room\'s real camera from there still gets ready', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const key = await srv.mintKey('porch');
  const codes: number[] = [];
  for (let i = 0; i < 10; i++) codes.push((await rawCamera(srv.port, { room: 'porch', key: `wsk_guess-${i}` }).closed).code);
  assert.deepEqual(codes, [4401, 4401, 4401, 4401, 4401, 4429, 4429, 4429, 4429, 4429]);
  const cam = rawCamera(srv.port, { room: 'porch', key: key.streamKey });
  const ready = await cam.ready;
  assert.equal(ready.room, 'live-porch');
  // A good handshake does not refill the bucket for the bad ones either.
  assert.equal((await rawCamera(srv.port, { room: 'porch', key: 'wsk_guess-more' }).closed).code, 4429);
  // Nor does the camera's own reconnect cost it anything: the newest connection wins as before.
  const again = rawCamera(srv.port, { room: 'porch', key: key.streamKey });
  await again.ready;
  assert.equal((await cam.closed).code, 4409);
  again.ws.close(1000);
});
