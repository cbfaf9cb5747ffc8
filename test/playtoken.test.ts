// Playback with publicPlayback off: MJPEG, frame.jpg, the WS feed and the player page
// need a play token; valid, expired, other-room and tampered tokens each get their answer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadFrames } from '../src/camera/frames.js';
import { signPlayToken } from '../src/playToken.js';
import { mjpegReader, rawCamera, wsViewer, type RawCamera } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

describe('play tokens', () => {
  let srv: TestServer;
  let cam: RawCamera;
  let timer: NodeJS.Timeout;
  let base: string;
  let token: string;
  before(async () => {
    srv = await startTestServer();
    base = `http://127.0.0.1:${srv.port}`;
    assert.equal((await srv.api('POST', '/api/v1/apps', { name: 'vault', publicPlayback: false })).status, 201);
    const key = (await srv.api('POST', '/api/v1/apps/vault/ws-ingest', { room: 'door' })).body.data;
    await srv.api('POST', '/api/v1/apps/vault/ws-ingest', { room: 'gate' });
    cam = rawCamera(srv.port, { app: 'vault', room: 'door', key: key.streamKey });
    await cam.ready;
    const frames = loadFrames('qvga');
    let i = 0;
    timer = setInterval(() => cam.ws.send(frames[i++ % 16]!), 100);
    const pt = await srv.api('GET', '/api/v1/apps/vault/play-token/door?ttl=600');
    assert.equal(pt.status, 200);
    token = pt.body.data.token;
    assert.equal(pt.body.data.room, 'vault-door');
    assert.match(pt.body.data.mjpegUrl, /\/live\/vault\/door\/mjpeg\?token=/);
  });
  after(async () => {
    clearInterval(timer);
    cam.ws.close(1000);
    await srv.stop();
  });

  const http = async (path: string): Promise<{ status: number; code?: string }> => {
    const r = await fetch(base + path);
    const type = r.headers.get('content-type') ?? '';
    if (type.startsWith('application/json')) return { status: r.status, code: ((await r.json()) as any).error?.code };
    await r.body?.cancel();
    return { status: r.status };
  };
  const wsClose = async (tok?: string): Promise<number> => (await wsViewer(srv.port, 'vault', 'door', tok).closed).code;

  test('without a token: 401 on MJPEG, frame.jpg and the player page, close 4401 on the WS feed', async () => {
    for (const path of ['/live/vault/door/mjpeg', '/live/vault/door/frame.jpg', '/play/vault/door']) {
      assert.deepEqual(await http(path), { status: 401, code: 'invalid_play_token' }, path);
    }
    assert.equal(await wsClose(), 4401);
  });

  test('with a valid token: frames on every transport, and the page loads', async () => {
    const q = `?token=${encodeURIComponent(token)}`;
    const snap = await waitFor(async () => {
      const r = await fetch(`${base}/live/vault/door/frame.jpg${q}`);
      return r.status === 200 ? r : null;
    });
    assert.equal(snap.headers.get('content-type'), 'image/jpeg');
    const reader = await mjpegReader(`${base}/live/vault/door/mjpeg${q}`);
    await reader.waitParts(3);
    reader.close();
    const v = wsViewer(srv.port, 'vault', 'door', token);
    await v.waitFrames(3);
    v.ws.close();
    assert.equal((await http(`/play/vault/live-door${q}`)).status, 403, 'another room: the token does not fit');
    assert.equal((await http(`/play/vault/vault-door${q}`)).status, 200);
    assert.equal((await http(`/play/vault/door${q}`)).status, 200);
  });

  test('expired, other-room and tampered tokens are refused', async () => {
    const secret = srv.store.getApp('vault')!.playSecret;
    const expired = signPlayToken({ app: 'vault', room: 'vault-door', exp: Math.floor(Date.now() / 1000) - 5 }, secret);
    const other = (await srv.api('GET', '/api/v1/apps/vault/play-token/gate')).body.data.token;
    const tampered = token.slice(0, -3) + (token.endsWith('AAA') ? 'BBB' : 'AAA');
    const forged = signPlayToken({ app: 'vault', room: 'vault-door', exp: Math.floor(Date.now() / 1000) + 600 }, 'ab'.repeat(32));
    for (const [tok, status, code, close] of [
      [expired, 401, 'invalid_play_token', 4401],
      [other, 403, 'forbidden', 4403],
      [tampered, 401, 'invalid_play_token', 4401],
      [forged, 401, 'invalid_play_token', 4401],
    ] as const) {
      const q = `?token=${encodeURIComponent(tok)}`;
      for (const path of ['/live/vault/door/mjpeg', '/live/vault/door/frame.jpg', '/play/vault/door']) assert.deepEqual(await http(path + q), { status, code }, `${path} ${code}`);
      assert.equal(await wsClose(tok), close);
    }
  });

  test('turning public playback off ends the viewers that watched without a token', async () => {
    await srv.api('POST', '/api/v1/apps', { name: 'flip' });
    const key = (await srv.api('POST', '/api/v1/apps/flip/ws-ingest', { room: 'c' })).body.data;
    const c = rawCamera(srv.port, { app: 'flip', room: 'c', key: key.streamKey });
    await c.ready;
    c.ws.send(loadFrames('qvga')[0]!);
    const v = wsViewer(srv.port, 'flip', 'c');
    await v.waitFrames(1);
    await srv.api('PATCH', '/api/v1/apps/flip', { publicPlayback: false });
    assert.equal((await v.closed).code, 4404);
    assert.equal((await wsViewer(srv.port, 'flip', 'c').closed).code, 4401);
    c.ws.close(1000);
  });
});
