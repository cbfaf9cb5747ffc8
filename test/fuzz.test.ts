// A seeded fuzzer (FUZZ_SEED to replay) throwing malformed handshakes, malformed WebSocket
// traffic and bad API bodies at a running server. Every rejection must carry a documented
// answer; after each batch a healthy camera and viewer still run at full rate and the
// server's memory is back near its baseline.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { loadFrames } from '../src/camera/frames.js';
import { SimCamera } from '../src/camera/simulator.js';
import { ApiError } from '../src/errors.js';
import { startChild, type ChildServer } from './helpers/child.js';
import { mjpegReader } from './helpers/clients.js';
import { tempDir } from './helpers/paths.js';
import { frame, rawExchange, upgradeRequest, type RawAnswer } from './helpers/rawws.js';
import { sleep } from './helpers/wait.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const MAX_FRAME = 65536;

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (n: number): number => Math.floor(rand() * n);
const junk = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));

let srv: ChildServer;
let goodKey: string;
const tried = { handshakes: 0, wsSessions: 0, wsMessages: 0, api: 0 };
/** How each input was answered, e.g. `close 4401`, `http 400`, `dropped` (for the report). */
const outcomes = new Map<string, number>();
const count = (k: string): void => void outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
let baselineRss = 0;

const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${srv.child.pid}/status`, 'utf8'))![1]) * 1024;
const h = (): Record<string, string> => ({ Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' });

/** A healthy camera at 10 fps and its MJPEG viewer: the viewer must get ~all frames. */
async function assertHealthy(label: string): Promise<void> {
  const key = ((await (await fetch(`${srv.base}/api/v1/apps/live/ws-ingest`, { method: 'POST', headers: h(), body: JSON.stringify({ room: `healthy${int(1e6)}` }) })).json()) as any).data;
  const cam = new SimCamera({ url: srv.base, app: 'live', room: key.name, key: key.streamKey, fps: 10, reconnectMs: 0 }).start();
  await new Promise((r) => cam.once('ready', r));
  await sleep(200);
  const viewer = await mjpegReader(`${srv.base}/live/live/${key.name}/mjpeg`);
  const start = viewer.parts.length;
  await sleep(2000);
  const got = viewer.parts.length - start;
  viewer.close();
  await cam.stop();
  assert.ok(got >= 16, `${label}: healthy viewer got ${got} of ~20 frames in 2 s`);
  await sleep(300);
  const grown = rss() - baselineRss;
  assert.ok(grown < 60e6, `${label}: RSS ${(grown / 1e6).toFixed(1)} MB over the baseline`);
}

before(async () => {
  srv = await startChild({ FRAMEHUB_DATA_DIR: tempDir(), FRAMEHUB_MAX_FRAME_BYTES: String(MAX_FRAME), FRAMEHUB_AUTH_FAIL_BURST: '1000000', FRAMEHUB_HANDSHAKE_BURST: '1000000', LOG_LEVEL: 'warn' });
  goodKey = ((await (await fetch(`${srv.base}/api/v1/apps/live/ws-ingest`, { method: 'POST', headers: h(), body: '{"room":"fuzzcam"}' })).json()) as any).data.streamKey;
  await sleep(300);
  baselineRss = rss();
});

after(async () => {
  console.log(`fuzz (seed ${SEED}): ${tried.handshakes} handshakes, ${tried.wsSessions} WS sessions with ${tried.wsMessages} messages, ${tried.api} API requests`);
  console.log(`fuzz answers: ${[...outcomes].sort().map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  srv.child.kill('SIGTERM');
  await srv.exited;
});

/** Runs `n` inputs, `parallel` at a time; `one` gets its lane number. */
async function batch(n: number, parallel: number, one: (lane: number) => Promise<void>): Promise<void> {
  let left = n;
  await Promise.all(Array.from({ length: parallel }, async (_, lane) => {
    while (left-- > 0) await one(lane);
  }));
}

const DOCUMENTED_WS_CLOSES = new Set([4401, 4403, 4429]);

