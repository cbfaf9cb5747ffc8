// Camera ingest over real sockets: both auth forms, the ready message, every close code
// with its error message, idle and ping timeouts, the token bucket, non-JPEG drops,
// 4409 replacement across workers, subprotocol echo.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadFrames } from '../src/camera/frames.js';
import { rawCamera } from './helpers/clients.js';
import { metricValue } from './helpers/metrics.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { sleep, waitFor } from './helpers/wait.js';

const frames = loadFrames('qvga');

describe('camera ingest', () => {
  let srv: TestServer;
  before(async () => {
    // Connections on both workers (replacement across workers, 4409).
    srv = await startTestServer({ idleTimeoutSec: 2, maxFps: 5, maxFrameBytes: 65536, reconnectGraceSec: 1, accept: 'all' });
  });
  after(() => srv.stop());

  test('header auth: ready carries the effective limits and the subprotocol is echoed', async () => {
    const key = await srv.mintKey('hdr');
    const cam = rawCamera(srv.port, { room: 'hdr', key: key.streamKey, protocol: 'arduino' });
    const ready = await cam.ready;
    assert.equal(cam.ws.protocol, 'arduino');
    assert.equal(ready.type, 'ready');
    assert.equal(ready.room, 'live-hdr');
    assert.match(ready.streamId, /^live-hdr\/wscam-[0-9a-f]{4}$/);
    assert.equal(ready.maxFps, 5);
    assert.equal(ready.maxFrameBytes, 65536);
    assert.equal(ready.idleTimeoutSec, 2);
    cam.ws.close(1000);
    assert.equal((await cam.closed).code, 1000);
  });

  test('query-key auth works and the full room name is accepted too', async () => {
    const key = await srv.mintKey('qry');
    const cam = rawCamera(srv.port, { room: 'qry', key: key.streamKey, queryKey: true });
    assert.equal((await cam.ready).room, 'live-qry');
    cam.ws.close(1000);
    await cam.closed;
    const full = rawCamera(srv.port, { room: 'live-qry', key: key.streamKey });
    assert.equal((await full.ready).room, 'live-qry');
    full.ws.close(1000);
    await full.closed;
  });

  const rejections: [string, () => Promise<{ app?: string; room: string; key: string | null }>, number, string][] = [
    ['wrong key', async () => ({ room: 'r1', key: 'wsk_not-a-real-key' }), 4401, 'invalid_key'],
    ['no key', async () => ({ room: 'r1', key: null }), 4401, 'invalid_key'],
    ['unknown app', async () => ({ app: 'nosuchapp', room: 'r1', key: (await srv.mintKey('r1')).streamKey }), 4401, 'unknown_app'],
    ['room mismatch', async () => ({ room: 'other-room', key: (await srv.mintKey('r2')).streamKey }), 4401, 'room_mismatch'],
  ];
  for (const [name, setup, code, token] of rejections) {
    test(`${name}: error message ${token}, then close ${code}`, async () => {
      const cam = rawCamera(srv.port, await setup());
      const closed = await cam.closed;
      assert.equal(closed.code, code);
      assert.equal(closed.reason, token);
      assert.deepEqual({ type: cam.messages[0].type, code: cam.messages[0].code, message: cam.messages[0].message }, { type: 'error', code: String(code), message: token });
    });
  }

  test('frames sent before ready: the newest is published on admission, the older ones counted not_ready', async () => {
    const key = await srv.mintKey('eager');
    const before = metricValue(await srv.metrics(), 'framehub_frames_dropped_total', { reason: 'not_ready' });
    const cam = rawCamera(srv.port, { room: 'eager', key: key.streamKey });
    // Sent as soon as the 101 arrives: the primary has usually not decided the handshake yet.
    cam.ws.once('open', () => (cam.ws.send(frames[0]!), cam.ws.send(frames[1]!)));
    await cam.ready;
    // Both frames may also arrive after the decision: then both are relayed, the second last,
    // and frame.jpg can show the first for a moment; so wait for the newest (an older frame
    // kept instead would never turn into it and time out).
    await waitFor(async () => {
      const r = await fetch(`http://127.0.0.1:${srv.port}/live/live/eager/frame.jpg`);
      return r.status === 200 && Buffer.from(await r.arrayBuffer()).equals(frames[1]!);
    }, 5000, 'frame.jpg is the newest frame sent');
    const dropped = metricValue(await srv.metrics(), 'framehub_frames_dropped_total', { reason: 'not_ready' }) - before;
    assert.ok(dropped <= 1, `not_ready drops: ${dropped}`);
    cam.ws.close(1000);
    assert.equal((await cam.closed).code, 1000);
  });

  test('a handshake sent with `Connection: close` is upgraded and stays open (uWS async-upgrade close)', async () => {
    const key = await srv.mintKey('connclose');
    const sock = net.connect(srv.port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let ended = false;
    sock.on('data', (d) => (received = Buffer.concat([received, d])));
    sock.on('end', () => (ended = true));
    sock.on('error', () => {});
    await once(sock, 'connect');
    sock.write(
      'GET /ingest/ws?app=live&room=connclose HTTP/1.1\r\nHost: framehub\r\nUpgrade: websocket\r\nConnection: close\r\n' +
        `Authorization: Bearer ${key.streamKey}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await waitFor(() => received.includes('"type":"ready"'), 3000, 'ready after a Connection: close handshake');
    assert.match(received.toString('latin1'), /^HTTP\/1\.1 101 /);
    // One masked binary frame (zero mask key) holding a JPEG: it must be relayed.
    const jpeg = frames[0]!;
    sock.write(Buffer.concat([Buffer.from([0x82, 0xfe, jpeg.length >> 8, jpeg.length & 0xff, 0, 0, 0, 0]), jpeg]));
    await waitFor(async () => (await fetch(`http://127.0.0.1:${srv.port}/live/live/connclose/frame.jpg`)).status === 200, 3000, 'the frame relayed');
    await sleep(200);
    assert.equal(ended, false, 'the server did not end the socket');
    sock.destroy();
  });

  test('4403 when the app has WS ingest disabled', async () => {
    const app = srv.store.getApp('live')!;
    await srv.store.putApp({ ...app, name: 'noingest', wsIngest: false });
    const key = await srv.mintKey('cam', 'noingest');
    const cam = rawCamera(srv.port, { app: 'noingest', room: 'cam', key: key.streamKey });
    const closed = await cam.closed;
    assert.equal(closed.code, 4403);
    assert.equal(cam.messages[0].message, 'ws_ingest_disabled');
  });

  test('4413 for a frame over maxFrameBytes', async () => {
    const key = await srv.mintKey('big');
    const cam = rawCamera(srv.port, { room: 'big', key: key.streamKey });
    await cam.ready;
    const big = Buffer.concat([frames[0]!.subarray(0, 2), Buffer.alloc(70_000, 1), Buffer.from([0xff, 0xd9])]);
    cam.ws.send(big);
    const closed = await cam.closed;
    assert.equal(closed.code, 4413);
    assert.equal(cam.messages.at(-1).message, 'frame_too_large');
  });

  test('4408 when no frame arrives for idleTimeoutSec; viewers get the frame until then', async () => {
    const key = await srv.mintKey('idle');
    const cam = rawCamera(srv.port, { room: 'idle', key: key.streamKey });
    await cam.ready;
    cam.ws.send(frames[0]!);
    const started = Date.now();
    const closed = await cam.closed;
    assert.equal(closed.code, 4408);
    assert.equal(cam.messages.at(-1).message, 'idle_timeout');
    const took = Date.now() - started;
    assert.ok(took >= 1900 && took < 10_000, `closed after ${took} ms`);
  });

  test('token bucket: frames over maxFps are dropped silently and counted, never a disconnect', async () => {
    const key = await srv.mintKey('fast');
    const cam = rawCamera(srv.port, { room: 'fast', key: key.streamKey });
    await cam.ready;
    const before = metricValue(await srv.metrics(), 'framehub_frames_dropped_total', { reason: 'rate_limit' });
    for (let i = 0; i < 20; i++) cam.ws.send(frames[i % frames.length]!);
    const dropped = await waitFor(async () => {
      const d = metricValue(await srv.metrics(), 'framehub_frames_dropped_total', { reason: 'rate_limit' }) - before;
      return d >= 14 ? d : 0;
    }, 3000, 'rate-limit drops');
    assert.ok(dropped <= 15, `dropped ${dropped} of 20 with a bucket of 5`);
    assert.equal(cam.ws.readyState, cam.ws.OPEN);
    cam.ws.close(1000);
    await cam.closed;
  });

  test('binary messages that are not JPEG are dropped and counted, the socket stays', async () => {
    const key = await srv.mintKey('junk');
    const cam = rawCamera(srv.port, { room: 'junk', key: key.streamKey });
    await cam.ready;
    const before = metricValue(await srv.metrics(), 'framehub_frames_dropped_total', { reason: 'not_jpeg' });
    cam.ws.send(Buffer.from('definitely not a jpeg'));
    cam.ws.send(frames[0]!.subarray(0, 3000)); // truncated: no EOI
    await waitFor(async () => metricValue(await srv.metrics(), 'framehub_frames_dropped_total', { reason: 'not_jpeg' }) - before === 2, 3000, 'not_jpeg drops');
    const res = await fetch(`http://127.0.0.1:${srv.port}/live/live/junk/frame.jpg`);
    assert.equal(res.status, 404, 'nothing was relayed');
    assert.equal(cam.ws.readyState, cam.ws.OPEN);
    cam.ws.close(1000);
    await cam.closed;
  });

  test('stats messages are kept; oversized and invalid ones are ignored and counted', async () => {
    const key = await srv.mintKey('stats');
    const cam = rawCamera(srv.port, { room: 'stats', key: key.streamKey });
    await cam.ready;
    cam.ws.send(JSON.stringify({ type: 'stats', fps: 12, rssi: -61, heapFree: 41232 }));
    await waitFor(async () => metricValue(await srv.metrics(), 'framehub_camera_stats_messages_total', { result: 'ok' }) >= 1, 3000, 'stats ok');
    cam.ws.send('x'.repeat(5000));
    await waitFor(async () => metricValue(await srv.metrics(), 'framehub_camera_stats_messages_total', { result: 'too_large' }) >= 1, 3000, 'stats too_large');
    assert.equal(cam.ws.readyState, cam.ws.OPEN);
    cam.ws.close(1000);
    await cam.closed;
  });

  test('4409: a newer connection with the same key replaces the older one, across workers', async () => {
    const key = await srv.mintKey('dup');
    /** The worker holding the connection that got this ready message. */
    const shardOf = async (ready: { streamId: string }): Promise<number> =>
      waitFor(async () => (await srv.inspect()).find((w) => w.cameras.some((c) => c.streamId === ready.streamId))?.shard.toString(), 3000, 'camera placement').then(Number);
    let current = rawCamera(srv.port, { room: 'dup', key: key.streamKey });
    let currentShard = await shardOf(await current.ready);
    const seen = new Set<string>();
    for (let i = 0; i < 40 && !seen.has('cross'); i++) {
      const next = rawCamera(srv.port, { room: 'dup', key: key.streamKey });
      const nextShard = await shardOf(await next.ready);
      const closed = await current.closed;
      assert.equal(closed.code, 4409);
      assert.equal(current.messages.at(-1).message, 'replaced');
      seen.add(nextShard === currentShard ? 'same' : 'cross');
      current = next;
      currentShard = nextShard;
    }
    assert.ok(seen.has('cross'), 'a replacement across workers happened');
    current.ws.close(1000);
    await current.closed;
  });
});

describe('camera liveness and handshake limits', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ pingIntervalSec: 1, idleTimeoutSec: 60, handshakeBurst: 3, handshakeRatePerSec: 1, authFailBurst: 2 });
  });
  after(() => srv.stop());

  test('a camera that answers no pings is dropped after two missed pongs', async () => {
    const key = await srv.mintKey('mute');
    const cam = rawCamera(srv.port, { room: 'mute', key: key.streamKey, autoPong: false });
    await cam.ready;
    let pings = 0;
    cam.ws.on('ping', () => pings++);
    const started = Date.now();
    const closed = await cam.closed;
    const took = Date.now() - started;
    assert.equal(closed.code, 1006, 'dropped without a close frame');
    assert.ok(pings >= 2, `got ${pings} pings`);
    assert.ok(took >= 1500 && took < 10_000, `dropped after ${took} ms`);
  });

  test('4429 once an address used up its handshake burst', async () => {
    const key = await srv.mintKey('burst');
    const results: number[] = [];
    for (let i = 0; i < 5; i++) {
      const cam = rawCamera(srv.port, { room: 'burst', key: key.streamKey });
      const first = await cam.ready.then(() => 0, async () => (await cam.closed).code);
      results.push(first);
      if (first === 0) {
        cam.ws.close(1000);
        await cam.closed;
      } else {
        assert.equal(cam.messages[0].message, 'rate_limited');
      }
    }
    assert.ok(results.includes(4429), `results ${results}`);
    assert.equal(results[0], 0);
  });
});
