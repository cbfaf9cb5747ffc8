// The "Low, also fix" items of issue 15, each driven from outside: an app-restricted token
// sees only its app's figures on GET /cluster/nodes; `?identity=` on the camera handshake
// follows the API's rule; /metrics listens on loopback unless told otherwise; the viewer
// limits (per node, per room) are given back when a worker dies with viewers on it.
// (Token revocation bounds: test/adminToken.test.ts; framing: test/dashboardSecurity.test.ts;
// stalled MJPEG viewers: test/mjpegStall.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimCamera } from '../src/camera/simulator.js';
import { loadConfig } from '../src/config.js';
import { startChild } from './helpers/child.js';
import { mjpegReader, rawCamera } from './helpers/clients.js';
import { metricValue } from './helpers/metrics.js';
import { tempDir } from './helpers/paths.js';
import { startTestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

test('GET /cluster/nodes: an app-restricted token sees the figures of its own app only', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  assert.equal((await srv.api('POST', '/api/v1/apps', { name: 'tenant' })).status, 201);
  const cams = [rawCamera(srv.port, { room: 'a1', key: (await srv.mintKey('a1')).streamKey }), rawCamera(srv.port, { room: 'a2', key: (await srv.mintKey('a2')).streamKey }), rawCamera(srv.port, { app: 'tenant', room: 't1', key: (await srv.mintKey('t1', 'tenant')).streamKey })];
  await Promise.all(cams.map((c) => c.ready));
  const all = (await srv.api('GET', '/api/v1/cluster/nodes')).body.data[0];
  assert.deepEqual([all.streams, all.cameras], [3, 3]);
  const restricted = (await srv.api('POST', '/api/v1/tokens', { name: 'tenant ops', scopes: ['streams:read'], app: 'tenant' })).body.data.token;
  const mine = await srv.api('GET', '/api/v1/cluster/nodes', undefined, restricted);
  assert.equal(mine.status, 200);
  assert.deepEqual([mine.body.data[0].streams, mine.body.data[0].cameras], [1, 1], 'the other tenants\' cameras are not counted');
  for (const c of cams) c.ws.close(1000);
});

test('?identity= on the handshake must be 1-64 printable ASCII characters, like the API\'s', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const key = await srv.mintKey('door');
  for (const bad of ['\u0007bell', 'caméra', 'x'.repeat(65), 'tab\there']) {
    const cam = rawCamera(srv.port, { room: 'door', key: key.streamKey, extraQuery: `&identity=${encodeURIComponent(bad)}` });
    const closed = await cam.closed;
    assert.deepEqual([closed.code, closed.reason], [4401, 'invalid_identity'], JSON.stringify(bad));
    assert.match(cam.messages[0].detail, /identity: 1-64 printable ASCII/);
  }
  const good = rawCamera(srv.port, { room: 'door', key: key.streamKey, extraQuery: `&identity=${encodeURIComponent('Porch cam #2 (east)')}` });
  await good.ready;
  const streams = (await srv.api('GET', '/api/v1/apps/live/streams')).body.data;
  assert.equal(streams[0].identity, 'Porch cam #2 (east)');
  assert.ok(metricValue(await srv.metrics(), 'framehub_handshake_rejections_total', { reason: 'invalid_identity' }) >= 4);
  good.ws.close(1000);
});

test('/metrics listens on loopback by default (not on every interface); FRAMEHUB_METRICS_HOST widens it', async (t) => {
  assert.equal(loadConfig().metricsHost, '127.0.0.1');
  assert.equal(loadConfig({ env: { HOST: '::' } }).metricsHost, '::1');
  assert.equal(loadConfig({ env: { FRAMEHUB_METRICS_HOST: '0.0.0.0' } }).metricsHost, '0.0.0.0');
  // A real server with the default: reachable on 127.0.0.1, refused on another local address.
  // An empty value counts as unset: the default applies (the test helper sets 127.0.0.1 otherwise).
  const srv = await startChild({ FRAMEHUB_DATA_DIR: tempDir(), FRAMEHUB_METRICS_HOST: '' });
  t.after(async () => {
    srv.child.kill('SIGTERM');
    await srv.exited;
  });
  const port = Number(/metrics\s+http:\/\/[^:]+:(\d+)\/metrics/.exec(srv.stderr())![1]);
  assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 200);
  const other = await fetch(`http://127.0.0.2:${port}/metrics`).then((r) => `HTTP ${r.status}`, (err: Error) => String((err.cause as Error)?.message ?? err));
  assert.match(other, /ECONNREFUSED/, 'not listening on other addresses');
});

// A dying worker closes its uWS App before it exits (exiting with a live App would abort the
// whole process), and closing runs every viewer's close/abort handler, which gives its place
// back. This passed before the review too: it guards the behaviour docs/security.md relies
// on for the "viewer counters not reset when a worker dies" item.
test('a worker that dies with viewers gives their places back: the node and room limits are not left spent', { timeout: 60_000 }, async (t) => {
  const srv = await startTestServer({ workers: 1, faultInjection: true, maxViewers: 2, maxViewersPerRoom: 2, reconnectGraceSec: 60 });
  const key = await srv.mintKey('hall');
  const cam = new SimCamera({ url: `http://127.0.0.1:${srv.port}`, app: 'live', room: 'hall', key: key.streamKey, fps: 8, reconnectMs: 200 }).start();
  cam.on('error', () => {});
  t.after(async () => {
    await cam.stop();
    await srv.stop();
  });
  await waitFor(() => cam.ready, 5000, 'camera ready');
  const url = `http://127.0.0.1:${srv.port}/live/live/hall/mjpeg`;
  const first = [await mjpegReader(url), await mjpegReader(url)];
  assert.deepEqual(first.map((r) => r.status), [200, 200]);
  await Promise.all(first.map((r) => r.waitParts(1)));
  const third = await mjpegReader(url);
  assert.equal(third.status, 429, 'the limits are full');
  third.close();

  srv.injectFault(0);
  await Promise.all(first.map((r) => r.ended));
  await waitFor(async () => metricValue(await srv.metrics(), 'framehub_worker_restarts_total') === 1, 10_000, 'worker restarted');
  await waitFor(() => cam.connects >= 2 && cam.ready, 10_000, 'camera back (within the grace period: same room, same slot)');
  const again = [await mjpegReader(url), await mjpegReader(url)];
  assert.deepEqual(again.map((r) => r.status), [200, 200], 'two new viewers fit again');
  await Promise.all(again.map((r) => r.waitParts(1)));
  for (const r of again) r.close();
});
