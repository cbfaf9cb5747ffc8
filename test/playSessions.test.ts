// Play tokens are enforced during the session, not only at connect (issue 15, Medium 6):
// MJPEG responses end, WS viewer and wall sockets close with 4401 `token_expired` when the
// token that opened them expires; rotating the app's play secret (POST
// /api/v1/apps/:app/rotate-play-secret, scope apps:write) voids every old token and ends
// the viewers holding one (4401 `token_revoked`) while public-app viewers keep watching.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { loadFrames } from '../src/camera/frames.js';
import { signPlayToken } from '../src/playToken.js';
import { mjpegReader, rawCamera, wsViewer, type MjpegReader, type RawCamera } from './helpers/clients.js';
import { metricValue } from './helpers/metrics.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

/** A wall socket subscribed to `rooms`; counts the tile frames it gets. */
function wall(port: number, app: string, token: string, rooms: string[]) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/live/wall?app=${app}&token=${encodeURIComponent(token)}`, { perMessageDeflate: false });
  let frames = 0;
  const texts: any[] = [];
  ws.on('message', (d, isBinary) => (isBinary ? frames++ : texts.push(JSON.parse(d.toString()))));
  ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', rooms, fps: 5 })));
  ws.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  return { ws, frames: () => frames, texts, closed };
}

describe('play-token sessions', () => {
  let srv: TestServer;
  const cams: RawCamera[] = [];
  let timer: NodeJS.Timeout;
  before(async () => {
    srv = await startTestServer();
    assert.equal((await srv.api('POST', '/api/v1/apps', { name: 'vault', publicPlayback: false })).status, 201);
    const privateKey = (await srv.api('POST', '/api/v1/apps/vault/ws-ingest', { room: 'door' })).body.data;
    const publicKey = await srv.mintKey('lobby');
    cams.push(rawCamera(srv.port, { app: 'vault', room: 'door', key: privateKey.streamKey }), rawCamera(srv.port, { room: 'lobby', key: publicKey.streamKey }));
    await Promise.all(cams.map((c) => c.ready));
    const frames = loadFrames('qvga');
    let i = 0;
    timer = setInterval(() => {
      for (const c of cams) c.ws.send(frames[i % 16]!);
      i++;
    }, 100);
  });
  after(async () => {
    clearInterval(timer);
    for (const c of cams) c.ws.close(1000);
    await srv.stop();
  });

  /** A viewer on each transport with `roomToken` (MJPEG, WS) and `appToken` (wall), all receiving. */
  async function viewers(roomToken: string, appToken: string): Promise<{ mjpeg: MjpegReader; ws: ReturnType<typeof wsViewer>; wall: ReturnType<typeof wall> }> {
    const mjpeg = await mjpegReader(`http://127.0.0.1:${srv.port}/live/vault/door/mjpeg?token=${encodeURIComponent(roomToken)}`);
    assert.equal(mjpeg.status, 200);
    const ws = wsViewer(srv.port, 'vault', 'door', roomToken);
    const w = wall(srv.port, 'vault', appToken, ['door']);
    await mjpeg.waitParts(2);
    await ws.waitFrames(2);
    await waitFor(() => w.frames() >= 2, 5000, 'wall tile frames');
    return { mjpeg, ws, wall: w };
  }

  test('at the token\'s expiry the MJPEG response ends and the WS viewer and wall close with 4401 token_expired', async () => {
    const secret = srv.store.getApp('vault')!.playSecret;
    const exp = Math.floor(Date.now() / 1000) + 3;
    const v = await viewers(signPlayToken({ app: 'vault', room: 'vault-door', exp }, secret), signPlayToken({ app: 'vault', room: '*', exp }, secret));
    const ended = await Promise.race([v.mjpeg.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still streaming'), 8000))]);
    assert.equal(ended, 'ended', 'the MJPEG response ends at expiry');
    assert.ok(Date.now() >= exp * 1000 - 50, 'not before the expiry');
    assert.deepEqual(await v.ws.closed, { code: 4401, reason: 'token_expired' });
    assert.deepEqual(await v.wall.closed, { code: 4401, reason: 'token_expired' });
    assert.equal(v.ws.texts.at(-1).message, 'token_expired');
    const metrics = await srv.metrics();
    for (const transport of ['mjpeg', 'ws', 'wall']) assert.equal(metricValue(metrics, 'framehub_viewer_sessions_ended_total', { reason: 'token_expired', transport }), 1, transport);
  });

  test('rotate-play-secret ends every viewer holding an old token; old tokens are refused, new ones work; public viewers go on', async () => {
    const roomToken = (await srv.api('GET', '/api/v1/apps/vault/play-token/door?ttl=600')).body.data.token;
    const appToken = (await srv.api('GET', '/api/v1/apps/vault/play-token?ttl=600')).body.data.token;
    const v = await viewers(roomToken, appToken);
    const lobby = await mjpegReader(`http://127.0.0.1:${srv.port}/live/live/lobby/mjpeg`);
    await lobby.waitParts(1);

    // The scope is apps:write.
    const reader = (await srv.api('POST', '/api/v1/tokens', { name: 'streams', scopes: ['streams:read'] })).body.data.token;
    assert.equal((await srv.api('POST', '/api/v1/apps/vault/rotate-play-secret', undefined, reader)).status, 403);
    const rotated = await srv.api('POST', '/api/v1/apps/vault/rotate-play-secret');
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.equal(rotated.body.data.app, 'vault');

    await Promise.race([v.mjpeg.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('MJPEG viewer not ended by the rotation')), 5000))]);
    assert.deepEqual(await v.ws.closed, { code: 4401, reason: 'token_revoked' });
    assert.deepEqual(await v.wall.closed, { code: 4401, reason: 'token_revoked' });
    const old = await fetch(`http://127.0.0.1:${srv.port}/live/vault/door/frame.jpg?token=${encodeURIComponent(roomToken)}`);
    assert.equal(old.status, 401, 'an old token no longer opens anything');
    await old.body?.cancel();
    const fresh = (await srv.api('GET', '/api/v1/apps/vault/play-token/door?ttl=600')).body.data.token;
    const again = await mjpegReader(`http://127.0.0.1:${srv.port}/live/vault/door/mjpeg?token=${encodeURIComponent(fresh)}`);
    assert.equal(again.status, 200);
    await again.waitParts(2);
    again.close();
    // The public app's viewer was not touched.
    const before = lobby.parts.length;
    await lobby.waitParts(before + 3);
    lobby.close();
    const metrics = await srv.metrics();
    assert.equal(metricValue(metrics, 'framehub_viewer_sessions_ended_total', { reason: 'token_revoked' }), 3);
  });
});
