// The proof of the observability stack, end to end: a real node (2 shard workers) with
// simulated cameras, MJPEG/WS viewers and frame.jpg requests; one of each camera close code
// (4401, 4403, 4408, 4409, 4413, 4429), dropped frames (over maxFps, not JPEG, oversize),
// stats messages and one worker restart; and a real Prometheus (Debian's binary) running
// the project's prometheus.yml against the node's metrics port. Through Prometheus's HTTP
// API it asserts that:
//   - every rule loads and evaluates without error, and every recording rule returns data;
//   - every alert's condition is sound: an alert is normally quiet, so its expression is
//     split at its top-level comparison and set operators (>, ==, and, or, unless...) and
//     every operand must return data (a misnamed metric or label cannot hide behind "no
//     alert"); `offset` is dropped from operands because this Prometheus is seconds old.
//     The alerts this scenario really triggers (a silent camera, a worker restart) must
//     return those series from their full expression;
//   - every PromQL query of every Grafana panel returns data, with the template variables
//     set to this node, the room live-cam-1 and $__rate_interval = 10s, and every
//     label_values() variable lists them;
//   - the counters match what the test did: frames sent = accepted + dropped on ingest,
//     each drop reason, each close code once, handshake rejections, viewers, frames and
//     bytes delivered, snapshots by status, stats messages, API requests, the restart.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadFrames } from '../src/camera/frames.js';
import { SimCamera } from '../src/camera/simulator.js';
import { mjpegReader, rawCamera, wsViewer, type MjpegReader, type RawCamera, type WsViewerClient } from './helpers/clients.js';
import { metricValue } from './helpers/metrics.js';
import { REPO } from './helpers/paths.js';
import { startPrometheus, type Prometheus } from './helpers/prometheus.js';
import { dropOffsets, operands, substitute } from './helpers/promql.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

const frames = loadFrames('qvga');
const SIM_ROOMS = ['cam-1', 'cam-2', 'cam-3', 'cam-4'];
const PROVOKED = ['4401', '4403', '4408', '4409', '4413', '4429'];

let srv: TestServer;
let prom: Prometheus;
let base: string;
let instance: string;
const sims: SimCamera[] = [];
const mjpeg: MjpegReader[] = [];
const wsViewers: WsViewerClient[] = [];
let dupB: RawCamera;
let junk: RawCamera;
/** What the test did, to compare with the counters. */
const did = { rawFrames: 0, closes1000: 0, cameraCloseEchoes: [] as string[], viewerCloses1000: 0, snapshots: {} as Record<string, number>, api201: 0, stats: 0, junkFrames: 0, extraWsFrames: 0, extraWsBytes: 0 };

/** The shard that answers a fresh connection's /healthz. */
function healthShard(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body).shard));
    }).on('error', reject);
  });
}

async function snapshot(p: string, etag?: string): Promise<Response> {
  const res = await fetch(base + p, { headers: etag ? { 'If-None-Match': etag } : {} });
  await res.arrayBuffer();
  did.snapshots[res.status] = (did.snapshots[res.status] ?? 0) + 1;
  return res;
}

async function created(method: string, p: string, body: unknown): Promise<any> {
  const r = await srv.api(method, p, body);
  assert.equal(r.status, 201, `${method} ${p}: ${JSON.stringify(r.body)}`);
  did.api201++;
  return r.body.data;
}
const mint = (room: string, app = 'live'): Promise<{ streamKey: string }> => created('POST', `/api/v1/apps/${app}/ws-ingest`, { room });

function sendRaw(cam: RawCamera, frame: Buffer): void {
  cam.ws.send(frame);
  did.rawFrames++;
}

/** One number from Prometheus (sum of the result; NaN when empty). */
async function value(expr: string): Promise<number> {
  const r = await prom.query(expr);
  return r.length ? r.reduce((s, x) => s + Number(x.value[1]), 0) : NaN;
}

