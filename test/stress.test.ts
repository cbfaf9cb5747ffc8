// End to end, many threads: cameras publish stamped frames as fast as maxFps allows on two
// workers; MJPEG and WS viewers on both workers check that every frame they receive is
// byte for byte a frame that was sent (a torn or mixed frame would not match).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadFrames } from '../src/camera/frames.js';
import { readComment, withComment } from '../src/jpeg.js';
import { mjpegReader, rawCamera, wsViewer, type MjpegReader, type WsViewerClient } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { sleep, waitFor } from './helpers/wait.js';

let srv: TestServer;
before(async () => {
  // Viewers on both workers, so that frames cross threads (torn frames would show there).
  srv = await startTestServer({ maxFps: 60, accept: 'all' });
});
after(() => srv.stop());

test('no torn frame reaches a viewer under a multi-thread stress run', async () => {
  const vga = loadFrames('vga');
  const rooms = ['s1', 's2', 's3', 's4'];
  const sent = new Map<string, Buffer>();
  const cams = await Promise.all(
    rooms.map(async (room) => {
      const key = await srv.mintKey(room);
      const cam = rawCamera(srv.port, { room, key: key.streamKey });
      await cam.ready;
      return { room, cam };
    }),
  );
  let seq = 0;
  const sendAll = (): void => {
    for (const { room, cam } of cams) {
      const stamp = `${room}:${++seq}`;
      const frame = withComment(vga[seq % vga.length]!, stamp);
      sent.set(stamp, frame);
      cam.ws.send(frame);
    }
  };
  sendAll();
  await waitFor(async () => (await fetch(`http://127.0.0.1:${srv.port}/live/live/s4/frame.jpg`)).status === 200);
  const mjpeg: MjpegReader[] = [];
  const ws: WsViewerClient[] = [];
  for (const room of rooms) {
    for (let i = 0; i < 2; i++) {
      mjpeg.push(await mjpegReader(`http://127.0.0.1:${srv.port}/live/live/${room}/mjpeg`));
      ws.push(wsViewer(srv.port, 'live', room));
    }
  }
  const shards = new Set(mjpeg.map((r) => r.headers['x-framehub-shard']));
  const timer = setInterval(sendAll, 1000 / 55);
  await sleep(2500);
  clearInterval(timer);
  await sleep(300);
  let checked = 0;
  const check = (body: Buffer, what: string): void => {
    const stamp = readComment(body);
    assert.ok(stamp, `${what}: frame without a stamp`);
    assert.ok(sent.get(stamp)?.equals(body), `${what}: frame ${stamp} differs from what was sent`);
    checked++;
  };
  for (const r of mjpeg) for (const p of r.parts) check(p.body, 'mjpeg');
  for (const v of ws) for (const f of v.frames) check(f, 'ws');
  const perViewer = checked / (mjpeg.length + ws.length);
  console.log(`stress: ${sent.size} frames sent by ${rooms.length} cameras, ${checked} frames checked on ${mjpeg.length + ws.length} viewers across shards ${[...shards].join(',')}, ${perViewer.toFixed(0)} per viewer`);
  assert.ok(perViewer > 60, `only ${perViewer} frames per viewer`);
  for (const r of mjpeg) r.close();
  for (const v of ws) v.ws.close();
  for (const { cam } of cams) cam.ws.close(1000);
});
