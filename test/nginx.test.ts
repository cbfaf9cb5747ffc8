// deploy/nginx/framehub.conf in front of a real server: a camera over wss:// with header
// auth, MJPEG over https:// that nginx does not buffer, the WS viewer feed, the API, the
// http -> https redirect, and the client address (not nginx's) reaching the per-IP limits.
// The same camera + viewer against the server's own TLS listener is test/tls.test.ts.
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { test } from 'node:test';
import WebSocket from 'ws';
import { loadFrames } from '../src/camera/frames.js';
import { withComment } from '../src/jpeg.js';
import { KEEPALIVE_MS } from '../src/worker/mjpeg.js';
import { mjpegReader } from './helpers/clients.js';
import { startNginx } from './helpers/nginx.js';
import { startTestServer } from './helpers/server.js';
import { selfSigned } from './helpers/tls.js';
import { sleep, waitFor } from './helpers/wait.js';

function request(url: string, o: { ca?: Buffer; method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.request(url, { method: o.method ?? 'GET', headers: o.headers, ca: o.ca, localAddress: o.localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Opens a WebSocket and resolves once it is open (or rejects with the refusal). */
function openWs(url: string, o: WebSocket.ClientOptions, protocol?: string): Promise<{ ws: WebSocket; texts: any[]; binaries: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocol ?? [], { perMessageDeflate: false, ...o });
    const texts: any[] = [];
    const binaries: Buffer[] = [];
    ws.on('message', (d, isBinary) => (isBinary ? binaries.push(d as Buffer) : texts.push(JSON.parse(d.toString()))));
    ws.once('open', () => resolve({ ws, texts, binaries }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

test('nginx terminates TLS and proxies camera, MJPEG, WS viewer, API with the real client address', async (t) => {
  const tls = selfSigned();
  // One worker: the per-IP viewer limit (counted per worker) is then exactly 1.
  const srv = await startTestServer({ trustedProxies: ['127.0.0.1'], workers: 1, maxViewersPerIp: 1 });
  const nginx = await startNginx({ upstreamPort: srv.port, cert: tls.cert, key: tls.key, ca: tls.certPem });
  t.after(async () => {
    await nginx.stop();
    await srv.stop();
  });
  const base = `https://127.0.0.1:${nginx.httpsPort}`;
  const ca = tls.certPem;

  // Plain HTTP only redirects.
  const redirect = await request(`http://127.0.0.1:${nginx.httpPort}/play/live/gate`);
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers.location, 'https://127.0.0.1/play/live/gate');

  // The API through nginx: the Authorization header reaches the node.
  const minted = await request(`${base}/api/v1/apps/live/ws-ingest`, { ca, method: 'POST', headers: { Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' }, body: '{"room":"gate"}' });
  assert.equal(minted.status, 201, minted.body);
  const key: string = JSON.parse(minted.body).data.streamKey;
  assert.equal((await request(`${base}/api/v1/apps`, { ca })).status, 401, 'no token, no API');
  const tooBig = await request(`${base}/api/v1/apps`, { ca, method: 'POST', headers: { Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' }, body: 'x'.repeat(70_000) });
  assert.equal(tooBig.status, 413, 'client_max_body_size bounds API bodies');
  assert.equal((await request(`${base}/`, { ca })).status, 200, 'pages pass through');

  // A camera over wss:// through nginx, key in the Authorization header, from 127.0.0.2.
  const cam = await openWs(`wss://127.0.0.1:${nginx.httpsPort}/ingest/ws?app=live&room=gate`, { ca, localAddress: '127.0.0.2', headers: { Authorization: `Bearer ${key}` } }, 'arduino');
  await waitFor(() => cam.texts.find((m) => m.type === 'ready'), 10_000, 'ready through nginx');
  const streams = await request(`${base}/api/v1/apps/live/streams`, { ca, headers: { Authorization: `Bearer ${srv.token}` } });
  assert.equal(JSON.parse(streams.body).data[0].remoteAddress, '127.0.0.2', 'the node sees the camera address, not nginx\'s');

  // One frame, then silence: the viewer must get the whole part without more data behind it.
  const frames = loadFrames('qvga');
  const sentAt = new Map<number, number>();
  const send = (i: number): void => {
    const f = withComment(frames[i % frames.length]!, `seq:${i}`);
    sentAt.set(i, performance.now());
    cam.ws.send(f, { binary: true });
  };
  send(0);
  await waitFor(async () => (await request(`${base}/live/live/gate/frame.jpg`, { ca })).status === 200, 10_000, 'first frame stored');
  const t0 = performance.now();
  const viewer = await mjpegReader(`${base}/live/live/gate/mjpeg`, { ca, localAddress: '127.0.0.2' });
  assert.equal(viewer.status, 200);
  assert.match(String(viewer.headers['content-type']), /^multipart\/x-mixed-replace/);
  const [first] = await viewer.waitParts(1, 10_000);
  const firstDelayMs = first!.at - t0;
  assert.ok(first!.body.includes(Buffer.from('seq:0')), 'the first part is the frame sent before the viewer came');
  // Not a speed limit but causality: the node writes nothing more to this response until
  // its keepalive re-send after KEEPALIVE_MS, so a buffering proxy delivers the first part
  // only then (seen: 5.8 s with proxy_buffering on), together with the second.
  assert.ok(firstDelayMs < KEEPALIVE_MS && viewer.parts.length === 1, `the first part waited for more data behind it (${firstDelayMs.toFixed(0)} ms, ${viewer.parts.length} parts): nginx buffers the MJPEG response`);

  // N more frames at 10 fps: each arrives as its own part.
  const N = 30;
  for (let i = 1; i <= N; i++) {
    send(i);
    await sleep(100);
  }
  await waitFor(() => viewer.parts.some((p) => p.body.includes(Buffer.from(`seq:${N}`))), 10_000, 'the last frame through nginx');
  const delays: number[] = [];
  for (const p of viewer.parts.slice(1)) {
    const m = /seq:(\d+)/.exec(p.body.toString('latin1'));
    if (m) delays.push(p.at - sentAt.get(Number(m[1]))!);
  }
  delays.sort((a, b) => a - b);
  const received = viewer.parts.length - 1;
  assert.ok(received >= N / 2, `only ${received} of ${N} frames through nginx`);

  // Per-IP limit 1: 127.0.0.2 already watches, so a second viewer from it is refused,
  // while 127.0.0.3 (another client behind the same nginx) is not.
  const second = await request(`${base}/live/live/gate/frame.jpg`, { ca, localAddress: '127.0.0.2' });
  assert.equal(second.status, 200, 'frame.jpg is not a long-lived viewer');
  const refused = await mjpegReader(`${base}/live/live/gate/mjpeg`, { ca, localAddress: '127.0.0.2' });
  assert.equal(refused.status, 429, 'the second viewer from 127.0.0.2 hits the per-IP limit');
  refused.close();
  const other = await mjpegReader(`${base}/live/live/gate/mjpeg`, { ca, localAddress: '127.0.0.3' });
  assert.equal(other.status, 200, 'a viewer from 127.0.0.3 has its own allowance');
  other.close();

  // The WebSocket viewer feed through nginx (from 127.0.0.4: 127.0.0.2 is at its limit).
  const wsViewer = await openWs(`wss://127.0.0.1:${nginx.httpsPort}/live/ws?app=live&room=gate`, { ca, localAddress: '127.0.0.4' });
  send(N + 1);
  await waitFor(() => wsViewer.binaries.some((b) => b.includes(Buffer.from(`seq:${N + 1}`))), 10_000, 'a frame on the WS feed through nginx');
  wsViewer.ws.close();

  viewer.close();
  cam.ws.close(1000);
  await sleep(200);
  assert.doesNotMatch(nginx.accessLog(), /wsk_|fht_/, 'no key or token in the access log');
  assert.match(nginx.accessLog(), /127\.0\.0\.2 .*"GET \/ingest\/ws\?app=live&room=gate HTTP\/1\.1" 101/);
  t.diagnostic(`through nginx: ${received}/${N} frames at 10 fps; first part ${firstDelayMs.toFixed(1)} ms after the request; send->part delay p50 ${delays[Math.floor(delays.length / 2)]?.toFixed(1)} ms, max ${delays.at(-1)?.toFixed(1)} ms`);
});