/** Waits until Prometheus reports `expected` for `expr` (it scrapes every second), then asserts it. */
async function expectValue(expr: string, expected: number, timeoutMs = 8000, explain?: () => Promise<string>): Promise<void> {
  const end = Date.now() + timeoutMs;
  let got = NaN;
  while (Date.now() < end) {
    got = await value(expr);
    if (got === expected) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal(got, expected, `Prometheus: ${expr}${explain ? `\n${await explain()}` : ''}`);
}

/** Every camera close code the node counted (non-zero), for failure messages. */
async function cameraCloses(): Promise<string> {
  const rows = await prom.query('framehub_ws_closes_total{side="camera"} > 0');
  return `node counted camera closes: ${rows.map((r) => `${r.metric.code}=${r.value[1]}`).sort().join(', ')}`;
}

/** Polls every expression until it returns data; returns those that never did (with the last error). */
async function withoutData(exprs: string[], timeoutMs: number): Promise<string[]> {
  const pending = new Map(exprs.map((e) => [e, 'no data']));
  const end = Date.now() + timeoutMs;
  while (pending.size && Date.now() < end) {
    for (const e of [...pending.keys()]) {
      try {
        if ((await prom.query(e)).length) pending.delete(e);
      } catch (err) {
        pending.set(e, (err as Error).message);
      }
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 500));
  }
  return [...pending].map(([e, why]) => `${e}  -> ${why}`);
}

