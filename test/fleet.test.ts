// The fleet view's data against the real server: GET /api/v1/apps/:app/fleet answers every
// room of the app in one request with its state (live / away / offline / never seen), the
// health flags (weak signal, low heap, flapping) from the node's thresholds, drops in the
// last minute and the summary totals; the per-app gauges on /metrics agree with it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadFrames } from '../src/camera/frames.js';
import { SimCamera } from '../src/camera/simulator.js';
import { rawCamera } from './helpers/clients.js';
import { metricValue } from './helpers/metrics.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

let srv: TestServer;
const frames = loadFrames('qvga');
const sims: SimCamera[] = [];

before(async () => {
  srv = await startTestServer({ reconnectGraceSec: 1, flapConnectsPerHour: 3, maxFps: 5, weakRssiDbm: -75, lowHeapBytes: 20000 });
});
after(async () => {
  await Promise.all(sims.map((s) => s.stop()));
  await srv.stop();
});

const fleet = async () => {
  const r = await srv.api('GET', '/api/v1/apps/live/fleet');
  assert.equal(r.status, 200);
  return r.body.data;
};

test('fleet: states, health flags, drops and totals in one request; per-app gauges agree', { timeout: 60_000 }, async () => {
  const keys = (await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk', { cameras: ['weak', 'good', 'gone', 'never', 'flappy'].map((room) => ({ room, identity: `esp-${room}` })) })).body.data.keys;
  const key = (room: string): string => keys.find((k: any) => k.name === room).streamKey;
  const sim = (room: string, fps: number): SimCamera => {
    const cam = new SimCamera({ url: `http://127.0.0.1:${srv.port}`, app: 'live', room, key: key(room), fps, reconnectMs: 0 });
    cam.on('error', () => {});
    sims.push(cam);
    return cam.start();
  };
  const good = sim('good', 2);
  // weak: a burst of 30 frames, over maxFps 5: most are dropped (and counted).
  const weak = rawCamera(srv.port, { room: 'weak', key: key('weak') });
  await weak.ready;
  for (let i = 0; i < 30; i++) weak.ws.send(frames[i % frames.length]!);
  weak.ws.send(JSON.stringify({ type: 'stats', fps: 20, rssi: -85, heapFree: 15_000 }));
  const keepAlive = setInterval(() => weak.ws.send(frames[0]!), 500);
  after(() => clearInterval(keepAlive));
  await waitFor(() => good.ready, 10_000, 'camera ready');
  good.sendStats({ rssi: -50, heapFree: 60_000 });
  // gone: connects, then powers off (1000): away for the 1 s grace, then offline.
  const gone = rawCamera(srv.port, { room: 'gone', key: key('gone') });
  await gone.ready;
  gone.ws.close(1000);
  await gone.closed;
  // flappy: three connections (the threshold) within the hour.
  for (let i = 0; i < 3; i++) {
    const c = rawCamera(srv.port, { room: 'flappy', key: key('flappy') });
    await c.ready;
    c.ws.close(1000);
    await c.closed;
  }

  const data = await waitFor(async () => {
    const d = await fleet();
    const by = Object.fromEntries(d.rooms.map((r: any) => [r.name, r]));
    (globalThis as any).lastFleet = d;
    return by.weak?.stats?.rssi === -85 && by.good?.stats && by.good.fps > 0 && by.gone?.state === 'offline' && by.flappy?.state === 'offline' && by.weak.droppedLastMinute > 0 ? d : null;
  }, 15_000, 'fleet figures').catch((err) => {
    throw new Error(`${err.message}: ${JSON.stringify((globalThis as any).lastFleet.rooms.map((r: any) => [r.name, r.state, r.stats, r.droppedLastMinute]))}`);
  });
  const by = Object.fromEntries(data.rooms.map((r: any) => [r.name, r]));
  assert.deepEqual(data.rooms.map((r: any) => r.name), ['flappy', 'gone', 'good', 'never', 'weak'], 'sorted by room');
  assert.deepEqual(Object.fromEntries(data.rooms.map((r: any) => [r.name, r.state])), { flappy: 'offline', gone: 'offline', good: 'live', never: 'never', weak: 'live' });
  assert.equal(by.weak.weakSignal, true);
  assert.equal(by.weak.lowHeap, true);
  assert.equal(by.good.weakSignal, false);
  assert.equal(by.good.lowHeap, false);
  assert.equal(by.flappy.flapping, true);
  assert.equal(by.flappy.connectsLastHour, 3);
  assert.equal(by.gone.flapping, false);
  assert.deepEqual(by.gone.lastClose && [by.gone.lastClose.code, by.gone.lastClose.reason], [1000, 'normal']);
  assert.equal(by.never.lastSeenAt, null);
  assert.equal(by.never.identity, 'esp-never');
  assert.ok(by.good.fps > 0 && by.good.lastSeenAt && by.good.since);
  assert.equal(by.weak.keys[0].live, true);
  assert.deepEqual(data.summary, {
    ...data.summary,
    rooms: 5, live: 2, away: 0, offline: 2, never: 1, weakSignal: 1, lowHeap: 1, flapping: 1,
  });
  assert.ok(data.summary.droppedLastMinute >= by.weak.droppedLastMinute);
  assert.deepEqual(data.thresholds, { weakRssiDbm: -75, lowHeapBytes: 20000, flapConnectsPerHour: 3 });
  assert.equal(data.traffic.linkCapacityBytesPerSec, 125_000_000);
  const later = await waitFor(async () => ((await fleet()).traffic.bytesInPerSec > 0 ? await fleet() : null), 10_000, 'node traffic rates');
  assert.ok(later.traffic.bytesOutPerSec !== null);

  const metrics = await (await fetch(`http://127.0.0.1:${srv.metricsPort}/metrics`)).text();
  for (const [state, n] of [['live', 2], ['away', 0], ['offline', 2], ['never', 1]] as const) assert.equal(metricValue(metrics, 'framehub_app_cameras', { app: 'live', state }), n, state);
  assert.equal(metricValue(metrics, 'framehub_app_cameras_weak_signal', { app: 'live' }), 1);
  assert.equal(metricValue(metrics, 'framehub_app_cameras_low_heap', { app: 'live' }), 1);
  assert.equal(metricValue(metrics, 'framehub_app_cameras_flapping', { app: 'live' }), 1);
  // A revoked live camera's room stays listed (away, no key) until the grace period ends.
  await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk-revoke', { rooms: ['good'] });
  const revoked = await waitFor(async () => (await fleet()).rooms.find((r: any) => r.name === 'good' && r.state === 'away'), 5000, 'revoked room away');
  assert.deepEqual(revoked.keys, []);
  assert.equal(revoked.lastClose.code, 4401);
});
