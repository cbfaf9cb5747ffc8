// X-Forwarded-For is believed only from configured trusted proxies: the client address
// (shown in the streams API, used for the per-IP handshake limit) comes from it then.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { startTestServer } from './helpers/server.js';

async function connectVia(port: number, key: string, room: string, xff: string): Promise<{ code: number | null; ready: boolean }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ingest/ws?app=live&room=${room}`, { headers: { Authorization: `Bearer ${key}`, 'X-Forwarded-For': xff } });
  return new Promise((resolve) => {
    ws.on('message', (d) => {
      if (JSON.parse(d.toString()).type === 'ready') resolve({ code: null, ready: true });
    });
    ws.on('close', (code) => resolve({ code, ready: false }));
    ws.on('error', () => {});
  });
}

for (const trusted of [true, false]) {
  test(`X-Forwarded-For from ${trusted ? 'a trusted' : 'an untrusted'} peer ${trusted ? 'is' : 'is not'} believed`, async () => {
    const srv = await startTestServer({ trustedProxies: trusted ? ['127.0.0.1'] : [], handshakeBurst: 2, handshakeRatePerSec: 1 });
    const key = await srv.mintKey('behind');
    // A spoofed first hop: only the right-most untrusted address counts.
    const r1 = await connectVia(srv.port, key.streamKey, 'behind', '6.6.6.6, 10.1.2.3');
    assert.equal(r1.ready, true);
    const streams = await srv.api('GET', '/api/v1/apps/live/streams');
    assert.equal(streams.body.data[0].remoteAddress, trusted ? '10.1.2.3' : '127.0.0.1');
    // The per-IP bucket (2) follows the same address: two more from 10.1.2.3 hit the limit,
    // another forwarded address does not when the proxy is trusted.
    await connectVia(srv.port, key.streamKey, 'behind', '10.1.2.3');
    const limited = await connectVia(srv.port, key.streamKey, 'behind', '10.1.2.3');
    assert.equal(limited.code, 4429);
    const other = await connectVia(srv.port, key.streamKey, 'behind', '10.9.9.9');
    assert.equal(other.ready, trusted, trusted ? 'another client behind the proxy has its own bucket' : 'all share the proxy address');
    await srv.stop();
  });
}
