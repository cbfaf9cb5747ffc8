// framehub's own TLS listener: a camera over wss:// with header auth, an MJPEG viewer and
// frame.jpg over https://, the API; a bad certificate/key pair stops the boot clearly.
import assert from 'node:assert/strict';
import https from 'node:https';
import { test } from 'node:test';
import WebSocket from 'ws';
import { loadFrames } from '../src/camera/frames.js';
import { loadConfig } from '../src/config.js';
import { checkTlsFiles } from '../src/primary/tls.js';
import { startTestServer } from './helpers/server.js';
import { selfSigned } from './helpers/tls.js';

function get(url: string, ca: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, any>; body: Buffer; stream: import('node:http').IncomingMessage }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      if ((res.headers['content-type'] ?? '').startsWith('multipart/')) return resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.alloc(0), stream: res });
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), stream: res }));
    }).on('error', reject);
  });
}

test('the server terminates TLS itself: wss:// camera, https:// MJPEG, frame.jpg and API', async () => {
  const tls = selfSigned();
  const srv = await startTestServer({ tlsCertFile: tls.cert, tlsKeyFile: tls.key });
  assert.match(srv.url, /^https:\/\//);
  const mint = await fetch(`${srv.url}/api/v1/apps/live/ws-ingest`, { method: 'POST', headers: { Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' }, body: '{"room":"secure"}', dispatcher: undefined } as RequestInit).catch(() => null);
  assert.equal(mint, null, 'an untrusted certificate is refused by a default client');
  const minted = await new Promise<any>((resolve, reject) => {
    const req = https.request(`https://127.0.0.1:${srv.port}/api/v1/apps/live/ws-ingest`, { method: 'POST', ca: tls.certPem, headers: { Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' } }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(b) }));
    });
    req.on('error', reject);
    req.end('{"room":"secure"}');
  });
  assert.equal(minted.status, 201);
  assert.match(minted.body.data.wsUrl, /^wss:\/\//);
  const ws = new WebSocket(`wss://127.0.0.1:${srv.port}/ingest/ws?app=live&room=secure`, 'arduino', { ca: tls.certPem, headers: { Authorization: `Bearer ${minted.body.data.streamKey}` } });
  const ready = await new Promise<any>((resolve, reject) => {
    ws.on('message', (d) => resolve(JSON.parse(d.toString())));
    ws.on('error', reject);
  });
  assert.equal(ready.type, 'ready');
  const frame = loadFrames('qvga')[2]!;
  ws.send(frame);
  await new Promise((r) => setTimeout(r, 200));
  const snap = await get(`https://127.0.0.1:${srv.port}/live/live/secure/frame.jpg`, tls.certPem);
  assert.equal(snap.status, 200);
  assert.deepEqual(snap.body, frame);
  const mj = await get(`https://127.0.0.1:${srv.port}/live/live/secure/mjpeg`, tls.certPem);
  assert.equal(mj.status, 200);
  const first = await new Promise<Buffer>((resolve) => {
    let buf = Buffer.alloc(0);
    mj.stream.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.includes(Buffer.from([0xff, 0xd9]))) resolve(buf);
    });
  });
  assert.ok(first.includes(frame), 'the MJPEG part holds the frame');
  mj.stream.destroy();
  ws.close(1000);
  await srv.stop();
});

test('a missing file or a key that is not the certificate\'s stops the boot with a clear message', () => {
  const a = selfSigned();
  const b = selfSigned();
  assert.throws(() => checkTlsFiles(loadConfig({ overrides: { tlsCertFile: a.cert, tlsKeyFile: b.key } })), /FRAMEHUB_TLS_CERT \/ FRAMEHUB_TLS_KEY/);
  assert.throws(() => checkTlsFiles(loadConfig({ overrides: { tlsCertFile: '/nonexistent/cert.pem', tlsKeyFile: a.key } })), /FRAMEHUB_TLS_CERT \(--tls-cert\): cannot read/);
  assert.throws(() => loadConfig({ env: { FRAMEHUB_TLS_CERT: a.cert } }), /give both or neither/);
});
