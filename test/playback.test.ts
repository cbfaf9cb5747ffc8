// Playback over real sockets: MJPEG parsed strictly and decoded by ffmpeg, frame.jpg with
// ETag/304, the WS viewer feed, a camera and its viewer on different workers, a stalled
// viewer that does not slow another, and what viewers see while a camera is away.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadFrames } from '../src/camera/frames.js';
import { SimCamera } from '../src/camera/simulator.js';
import { mjpegReader, rawCamera, wsViewer } from './helpers/clients.js';
import { metricValue } from './helpers/metrics.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { sleep, waitFor } from './helpers/wait.js';

const run = promisify(execFile);
const qvga = loadFrames('qvga');

/** A valid JPEG of about `size` bytes: a real frame padded with COM segments. */
function bigJpeg(size: number, fill: number): Buffer {
  const base = loadFrames('vga')[fill % 16]!;
  const segments: Buffer[] = [];
  let left = size - base.length;
  while (left > 4) {
    const n = Math.min(65533, left - 4);
    const seg = Buffer.alloc(n + 4, fill & 0xff);
    seg[0] = 0xff;
    seg[1] = 0xfe;
    seg.writeUInt16BE(n + 2, 2);
    segments.push(seg);
    left -= n + 4;
  }
  return Buffer.concat([base.subarray(0, 2), ...segments, base.subarray(2)]);
}

