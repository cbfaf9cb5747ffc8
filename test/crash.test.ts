// A crashed worker: an exception escaping every handler restarts that worker only. The
// other worker's cameras and viewers are untouched; the dead worker's cameras reconnect
// (fixed interval, like the firmware) and stream again; a throw inside a handler is
// answered and never takes the process down.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { SimCamera } from '../src/camera/simulator.js';
import { mjpegReader, type MjpegReader } from './helpers/clients.js';
import { metricValue } from './helpers/metrics.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { sleep, waitFor } from './helpers/wait.js';

let srv: TestServer;
before(async () => {
  // Cameras and viewers on both workers: the crash of one must not touch the other's.
  srv = await startTestServer({ faultInjection: true, reconnectGraceSec: 30, accept: 'all' });
});
after(() => srv.stop());

test('a throw inside an HTTP or WebSocket handler is answered; the process stays up', async () => {
  const r = await fetch(`http://127.0.0.1:${srv.port}/debug/throw`);
  assert.equal(r.status, 500);
  assert.equal(((await r.json()) as any).error.code, 'internal');
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/debug/throw`);
  await new Promise((res) => ws.once('open', res));
  ws.send('boom');
  const code = await new Promise<number>((res) => ws.once('close', (c) => res(c)));
  assert.equal(code, 1011);
  assert.equal((await fetch(`http://127.0.0.1:${srv.port}/healthz`)).status, 200);
});

test('a worker that crashes is restarted; only its own cameras reconnect', async () => {
  const cams: SimCamera[] = [];
  for (let i = 0; i < 12; i++) {
    const key = await srv.mintKey(`c${i}`);
    cams.push(new SimCamera({ url: `http://127.0.0.1:${srv.port}`, app: 'live', room: `c${i}`, key: key.streamKey, fps: 10, reconnectMs: 500 }).start());
  }
  await waitFor(() => cams.every((c) => c.ready), 5000, 'cameras ready');
  const placement = new Map<string, number>();
  await waitFor(async () => {
    for (const w of await srv.inspect()) for (const c of w.cameras) placement.set(c.room, w.shard);
    return cams.every((c) => placement.has(`live-${c.options.room}`));
  });
  const onShard = (s: number) => cams.filter((c) => placement.get(`live-${c.options.room}`) === s);
  assert.ok(onShard(0).length > 0 && onShard(1).length > 0, 'cameras on both workers');
  // A viewer of every camera, on whichever worker accepted it.
  const viewers: { cam: SimCamera; reader: MjpegReader; shard: number }[] = [];
  for (const cam of cams) {
    const reader = await mjpegReader(`http://127.0.0.1:${srv.port}/live/live/${cam.options.room}/mjpeg`);
    viewers.push({ cam, reader, shard: Number(reader.headers['x-framehub-shard']) });
  }
  await Promise.all(viewers.map((v) => v.reader.waitParts(2)));

  const crashedAt = Date.now();
  srv.injectFault(0);
  await waitFor(async () => metricValue(await srv.metrics(), 'framehub_worker_restarts_total', { shard: '0' }) === 1, 5000, 'worker 0 restart');
  const victims = onShard(0);
  await waitFor(() => victims.every((c) => c.connects === 2 && c.ready), 10_000, 'cameras of the dead worker back');
  const back = Date.now() - crashedAt;
  for (const c of onShard(1)) assert.equal(c.connects, 1, `camera ${c.options.room} on the healthy worker never reconnected`);
  for (const c of victims) assert.equal(c.lastClose?.code, 1006);

  // Viewers on the healthy worker kept getting frames of healthy cameras throughout.
  const healthy = viewers.filter((v) => v.shard === 1 && placement.get(`live-${v.cam.options.room}`) === 1);
  const before = healthy.map((v) => v.reader.parts.length);
  await sleep(1000);
  healthy.forEach((v, i) => assert.ok(v.reader.parts.length >= before[i]! + 5, `viewer of ${v.cam.options.room} kept its rate`));
  // Viewers on the healthy worker of the victims' rooms see the streams resume.
  const resumed = viewers.filter((v) => v.shard === 1 && victims.includes(v.cam));
  for (const v of resumed) {
    const n = v.reader.parts.length;
    await v.reader.waitParts(n + 3, 5000);
  }
  // Fresh viewers get frames from every camera again.
  for (const cam of victims) {
    const r = await mjpegReader(`http://127.0.0.1:${srv.port}/live/live/${cam.options.room}/mjpeg`);
    await r.waitParts(3, 5000);
    r.close();
  }
  console.log(`crash: worker 0 died with ${victims.length} cameras; all streaming again ${back} ms later; ${onShard(1).length} cameras on worker 1 untouched`);
  for (const v of viewers) v.reader.close();
  await Promise.all(cams.map((c) => c.stop()));
});