before(async () => {
  // Long idle timeout and grace period: the raw cameras that went quiet stay connected,
  // and rooms keep their series until the end of the test, however slow the machine.
  srv = await startTestServer({ workers: 2, handshakeBurst: 20, handshakeRatePerSec: 1, idleTimeoutSec: 600, reconnectGraceSec: 600, perCameraMetrics: true, faultInjection: true });
  base = `http://127.0.0.1:${srv.port}`;
  instance = `127.0.0.1:${srv.metricsPort}`;

  // A shard worker crashes (an injected uncaught exception): the primary restarts it.
  srv.injectFault(0);
  // A scrape that races the exit fails (the per-camera collector asks every worker): retry.
  const restarts = (): Promise<number> => srv.metrics().then((text) => metricValue(text, 'framehub_worker_restarts_total', { shard: '0' }), () => -1);
  await waitFor(async () => (await restarts()) === 1, 10_000, 'worker 0 restart counted');
  await waitFor(async () => (await healthShard(srv.port)) === 0, 10_000, 'restarted worker 0 serving');

  prom = await startPrometheus(srv.metricsPort);

  // Apps for the refused (4403) and the idle (4408) camera.
  await created('POST', '/api/v1/apps', { name: 'closed', wsIngest: false });
  await created('POST', '/api/v1/apps', { name: 'sleepy', idleTimeoutSec: 1 });

  // Simulated cameras at 8 fps, each sending one stats message.
  for (const [i, room] of SIM_ROOMS.entries()) {
    const { streamKey } = await mint(room);
    const cam = new SimCamera({ url: base, app: 'live', room, key: streamKey, fps: 8, reconnectMs: 0, statsIntervalMs: 3_600_000 });
    cam.once('ready', () => {
      cam.sendStats({ rssi: -60 - i, heapFree: 40_000 + i });
      did.stats++;
    });
    sims.push(cam.start());
  }
  await waitFor(() => sims.every((s) => s.framesSent >= 2), 5000, 'cameras streaming');

  // Viewers: 2 MJPEG + 1 WS on cam-1, 1 MJPEG on cam-2, 1 WS on cam-3; one more WS viewer on
  // cam-4 that leaves at once (a viewer close).
  for (const room of ['cam-1', 'cam-1', 'cam-2']) mjpeg.push(await mjpegReader(`${base}/live/live/${room}/mjpeg`));
  wsViewers.push(wsViewer(srv.port, 'live', 'cam-1'), wsViewer(srv.port, 'live', 'cam-3'));
  const leaving = wsViewer(srv.port, 'live', 'cam-4');
  await leaving.waitFrames(2);
  leaving.ws.close(1000);
  await leaving.closed;
  did.viewerCloses1000++;
  did.extraWsFrames = leaving.frames.length;
  did.extraWsBytes = leaving.frames.reduce((n, f) => n + f.length, 0);
  await Promise.all(mjpeg.map((r) => r.waitParts(3)));
  await Promise.all(wsViewers.map((v) => v.waitFrames(3)));

  // frame.jpg: 200s, then a 404 for a room without a camera.
  for (let i = 0; i < 3; i++) assert.equal((await snapshot('/live/live/cam-2/frame.jpg')).status, 200);
  assert.equal((await snapshot('/live/live/nosuch/frame.jpg')).status, 404);

  // 4401: a key that does not exist.
  const bad = rawCamera(srv.port, { room: 'nokey', key: 'wsk_not-a-real-key' });
  assert.equal((await bad.closed).code, 4401);

  // 4403: an app with WS ingest off.
  const refusedKey = await mint('cam', 'closed');
  const refused = rawCamera(srv.port, { app: 'closed', room: 'cam', key: refusedKey.streamKey });
  assert.equal((await refused.closed).code, 4403);

  // 4408: one frame, then silence on an app with idleTimeoutSec 1. Its frame is static, so
  // frame.jpg answers 304 to its ETag.
  const idleKey = await mint('cam', 'sleepy');
  const idle = rawCamera(srv.port, { app: 'sleepy', room: 'cam', key: idleKey.streamKey });
  await idle.ready;
  sendRaw(idle, frames[0]!);
  const first = await waitFor(async () => {
    const r = await snapshot('/live/sleepy/cam/frame.jpg');
    return r.status === 200 ? r : null;
  }, 3000, 'idle camera frame');
  assert.equal((await snapshot('/live/sleepy/cam/frame.jpg', first.headers.get('etag')!)).status, 304);
  assert.equal((await idle.closed).code, 4408);

  // 4409: a second connection with the same key replaces the first.
  const dupKey = await mint('dup');
  const dupA = rawCamera(srv.port, { room: 'dup', key: dupKey.streamKey });
  await dupA.ready;
  for (let i = 0; i < 3; i++) sendRaw(dupA, frames[i]!);
  await new Promise((r) => setTimeout(r, 300));
  dupB = rawCamera(srv.port, { room: 'dup', key: dupKey.streamKey });
  await dupB.ready;
  assert.equal((await dupA.closed).code, 4409);
  for (let i = 0; i < 2; i++) sendRaw(dupB, frames[i]!);

  // 4413: a frame over maxFrameBytes (262,144), still under the 4x payload cap.
  const bigKey = await mint('big');
  const big = rawCamera(srv.port, { room: 'big', key: bigKey.streamKey });
  await big.ready;
  sendRaw(big, Buffer.concat([frames[0]!.subarray(0, 2), Buffer.alloc(300_000, 1), Buffer.from([0xff, 0xd9])]));
  const bigClosed = await big.closed;
  if (bigClosed.code !== 4413) {
    const text = await srv.metrics();
    assert.fail(`big camera closed ${JSON.stringify(bigClosed)} after ${JSON.stringify(big.messages)}; server counted ${text.split('\n').filter((l) => l.startsWith('framehub_ws_closes_total') || l.startsWith('framehub_frames_dropped_total')).join(', ')}`);
  }

  // Drops: 40 frames at once (maxFps 15: about 25 over the bucket), then 2 that are not JPEG.
  const junkKey = await mint('junk');
  junk = rawCamera(srv.port, { room: 'junk', key: junkKey.streamKey });
  await junk.ready;
  for (let i = 0; i < 40; i++) sendRaw(junk, frames[i % frames.length]!);
  sendRaw(junk, Buffer.from('definitely not a jpeg'));
  sendRaw(junk, frames[0]!.subarray(0, 3000));
  did.junkFrames = 42;

  // 4429: handshakes until the per-IP bucket (burst 20, 1/s) is empty; the cameras that
  // get in leave normally (1000).
  const burstKeys = [];
  for (let i = 0; i < 25; i++) burstKeys.push(await mint(`burst-${i}`));
  let limited = false;
  for (let i = 0; i < burstKeys.length && !limited; i++) {
    const cam = rawCamera(srv.port, { room: `burst-${i}`, key: burstKeys[i]!.streamKey });
    const code = await cam.ready.then(() => 0, async () => (await cam.closed).code);
    if (code === 0) {
      cam.ws.close(1000);
      did.cameraCloseEchoes.push(`${cam.ws.url.split('room=')[1]}:${(await cam.closed).code}`);
      did.closes1000++;
    } else {
      assert.equal(code, 4429);
      limited = true;
    }
  }
  assert.ok(limited, 'the handshake bucket ran out');
});

