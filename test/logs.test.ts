// No secret ever reaches a log line: stream keys (header and ?key=), API tokens, play
// tokens, Authorization headers. The server runs at the most verbose level while a camera,
// viewers and API calls do their usual things, then its whole output is searched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFrames } from '../src/camera/frames.js';
import { startChild } from './helpers/child.js';
import { mjpegReader, rawCamera, wsViewer } from './helpers/clients.js';
import { tempDir } from './helpers/paths.js';

test('logs carry no secrets, and one line per camera connect and close with its code', async () => {
  const srv = await startChild({ FRAMEHUB_DATA_DIR: tempDir(), LOG_LEVEL: 'trace' });
  const h = { Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' };
  const post = async (path: string, body: unknown): Promise<any> => ((await (await fetch(srv.base + path, { method: 'POST', headers: h, body: JSON.stringify(body) })).json()) as any).data;
  const secrets: string[] = [srv.token];

  const key = await post('/api/v1/apps/live/ws-ingest', { room: 'logcam' });
  secrets.push(key.streamKey);
  const token = await post('/api/v1/tokens', { name: 'ro', scopes: ['streams:read'] });
  secrets.push(token.token);
  await post('/api/v1/apps', { name: 'quiet', publicPlayback: false });
  const qkey = await post('/api/v1/apps/quiet/ws-ingest', { room: 'q' });
  secrets.push(qkey.streamKey);
  const play = ((await (await fetch(`${srv.base}/api/v1/apps/quiet/play-token/q`, { headers: { Authorization: `Bearer ${token.token}` } })).json()) as any).data.token;
  secrets.push(play);

  const frame = loadFrames('qvga')[0]!;
  const cam = rawCamera(srv.port, { room: 'logcam', key: key.streamKey });
  await cam.ready;
  cam.ws.send(frame);
  const qcam = rawCamera(srv.port, { app: 'quiet', room: 'q', key: qkey.streamKey, queryKey: true });
  await qcam.ready;
  qcam.ws.send(frame);
  const bad = rawCamera(srv.port, { room: 'logcam', key: 'wsk_wrong-secret-guess-123', queryKey: true });
  assert.equal((await bad.closed).code, 4401);
  secrets.push('wsk_wrong-secret-guess-123');
  await fetch(`${srv.base}/api/v1/apps`, { headers: { Authorization: 'Bearer fht_wrong-token-guess-456' } });
  secrets.push('fht_wrong-token-guess-456');
  const reader = await mjpegReader(`${srv.base}/live/quiet/q/mjpeg?token=${encodeURIComponent(play)}`);
  await reader.waitParts(1);
  reader.close();
  const v = wsViewer(srv.port, 'quiet', 'q', play);
  await v.waitFrames(1);
  v.ws.close();
  cam.ws.close(1000);
  qcam.ws.close(1000);
  await cam.closed;
  await qcam.closed;
  await new Promise((r) => setTimeout(r, 300));
  srv.child.kill('SIGTERM');
  await srv.exited;

  const output = srv.stdout() + srv.stderr();
  for (const s of secrets) assert.equal(output.includes(s), false, `a secret (${s.slice(0, 6)}...) was logged`);
  // The start-up banner (stderr) shows a curl example with "Authorization: Bearer $TOKEN";
  // the log lines (stdout) must not mention these at all.
  const logs = srv.stdout();
  assert.doesNotMatch(logs, /key=/);
  assert.doesNotMatch(logs, /authorization/i);
  assert.doesNotMatch(output, /bearer\s+(?!\$TOKEN)\S{8}/i);
  const lines = srv.stdout().trim().split('\n').map((l) => JSON.parse(l));
  const opens = lines.filter((l) => l.event === 'camera_open');
  const closes = lines.filter((l) => l.event === 'camera_close');
  assert.equal(opens.length, 2);
  assert.deepEqual(closes.map((l) => l.code).sort(), [1000, 1000]);
  assert.ok(opens.every((l) => typeof l.shard === 'number' && l.room && l.keyId));
  assert.ok(lines.length < 100, `${lines.length} log lines: no line per frame`);
});