test('malformed handshakes get a clear refusal, never a camera', async () => {
  const apps = ['live', 'nosuch', '', 'LIVE', 'a'.repeat(300), '%zz', 'li%00ve', 'live%20', '../live', 'ç'];
  const rooms = ['fuzzcam', 'other', '', 'x'.repeat(2000), '%', '%E0%A4%A', 'r\u0000m', 'live-fuzzcam', 'cam%2F..'];
  const keys = [null, 'wsk_wrong', '', goodKey.slice(0, -1), `${goodKey}x`, 'x'.repeat(9000), goodKey.toUpperCase()];
  await batch(400, 16, async () => {
    tried.handshakes++;
    const app = pick(apps);
    const room = pick(rooms);
    const key = pick(keys);
    const form = int(3);
    const headers: Record<string, string> = {};
    let query = `app=${app}&room=${room}`;
    if (key !== null && form === 0) headers.Authorization = pick([`Bearer ${key}`, `bearer  ${key}`, `Basic ${key}`, key, 'Bearer']);
    if (key !== null && form === 1) query += `&key=${key}`;
    if (form === 2) query = pick(['', '?', '&&&', 'app', '=%=', junk(20).toString('latin1').replace(/[\r\n ]/g, '')]);
    const mutate = int(8);
    if (mutate === 0) delete (headers as any).Upgrade, (headers.Upgrade = '');
    if (mutate === 1) headers['Sec-WebSocket-Key'] = pick(['', 'short', 'x'.repeat(200)]);
    if (mutate === 2) headers['Sec-WebSocket-Version'] = pick(['8', '', '13, 13']);
    if (mutate === 3) headers['X-Filler'] = 'y'.repeat(int(20_000));
    if (mutate === 4) headers.Connection = pick(['close', 'keep-alive', 'upgrade, upgrade']);
    let req = upgradeRequest(`/ingest/ws?${query}`, headers);
    if (mutate === 5) req = req.replace('\r\n\r\n', `\r\nAuthorization: Bearer ${goodKey}\r\nAuthorization: Bearer wsk_dup\r\n\r\n`);
    if (mutate === 6) req = req.slice(0, int(req.length));
    if (mutate === 7) req = junk(int(400)).toString('latin1');
    const a: RawAnswer = await rawExchange(srv.port, req, [], 600);
    count(a.status === 101 ? (a.closeCode === null ? 'handshake admitted/open' : `handshake close ${a.closeCode}`) : `handshake http ${a.status || 'none'}`);
    const goodRoom = room === 'fuzzcam' || room === 'live-fuzzcam';
    if (a.status === 101 && a.closeCode === null && a.texts.some((t) => t.includes('"ready"'))) {
      // Only the real key, for its own room and app, may get in.
      assert.ok(app === 'live' && goodRoom, `admitted app=${app} room=${room}`);
      return;
    }
    if (a.status === 101) {
      assert.ok(a.closeCode === null || DOCUMENTED_WS_CLOSES.has(a.closeCode), `undocumented close ${a.closeCode}`);
      if (a.closeCode !== null) assert.ok(a.texts.some((t) => JSON.parse(t).type === 'error'), 'an error message before the close');
      return;
    }
    // uWS 20.57 (btc-vision build) answers 505 to a request line that is not HTTP/1.x, where
    // 20.30 drops the connection (test/uws.test.ts, docs/deploy.md): both refuse it.
    assert.ok(a.status === null || a.status === 0 || (a.status >= 400 && a.status < 500) || a.status === 505, `status ${a.status} for ${JSON.stringify(req.slice(0, 120))}`);
  });
  await assertHealthy('after handshakes');
});

