// X-Forwarded-For sent more than once (issue 15, High 1): a client's forged copy must never
// decide the address its limits are counted against. Copies are joined in order and the
// right-most untrusted hop wins; the shipped HAProxy and nginx configs drop the client's
// own header. Driven directly (two header lines), through real HAProxy and real nginx.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { startHaproxy } from './helpers/haproxy.js';
import { startNginx } from './helpers/nginx.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { selfSigned } from './helpers/tls.js';

/** One camera handshake: `ready` (the socket stays open, `ws` closes it), or the close code. */
function handshake(url: string, o: { key: string; xff?: string | string[]; localAddress?: string; ca?: Buffer }): Promise<{ code: number | null; ready: boolean; ws: WebSocket }> {
  const headers: Record<string, string | string[]> = { Authorization: `Bearer ${o.key}` };
  if (o.xff !== undefined) headers['X-Forwarded-For'] = o.xff;
  const ws = new WebSocket(url, { headers: headers as Record<string, string>, localAddress: o.localAddress, ca: o.ca, perMessageDeflate: false });
  return new Promise((resolve) => {
    ws.on('message', (d) => {
      if (JSON.parse(d.toString()).type === 'ready') resolve({ code: null, ready: true, ws });
    });
    ws.on('close', (code) => resolve({ code, ready: false, ws }));
    ws.on('error', () => {});
  });
}

/** Nine bad-key handshakes, each with another forged hop in front of the same real one. */
async function forgedBadKeys(url: (room: string) => string, room: string, o: { xffFor: (i: number) => string | string[]; localAddress?: string; ca?: Buffer }): Promise<(number | null)[]> {
  const codes: (number | null)[] = [];
  for (let i = 0; i < 9; i++) codes.push((await handshake(url(room), { key: `wsk_wrong-${i}`, xff: o.xffFor(i), localAddress: o.localAddress, ca: o.ca })).code);
  return codes;
}

async function remoteAddress(srv: TestServer, room: string): Promise<string> {
  const streams = await srv.api('GET', '/api/v1/apps/live/streams');
  return streams.body.data.find((s: any) => s.name === room).remoteAddress;
}

test('two X-Forwarded-For lines from a trusted proxy: copies joined, the right-most untrusted hop counts', async (t) => {
  const srv = await startTestServer({ trustedProxies: ['127.0.0.1'] });
  t.after(() => srv.stop());
  const url = (room: string) => `ws://127.0.0.1:${srv.port}/ingest/ws?app=live&room=${room}`;
  await srv.mintKey('twice');
  // The failed-handshake bucket (5 per address and room) must be reached although every
  // attempt forges another first line: the address is the last line, 10.1.2.3.
  const codes = await forgedBadKeys(url, 'twice', { xffFor: (i) => [`6.6.6.${i}`, '10.1.2.3'] });
  assert.deepEqual(codes.slice(0, 5), [4401, 4401, 4401, 4401, 4401]);
  assert.deepEqual(codes.slice(5), [4429, 4429, 4429, 4429], `forged first lines must not escape the bucket: ${codes}`);
  // A camera's address is the right-most hop of the joined list.
  const key = await srv.mintKey('seen');
  const cam = await handshake(url('seen'), { key: key.streamKey, xff: ['6.6.6.6', '10.9.9.9, 10.7.7.7'] });
  assert.equal(cam.ready, true);
  assert.equal(await remoteAddress(srv, 'seen'), '10.7.7.7');
  cam.ws.close(1000);
});

test('through the shipped HAProxy config: the client cannot forge the address its limits count against', async (t) => {
  const srv = await startTestServer({ trustedProxies: ['127.0.0.1'], workers: 1 });
  const lb = await startHaproxy([{ id: 'n1', port: srv.port }]);
  t.after(async () => {
    await lb.stop();
    await srv.stop();
  });
  const url = (room: string) => `ws://127.0.0.1:${lb.port}/ingest/ws?app=live&room=${room}`;
  const key = await srv.mintKey('lb');
  // A camera at 127.0.0.2 claiming to be 6.6.6.6: the node sees 127.0.0.2.
  const cam = await handshake(url('lb'), { key: key.streamKey, xff: '6.6.6.6', localAddress: '127.0.0.2' });
  assert.equal(cam.ready, true);
  assert.equal(await remoteAddress(srv, 'lb'), '127.0.0.2');
  cam.ws.close(1000);
  // Bad keys from 127.0.0.3, each forging another address: the bucket of 127.0.0.3 empties.
  const codes = await forgedBadKeys(url, 'lb', { xffFor: (i) => `6.6.6.${i}`, localAddress: '127.0.0.3' });
  assert.deepEqual(codes, [4401, 4401, 4401, 4401, 4401, 4429, 4429, 4429, 4429]);
});

test('through the shipped nginx config: a forged X-Forwarded-For from the node\'s own host is not believed', async (t) => {
  const tls = selfSigned();
  const srv = await startTestServer({ trustedProxies: ['127.0.0.1'], workers: 1 });
  const nginx = await startNginx({ upstreamPort: srv.port, cert: tls.cert, key: tls.key, ca: tls.certPem });
  t.after(async () => {
    await nginx.stop();
    await srv.stop();
  });
  const url = (room: string) => `wss://127.0.0.1:${nginx.httpsPort}/ingest/ws?app=live&room=${room}`;
  const key = await srv.mintKey('local');
  // The client connects from 127.0.0.1, the trusted proxy's own address: an appended list
  // "6.6.6.6, 127.0.0.1" would make the forged hop the right-most untrusted one.
  const cam = await handshake(url('local'), { key: key.streamKey, xff: '6.6.6.6', ca: tls.certPem });
  assert.equal(cam.ready, true);
  assert.equal(await remoteAddress(srv, 'local'), '127.0.0.1');
  cam.ws.close(1000);
});
