// Traces reach an OTLP/HTTP receiver: a span per API request and one per camera session
// with app, room, key id, close code, frames and bytes; none per frame. Off by default.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { loadFrames } from '../src/camera/frames.js';
import { tracingEnabled } from '../src/tracing.js';
import { startChild } from './helpers/child.js';
import { rawCamera } from './helpers/clients.js';
import { tempDir } from './helpers/paths.js';
import { waitFor } from './helpers/wait.js';

interface OtlpSpan {
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** A minimal OTLP/HTTP (JSON) trace receiver. */
async function receiver(): Promise<{ url: string; spans: OtlpSpan[]; close(): void }> {
  const spans: OtlpSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const msg = JSON.parse(body);
        for (const rs of msg.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, close: () => server.close() };
}

const attr = (s: OtlpSpan, key: string): unknown => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};

test('tracing is off unless an OTLP endpoint is configured', () => {
  assert.equal(tracingEnabled({}), false);
  assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
  assert.equal(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }), false);
});

test('API requests and camera sessions arrive as spans at an OTLP/HTTP receiver', async () => {
  const otlp = await receiver();
  const srv = await startChild({ FRAMEHUB_DATA_DIR: tempDir(), OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: 'framehub-test' });
  const mint = await fetch(`${srv.base}/api/v1/apps/live/ws-ingest`, { method: 'POST', headers: { Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' }, body: '{"room":"traced"}' });
  const key = ((await mint.json()) as any).data;
  const cam = rawCamera(srv.port, { room: 'traced', key: key.streamKey });
  await cam.ready;
  const frames = loadFrames('qvga').slice(0, 5);
  for (const f of frames) cam.ws.send(f);
  await new Promise((r) => setTimeout(r, 200));
  cam.ws.close(1000);
  await cam.closed;
  await waitFor(() => otlp.spans.some((s) => s.name === 'camera session'), 10_000, 'camera session span');
  srv.child.kill('SIGTERM');
  await srv.exited;
  otlp.close();

  const apiSpan = otlp.spans.find((s) => s.name === 'POST /api/v1/apps/:app/ws-ingest')!;
  assert.ok(apiSpan, `spans: ${otlp.spans.map((s) => s.name).join(', ')}`);
  assert.equal(attr(apiSpan, 'http.response.status_code'), 201);
  assert.equal(attr(apiSpan, 'framehub.app'), 'live');
  const session = otlp.spans.find((s) => s.name === 'camera session')!;
  assert.equal(attr(session, 'framehub.app'), 'live');
  assert.equal(attr(session, 'framehub.room'), 'live-traced');
  assert.equal(attr(session, 'framehub.key_id'), key.id);
  assert.equal(attr(session, 'framehub.close_code'), 1000);
  assert.equal(Number(attr(session, 'framehub.frames')), 5);
  assert.equal(Number(attr(session, 'framehub.bytes')), frames.reduce((n, f) => n + f.length, 0));
  assert.ok(otlp.spans.length < 10, `${otlp.spans.length} spans: none per frame`);
  assert.ok(!JSON.stringify(otlp.spans).includes(key.streamKey), 'no secret in spans');
});