test('malformed WebSocket traffic from an authenticated camera is dropped or closed with its code', async () => {
  const jpeg = loadFrames('qvga')[0]!;
  const texts = ['not json', '{"type":"stats","fps":"12"}', '{"type":"stats","rssi":1e999}', '{"type":"nope"}', '[]', 'null', '{"type":"stats","fps":12,"rssi":-60,"heapFree":40000}', '\u0000'.repeat(50)];
  const inputs: { name: string; frames: () => Buffer[]; expect: (a: RawAnswer) => boolean }[] = [
    { name: 'text where binary is expected', frames: () => [frame(1, Buffer.from(pick(texts)))], expect: (a) => a.closeCode === null },
    { name: 'huge text', frames: () => [frame(1, Buffer.alloc(5000 + int(50_000), 120))], expect: (a) => a.closeCode === null },
    { name: 'non-JPEG binary', frames: () => [frame(2, junk(1 + int(5000)))], expect: (a) => a.closeCode === null },
    { name: 'truncated JPEG', frames: () => [frame(2, jpeg.subarray(0, 2 + int(jpeg.length - 10)))], expect: (a) => a.closeCode === null },
    { name: 'JPEG with an all-zero mask (the ESP32 way)', frames: () => [frame(2, jpeg, { mask: Buffer.alloc(4) })], expect: (a) => a.closeCode === null },
    { name: 'fragmented JPEG', frames: () => [frame(2, jpeg.subarray(0, 1000), { fin: false }), frame(0, jpeg.subarray(1000, 4000), { fin: false }), frame(0, jpeg.subarray(4000))], expect: (a) => a.closeCode === null },
    { name: 'fragments interleaved with a ping', frames: () => [frame(2, jpeg.subarray(0, 1000), { fin: false }), frame(9, Buffer.from('hi')), frame(0, jpeg.subarray(1000))], expect: (a) => a.closeCode === null },
    { name: 'frame just under maxFrameBytes', frames: () => [frame(2, Buffer.concat([jpeg.subarray(0, 2), Buffer.alloc(MAX_FRAME - 6), Buffer.from([0xff, 0xd9])]))], expect: (a) => a.closeCode === null },
    { name: 'frame just over maxFrameBytes', frames: () => [frame(2, Buffer.concat([jpeg.subarray(0, 2), Buffer.alloc(MAX_FRAME - 3), Buffer.from([0xff, 0xd9])]))], expect: (a) => a.closeCode === 4413 },
    { name: 'frame over the uWS payload cap', frames: () => [frame(2, Buffer.alloc(MAX_FRAME * 4 + 10))], expect: (a) => a.closeCode === null && a.ended === 'closed' },
    { name: 'continuation without a start', frames: () => [frame(0, junk(100))], expect: (a) => a.ended === 'closed' || a.closeCode !== null },
    { name: 'reserved opcode', frames: () => [frame(3 + int(5), junk(10))], expect: (a) => a.ended === 'closed' || a.closeCode !== null },
    { name: 'random bytes after the handshake', frames: () => [junk(1 + int(300))], expect: () => true },
    { name: 'a burst over maxFps', frames: () => Array.from({ length: 40 }, () => frame(2, jpeg)), expect: (a) => a.closeCode === null },
  ];
  // One camera key per lane, so parallel sessions never replace each other (4409).
  const lanes = await Promise.all(Array.from({ length: 8 }, async (_, i) => ((await (await fetch(`${srv.base}/api/v1/apps/live/ws-ingest`, { method: 'POST', headers: h(), body: JSON.stringify({ room: `lane${i}` }) })).json()) as any).data.streamKey as string));
  await batch(160, 8, async (lane) => {
    const input = pick(inputs);
    const frames = input.frames();
    tried.wsSessions++;
    tried.wsMessages += frames.length;
    const a = await rawExchange(srv.port, upgradeRequest(`/ingest/ws?app=live&room=lane${lane}`, { Authorization: `Bearer ${lanes[lane]}` }), frames, 700);
    assert.equal(a.status, 101);
    count(`ws ${input.name}: ${a.closeCode ?? a.ended}`);
    assert.ok(input.expect(a), `${input.name}: got close ${a.closeCode} (${a.ended})`);
    if (a.closeCode === 4413) assert.ok(a.texts.some((t) => t.includes('frame_too_large')));
  });
  await assertHealthy('after WS traffic');
});

function post(path: string, body: Buffer | string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${srv.base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${srv.token}`, ...headers } }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: b }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('bad API bodies get 4xx with a code from the error table', async () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const bodies: (() => Buffer | string)[] = [
    () => JSON.stringify({ room: pick([1, true, null, [], {}, 'ok-room', 'x'.repeat(100)]) }),
    () => JSON.stringify({ room: 'r', [junk(4).toString('hex')]: 1 }),
    () => deep(1 + int(20_000)),
    () => `{"room":${deep(int(5000))}}`,
    () => Buffer.alloc(70_000 + int(100_000), 32),
    () => Buffer.from(JSON.stringify({ room: 'utf16' }), 'utf16le'),
    () => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"room":"bom"}')]),
    () => Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    () => junk(int(500)),
    () => '',
    () => '{"room":"a\\u0000b"}',
  ];
  const paths = ['/api/v1/apps/live/ws-ingest', '/api/v1/apps', '/api/v1/tokens', '/api/v1/apps/%ZZ/ws-ingest', '/api/v1/apps/live/ws-ingest/../../tokens'];
  await batch(400, 8, async () => {
    tried.api++;
    const body = pick(bodies)();
    const r = await post(pick(paths), body, { 'Content-Type': pick(['application/json', 'text/plain', 'application/json; charset=utf-16']) });
    count(`api ${r.status} ${r.status === 201 ? '' : (JSON.parse(r.body).error?.code ?? '')}`);
    if (r.status === 201) return; // a body that happened to be valid
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}: ${r.body.slice(0, 200)}`);
    const code = JSON.parse(r.body).error.code as string;
    assert.ok(code in ApiError, `undocumented code ${code}`);
  });
  await assertHealthy('after API bodies');
});