describe('playback', () => {
  let srv: TestServer;
  before(async () => {
    // Viewers on both workers: frames cross threads through the slots and the doorbell.
    srv = await startTestServer({ maxFps: 30, reconnectGraceSec: 2, accept: 'all' });
  });
  after(() => srv.stop());

  test('MJPEG: last frame at once, every part well-formed and byte-identical to what was sent', async () => {
    const key = await srv.mintKey('mj');
    const cam = rawCamera(srv.port, { room: 'mj', key: key.streamKey });
    await cam.ready;
    cam.ws.send(qvga[0]!);
    await waitFor(async () => (await fetch(key.frameUrl.replace('localhost', '127.0.0.1'))).status === 200, 3000, 'first frame');
    const reader = await mjpegReader(`http://127.0.0.1:${srv.port}/live/live/mj/mjpeg`);
    assert.equal(reader.status, 200);
    assert.equal(reader.headers['content-type'], 'multipart/x-mixed-replace; boundary=frame');
    const [first] = await reader.waitParts(1, 1000);
    assert.deepEqual(first!.body, qvga[0], 'a new viewer gets the last frame at once');
    for (let i = 1; i < 8; i++) {
      cam.ws.send(qvga[i]!);
      await reader.waitParts(i + 1);
    }
    reader.parts.forEach((p, i) => {
      assert.deepEqual(p.body, qvga[i], `part ${i}`);
      assert.equal(Number(p.headers['content-length']), qvga[i]!.length);
      assert.match(p.headers['x-timestamp']!, /^\d+\.\d{6}$/);
    });
    reader.close();
    cam.ws.close(1000);
    await cam.closed;
  });

  test('MJPEG decodes in ffmpeg, an independent client', async () => {
    const key = await srv.mintKey('ff');
    const cam = new SimCamera({ url: `http://127.0.0.1:${srv.port}`, app: 'live', room: 'ff', key: key.streamKey, fps: 15, reconnectMs: 0 }).start();
    await new Promise((r) => cam.once('ready', r));
    const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostats', '-i', `http://127.0.0.1:${srv.port}/live/live/ff/mjpeg`, '-frames:v', '12', '-f', 'null', '-'], { timeout: 15000 });
    assert.match(stderr, /Stream #0:0: Video: mjpeg/);
    assert.match(stderr, /frame=\s*12/);
    await cam.stop();
  });

  test('frame.jpg is the last frame byte for byte, with an ETag per frame and 304 on If-None-Match', async () => {
    const key = await srv.mintKey('snap');
    const cam = rawCamera(srv.port, { room: 'snap', key: key.streamKey });
    await cam.ready;
    cam.ws.send(qvga[3]!);
    const url = `http://127.0.0.1:${srv.port}/live/live/snap/frame.jpg`;
    const first = await waitFor(async () => {
      const r = await fetch(url);
      return r.status === 200 ? r : null;
    });
    assert.equal(first.headers.get('content-type'), 'image/jpeg');
    assert.equal(first.headers.get('cache-control'), 'no-store');
    assert.deepEqual(Buffer.from(await first.arrayBuffer()), qvga[3]);
    const etag = first.headers.get('etag')!;
    assert.match(etag, /^"[0-9a-f]+-\d+-\d+"$/);
    const again = await fetch(url, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
    cam.ws.send(qvga[4]!);
    const next = await waitFor(async () => {
      const r = await fetch(url, { headers: { 'If-None-Match': etag } });
      return r.status === 200 ? r : null;
    });
    assert.notEqual(next.headers.get('etag'), etag);
    assert.deepEqual(Buffer.from(await next.arrayBuffer()), qvga[4]);
    cam.ws.close(1000);
    await cam.closed;
  });

  test('unknown apps and rooms without a camera get a clear 404', async () => {
    const offline = await fetch(`http://127.0.0.1:${srv.port}/live/live/nobody/mjpeg`);
    assert.equal(offline.status, 404);
    assert.deepEqual(((await offline.json()) as any).error.code, 'stream_offline');
    const noApp = await fetch(`http://127.0.0.1:${srv.port}/live/nosuch/cam/frame.jpg`);
    assert.equal(noApp.status, 404);
    assert.equal(((await noApp.json()) as any).error.code, 'not_found');
    const v = wsViewer(srv.port, 'live', 'nobody');
    const closed = await v.closed;
    assert.equal(closed.code, 4404);
  });

  test('WS viewer: hello, then one binary message per JPEG', async () => {
    const key = await srv.mintKey('wsv');
    const cam = rawCamera(srv.port, { room: 'wsv', key: key.streamKey });
    await cam.ready;
    cam.ws.send(qvga[0]!);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${srv.port}/live/live/wsv/frame.jpg`)).status === 200);
    const info: any = await (await fetch(`http://127.0.0.1:${srv.port}/live/live/wsv/stream.json`)).json();
    assert.equal(info.data.type, 'ws-mjpeg');
    assert.equal(info.data.state, 'live');
    assert.equal(info.data.feeds.ws, '/live/ws?app=live&room=wsv');
    assert.ok(info.data.frameAgeMs >= 0);
    const v = wsViewer(srv.port, 'live', 'wsv');
    await v.waitFrames(1);
    assert.deepEqual(v.texts[0], { type: 'hello', room: 'live-wsv', streamId: v.texts[0].streamId, streamType: 'ws-mjpeg', state: 'live' });
    for (let i = 1; i < 6; i++) {
      cam.ws.send(qvga[i]!);
      await v.waitFrames(i + 1);
    }
    v.frames.forEach((f, i) => assert.deepEqual(f, qvga[i]));
    v.ws.close();
    cam.ws.close(1000);
    await cam.closed;
  });

  test('a frame published on one worker is viewed on the other', async () => {
    const key = await srv.mintKey('cross');
    const cam = rawCamera(srv.port, { room: 'cross', key: key.streamKey });
    await cam.ready;
    cam.ws.send(qvga[0]!);
    const camShard = (await srv.inspect()).find((w) => w.cameras.some((c) => c.room === 'live-cross'))!.shard;
    let reader = null;
    for (let i = 0; i < 40 && !reader; i++) {
      const r = await mjpegReader(`http://127.0.0.1:${srv.port}/live/live/cross/mjpeg`);
      if (Number(r.headers['x-framehub-shard']) !== camShard) reader = r;
      else r.close();
    }
    assert.ok(reader, 'got a viewer on the other worker');
    await reader.waitParts(1);
    for (let i = 1; i < 6; i++) {
      cam.ws.send(qvga[i]!);
      await reader.waitParts(i + 1);
    }
    reader.parts.forEach((p, i) => assert.deepEqual(p.body, qvga[i]));
    reader.close();
    cam.ws.close(1000);
    await cam.closed;
  });

  test('a viewer that stops reading skips frames; another viewer keeps full rate', async () => {
    const key = await srv.mintKey('slow');
    const cam = rawCamera(srv.port, { room: 'slow', key: key.streamKey });
    await cam.ready;
    const frames = Array.from({ length: 4 }, (_, i) => bigJpeg(200_000, i));
    cam.ws.send(frames[0]!);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${srv.port}/live/live/slow/frame.jpg`)).status === 200);
    const slow = await mjpegReader(`http://127.0.0.1:${srv.port}/live/live/slow/mjpeg`);
    const fast = await mjpegReader(`http://127.0.0.1:${srv.port}/live/live/slow/mjpeg`);
    await slow.waitParts(1);
    await fast.waitParts(1);
    slow.pause();
    const before = metricValue(await srv.metrics(), 'framehub_frames_dropped_total', { reason: 'slow_viewer' });
    const sent = 75;
    for (let i = 1; i <= sent; i++) {
      cam.ws.send(frames[i % frames.length]!);
      await sleep(1000 / 25);
    }
    await fast.waitParts(1 + sent, 5000);
    const skipped = metricValue(await srv.metrics(), 'framehub_frames_dropped_total', { reason: 'slow_viewer' }) - before;
    assert.ok(skipped > 0, 'the stalled viewer skipped frames');
    assert.equal(fast.parts.length, 1 + sent, 'the reading viewer got every frame');
    slow.resume();
    await slow.waitParts(2, 5000);
    assert.ok(slow.parts.length < fast.parts.length, `slow ${slow.parts.length} < fast ${fast.parts.length}`);
    slow.close();
    fast.close();
    cam.ws.close(1000);
    await cam.closed;
  });

  test('camera away: viewers stay through the grace period and resume; after it MJPEG ends and WS closes 4404', async () => {
    const key = await srv.mintKey('away');
    const cam = rawCamera(srv.port, { room: 'away', key: key.streamKey });
    await cam.ready;
    cam.ws.send(qvga[0]!);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${srv.port}/live/live/away/frame.jpg`)).status === 200);
    const mj = await mjpegReader(`http://127.0.0.1:${srv.port}/live/live/away/mjpeg`);
    const ws = wsViewer(srv.port, 'live', 'away');
    await mj.waitParts(1);
    await ws.waitFrames(1);
    cam.ws.close(1000);
    await cam.closed;
    await waitFor(() => ws.texts.some((t) => t.type === 'state' && t.state === 'away'), 3000, 'away state');
    const snap = await fetch(`http://127.0.0.1:${srv.port}/live/live/away/frame.jpg`);
    assert.equal(snap.headers.get('x-stream-state'), 'away');
    // Back within the grace period: the same viewers get the new frames.
    const back = rawCamera(srv.port, { room: 'away', key: key.streamKey });
    await back.ready;
    back.ws.send(qvga[5]!);
    const parts = await mj.waitParts(2);
    assert.deepEqual(parts[1]!.body, qvga[5]);
    await ws.waitFrames(2);
    assert.ok(ws.texts.some((t) => t.type === 'state' && t.state === 'live'));
    // Gone for good: after the grace period the MJPEG response ends and the WS viewer is closed.
    back.ws.close(1000);
    await back.closed;
    const closed = await ws.closed;
    assert.equal(closed.code, 4404);
    assert.equal(closed.reason, 'stream_ended');
    await mj.ended;
    const gone = await fetch(`http://127.0.0.1:${srv.port}/live/live/away/frame.jpg`);
    assert.equal(gone.status, 404);
  });
});