after(async () => {
  for (const r of mjpeg) r.close();
  for (const v of wsViewers) v.ws.terminate();
  dupB?.ws.terminate();
  junk?.ws.terminate();
  await Promise.all(sims.map((s) => s.stop()));
  await prom?.stop();
  await srv?.stop();
});

test('Prometheus scrapes the node and loads every rule of the project, all evaluating without error', async () => {
  // Prometheus applies static targets a few seconds after start, then scrapes every second.
  const targets = await waitFor(async () => {
    const data = await prom.api<{ activeTargets: { labels: Record<string, string>; health: string }[] }>('/api/v1/targets');
    return data.activeTargets.some((t) => t.health === 'up') ? data.activeTargets : null;
  }, 20_000, 'the framehub target scraped');
  assert.deepEqual(targets.map((t) => [t.labels.job, t.labels.instance, t.health]), [['framehub', instance, 'up']]);
  const inFiles = readdirSync(path.join(REPO, 'prometheus/rules'))
    .map((f) => readFileSync(path.join(REPO, 'prometheus/rules', f), 'utf8'))
    .reduce((n, text) => n + (text.match(/^\s*- (record|alert): /gm) ?? []).length, 0);
  const rules = await waitFor(async () => {
    const data = await prom.api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>('/api/v1/rules');
    const all = data.groups.flatMap((g) => g.rules);
    return all.length && all.every((r) => r.health !== 'unknown') ? all : null;
  }, 10_000, 'rules evaluated');
  assert.equal(rules.length, inFiles, 'every rule in prometheus/rules is loaded');
  assert.deepEqual(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError}`), []);
});

test('every recording rule returns data, and so does each operand inside it', async () => {
  const data = await prom.api<{ groups: { rules: { type: string; name: string; query: string }[] }[] }>('/api/v1/rules?type=record');
  const rules = data.groups.flatMap((g) => g.rules);
  assert.ok(rules.length >= 15);
  const exprs = [...new Set(rules.flatMap((r) => [r.name, r.query, ...operands(r.query)]))];
  assert.deepEqual(await withoutData(exprs, 15_000), []);
});

test('every alert condition: each operand of its comparisons and set operators returns data', async () => {
  const data = await prom.api<{ groups: { rules: { type: string; name: string; query: string }[] }[] }>('/api/v1/rules?type=alert');
  const alerts = data.groups.flatMap((g) => g.rules);
  assert.ok(alerts.length >= 10);
  for (const a of alerts) assert.ok(operands(a.query).length > 0, `${a.name}: no operand found in ${a.query}`);
  const exprs = [...new Set(alerts.flatMap((a) => operands(a.query).map(dropOffsets)))];
  assert.deepEqual(await withoutData(exprs, 15_000), []);

  // The conditions this scenario meets: the idle camera (closed 4408, away now) is silent,
  // and shard 0 was restarted. The live cameras are not silent.
  const query = (name: string): string => alerts.find((a) => a.name === name)!.query;
  const silent = await waitFor(async () => {
    const rooms = (await prom.query(query('FramehubCameraSilent'))).map((r) => r.metric.room);
    return rooms.includes('sleepy-cam') ? rooms : null;
  }, 10_000, 'FramehubCameraSilent condition for sleepy-cam');
  for (const room of SIM_ROOMS) assert.ok(!silent.includes(`live-${room}`), `live-${room} is not silent`);
  const restarted = (await prom.query(query('FramehubWorkerRestarted'))).map((r) => r.metric.shard);
  assert.deepEqual(restarted, ['0']);
});

test('every query of every Grafana panel and every dashboard variable returns data', async () => {
  const vars = { instance, room: 'live-cam-1', __rate_interval: '10s', __interval: '5s', __range: '1m', datasource: 'framehub-prometheus' };
  const dir = path.join(REPO, 'grafana/dashboards');
  const exprs: string[] = [];
  const variables: { name: string; query: string }[] = [];
  type Panel = { targets?: { expr: string }[]; panels?: Panel[] };
  const walk = (panels: Panel[]): void => {
    for (const p of panels) {
      for (const t of p.targets ?? []) exprs.push(substitute(t.expr, vars));
      walk(p.panels ?? []);
    }
  };
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    const dash = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    walk(dash.panels);
    for (const v of dash.templating.list) if (v.type === 'query') variables.push({ name: v.name, query: substitute(String(v.query), vars) });
  }
  assert.ok(exprs.length >= 50, `${exprs.length} panel queries`);
  const checked = [...new Set(exprs.flatMap((e) => [e, ...operands(e)]))];
  assert.deepEqual(await withoutData(checked, 15_000), []);

  for (const v of variables) {
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(v.query);
    assert.ok(m, `variable ${v.name}: ${v.query}`);
    const values = await prom.api<string[]>(`/api/v1/label/${m[2]}/values?match[]=${encodeURIComponent(m[1]!)}`);
    assert.ok(values.includes(vars[v.name as keyof typeof vars]), `variable ${v.name} (${v.query}) lists ${values}`);
  }
});

test('gauges match the live state: cameras, viewers per transport and per camera, stats', async () => {
  // Live now: the 4 simulated cameras, dupB and junk.
  await expectValue(`sum(framehub_cameras_connected{instance="${instance}"})`, 6);
  await expectValue(`instance:framehub_cameras:sum{instance="${instance}"}`, 6);
  await expectValue('framehub_viewers{transport="mjpeg"}', 3);
  await expectValue('framehub_viewers{transport="ws"}', 2);
  await expectValue('sum(framehub_shard_viewers)', 5);
  await expectValue(`count(framehub_shard_heap_used_bytes{instance="${instance}"} > 1e6)`, 2);
  await expectValue('framehub_camera_viewers{room="live-cam-1"}', 3);
  await expectValue('framehub_camera_viewers{room="live-cam-2"}', 1);
  await expectValue('framehub_camera_up{room="live-cam-1"}', 1);
  await expectValue('framehub_camera_up{room="sleepy-cam"}', 0);
  for (const [i, room] of SIM_ROOMS.entries()) {
    await expectValue(`framehub_camera_rssi_dbm{room="live-${room}"}`, -60 - i);
    await expectValue(`framehub_camera_heap_free_bytes{room="live-${room}"}`, 40_000 + i);
  }
  await expectValue('framehub_camera_stats_messages_total{result="ok"}', did.stats);
  await expectValue('framehub_camera_reconnects_total{room="live-dup"}', 1);
  await expectValue('framehub_link_capacity_bytes_per_second', 125e6);
  assert.ok((await value(`instance:framehub_camera_fps:avg_rate1m{instance="${instance}"}`)) > 0);
});

test('counters match what the test did: frames, drops, close codes, rejections, deliveries, snapshots, API, restarts', async () => {
  // Quiesce: cameras leave normally (1000); viewers stay attached (grace period).
  await Promise.all(sims.map((s) => s.stop()));
  dupB.ws.close(1000);
  junk.ws.close(1000);
  await Promise.all([dupB.closed, junk.closed]);
  did.closes1000 += sims.length + 2;
  // What each camera we closed saw back from the node (1000 echoed, or 1006 when stop()
  // had to drop the socket): printed if the node's count of 1000s does not match.
  for (const s of sims) did.cameraCloseEchoes.push(`${s.options.room}:${s.lastClose?.code}`);
  did.cameraCloseEchoes.push(`dup:${(await dupB.closed).code}`, `junk:${(await junk.closed).code}`);
  const sent = did.rawFrames + sims.reduce((n, s) => n + s.framesSent, 0);

  // Every frame sent was accepted or dropped on ingest, and nothing else.
  await expectValue('sum(framehub_frames_received_total) + sum(framehub_frames_dropped_total{reason!="slow_viewer"})', sent);
  await expectValue('framehub_frames_dropped_total{reason="not_jpeg"}', 2);
  await expectValue('framehub_frames_dropped_total{reason="oversize"}', 1);
  assert.ok((await value('framehub_frames_dropped_total{reason="rate_limit"}')) >= 20, 'about 25 of 40 frames at once over maxFps 15');
  await expectValue('framehub_camera_frames_total{room="live-junk"} + framehub_camera_dropped_frames_total{room="live-junk"}', did.junkFrames);
  for (const s of sims) {
    const room = `live-${s.options.room}`;
    await expectValue(`framehub_camera_frames_total{room="${room}"} + framehub_camera_dropped_frames_total{room="${room}"}`, s.framesSent);
    if ((await value(`framehub_camera_dropped_frames_total{room="${room}"}`)) === 0) await expectValue(`framehub_camera_received_bytes_total{room="${room}"}`, s.bytesSent);
  }

  // Close codes: each provoked one exactly once, the normal closes, and nothing else.
  for (const code of PROVOKED) await expectValue(`framehub_ws_closes_total{side="camera",code="${code}"}`, 1);
  await expectValue('framehub_ws_closes_total{side="camera",code="1000"}', did.closes1000, 8000, async () => `${await cameraCloses()}; the cameras closed with 1000 saw ${did.cameraCloseEchoes.join(' ')}`);
  // (Every documented code has a series from the start, at 0; the others must stay at 0.)
  const codes = (await prom.query('framehub_ws_closes_total{side="camera"} > 0')).map((r) => r.metric.code).sort();
  assert.deepEqual(codes, ['1000', ...PROVOKED]);
  const rejections = (await prom.query('framehub_handshake_rejections_total > 0')).map((r) => `${r.metric.code} ${r.metric.reason} ${r.value[1]}`).sort();
  assert.deepEqual(rejections, ['4401 invalid_key 1', '4403 ws_ingest_disabled 1', '4429 rate_limited 1']);

  // Deliveries: what the viewers received is what the node counted (MJPEG keepalives included).
  const mjpegParts = (): number => mjpeg.reduce((n, r) => n + r.parts.length, 0);
  await waitFor(async () => (await value('framehub_frames_sent_total{transport="mjpeg"}')) === mjpegParts(), 8000, 'MJPEG parts = frames_sent{mjpeg}').catch(async () => {
    assert.equal(await value('framehub_frames_sent_total{transport="mjpeg"}'), mjpegParts(), 'frames_sent{mjpeg}');
  });
  const wsFrames = did.extraWsFrames + wsViewers.reduce((n, v) => n + v.frames.length, 0);
  const wsBytes = did.extraWsBytes + wsViewers.reduce((n, v) => n + v.frames.reduce((m, f) => m + f.length, 0), 0);
  await expectValue('framehub_frames_sent_total{transport="ws"}', wsFrames);
  await expectValue('framehub_sent_bytes_total{transport="ws"}', wsBytes);
  await expectValue('framehub_frames_sent_total{transport="snapshot"}', did.snapshots[200]!);
  for (const [status, n] of Object.entries(did.snapshots)) await expectValue(`framehub_snapshot_requests_total{status="${status}"}`, n);

  // WS viewers leave normally.
  for (const v of wsViewers) v.ws.close(1000);
  await Promise.all(wsViewers.map((v) => v.closed));
  did.viewerCloses1000 += wsViewers.length;
  await expectValue('framehub_ws_closes_total{side="viewer",code="1000"}', did.viewerCloses1000);

  await expectValue('framehub_api_requests_total{status="201"}', did.api201);
  await expectValue('sum(framehub_api_requests_total)', did.api201);
  await expectValue('sum(framehub_worker_restarts_total)', 1);
  await expectValue('framehub_worker_restarts_total{shard="0"}', 1);
  await expectValue(`instance:framehub_cameras:sum{instance="${instance}"}`, 0);
});
