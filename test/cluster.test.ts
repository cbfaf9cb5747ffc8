// Scale-out, end to end: three framehub nodes sharing a real Redis, a real HAProxy in
// front hashing rooms consistently. Cameras and viewers of a room land on one node; a key
// minted on one node works on another within a second; a revoke anywhere closes the live
// camera wherever it is; a node killed with SIGKILL loses its rooms to the others and its
// cameras stream again through the balancer; Redis down refuses writes (503) and the nodes
// catch up when it returns.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before, test } from 'node:test';
import { SimCamera } from '../src/camera/simulator.js';
import { startChild, type ChildServer } from './helpers/child.js';
import { mjpegReader, rawCamera, type MjpegReader } from './helpers/clients.js';
import { ADMIN_TOKEN, CLUSTER_SECRET } from './helpers/credentials.js';
import { startHaproxy, type Haproxy } from './helpers/haproxy.js';
import { tempDir } from './helpers/paths.js';
import { freePort, waitListening } from './helpers/ports.js';
import { sleep, waitFor } from './helpers/wait.js';

const CAMERAS = 60;
const h = { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' };

let redisPort: number;
let redisDir: string;
let redis: ChildProcess;
let haproxy: Haproxy;
const nodes: { id: string; port: number; dataDir: string; srv: ChildServer | null }[] = [];

function startRedis(): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
  return waitListening(redisPort, 10_000, 'redis').then(() => child);
}

async function startNode(n: (typeof nodes)[number]): Promise<void> {
  n.srv = await startChild({ PORT: String(n.port), FRAMEHUB_DATA_DIR: n.dataDir, FRAMEHUB_REDIS_URL: `redis://127.0.0.1:${redisPort}`, FRAMEHUB_CLUSTER_SECRET: CLUSTER_SECRET, FRAMEHUB_NODE_ID: n.id, FRAMEHUB_TRUSTED_PROXIES: '127.0.0.1', LOG_LEVEL: 'warn', FRAMEHUB_WORKERS: '1' });
}

const api = async (base: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> => {
  const r = await fetch(base + p, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
};
const nodeBase = (i: number): string => `http://127.0.0.1:${nodes[i]!.port}`;
const lb = (): string => haproxy.base;

before(async () => {
  redisPort = await freePort();
  redisDir = tempDir('framehub-redis-');
  redis = await startRedis();
  for (const id of ['n1', 'n2', 'n3']) nodes.push({ id, port: await freePort(), dataDir: tempDir(), srv: null });
  // The first node makes the cluster (bootstraps app `live` and the admin token through the stream); the others join.
  await startNode(nodes[0]!);
  await Promise.all(nodes.slice(1).map(startNode));
  haproxy = await startHaproxy(nodes);
});

after(async () => {
  await haproxy?.stop();
  for (const n of nodes) n.srv?.child.kill('SIGKILL');
  redis?.kill('SIGKILL');
  await sleep(200);
});

let cams: SimCamera[] = [];
let viewers: { room: string; reader: MjpegReader }[] = [];

test(`${CAMERAS} cameras and their viewers through the balancer: every room on one node`, async () => {
  const keys: { name: string; streamKey: string }[] = [];
  for (let i = 0; i < CAMERAS; i++) keys.push((await api(lb(), 'POST', '/api/v1/apps/live/ws-ingest', { room: `cl${i}` })).body.data);
  cams = keys.map((k) => new SimCamera({ url: lb(), app: 'live', room: k.name, key: k.streamKey, fps: 4, reconnectMs: 1000 }).start());
  await waitFor(() => cams.every((c) => c.ready), 20_000, 'cameras ready through the balancer');
  for (const k of keys) viewers.push({ room: `live-${k.name}`, reader: await mjpegReader(`${lb()}/live/live/${k.name}/mjpeg`) });
  await Promise.all(viewers.map((v) => v.reader.waitParts(2, 10_000)));

  // Each node lists the cluster; the node serving a room has its camera and its viewer.
  const streams = await waitFor(async () => {
    const list = (await api(nodeBase(0), 'GET', '/api/v1/apps/live/streams')).body.data as any[];
    const ours = list.filter((s) => s.room.startsWith('live-cl'));
    return ours.length === CAMERAS && ours.every((s) => s.viewers.total >= 1) ? ours : null;
  }, 10_000, 'cluster view with every camera and its viewer');
  const perNode = new Map<string, number>();
  for (const s of streams) perNode.set(s.node, (perNode.get(s.node) ?? 0) + 1);
  console.log(`cluster: ${CAMERAS} rooms spread ${[...perNode].map(([n, c]) => `${n}=${c}`).join(' ')}`);
  assert.equal(perNode.size, 3, 'rooms on all three nodes');
  // The same room asked through its full name goes to the same node.
  const one = streams[0];
  const full = await fetch(`${lb()}/live/live/${one.room}/frame.jpg`);
  assert.equal(full.status, 200);
  const nodes_ = (await api(nodeBase(1), 'GET', '/api/v1/cluster/nodes')).body.data;
  assert.deepEqual(nodes_.map((n: any) => n.node).sort(), ['n1', 'n2', 'n3']);
});

test('a key minted on one node works on another within a second; a revoke anywhere closes the camera', async () => {
  const key = (await api(nodeBase(0), 'POST', '/api/v1/apps/live/ws-ingest', { room: 'hop' })).body.data;
  const started = Date.now();
  const cam = await waitFor(async () => {
    const c = rawCamera(nodes[1]!.port, { room: 'hop', key: key.streamKey });
    return c.ready.then(() => c, () => null);
  }, 1000, 'key usable on node n2');
  console.log(`cluster: key minted on n1 accepted by n2 after ${Date.now() - started} ms`);
  const revoked = await api(nodeBase(2), 'DELETE', `/api/v1/apps/live/ws-ingest/${key.id}`);
  assert.equal(revoked.status, 200);
  const closed = await cam.closed;
  assert.equal(closed.code, 4401);
  assert.equal(closed.reason, 'key_revoked');
});

test('bulk keys minted on one node work on another; a bulk revoke elsewhere closes their cameras', async () => {
  const minted = await api(nodeBase(0), 'POST', '/api/v1/apps/live/ws-ingest/bulk', { cameras: [{ room: 'bulk-a' }, { room: 'bulk-b' }] });
  assert.equal(minted.status, 201, JSON.stringify(minted.body));
  const keys = minted.body.data.keys as { id: string; name: string; streamKey: string }[];
  const cams = await Promise.all(
    keys.map((k) =>
      waitFor(async () => {
        const c = rawCamera(nodes[1]!.port, { room: k.name, key: k.streamKey });
        return c.ready.then(() => c, () => null);
      }, 5000, `bulk key of ${k.name} usable on node n2`),
    ),
  );
  const revoked = await api(nodeBase(2), 'POST', '/api/v1/apps/live/ws-ingest/bulk-revoke', { ids: keys.map((k) => k.id) });
  assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
  for (const cam of cams) assert.equal((await cam.closed).code, 4401);
});

test('a node killed with SIGKILL: its cameras stream again through the balancer', async () => {
  const streams = (await api(nodeBase(0), 'GET', '/api/v1/apps/live/streams')).body.data as any[];
  const victim = nodes[2]!;
  const moved = streams.filter((s) => s.node === victim.id && s.room.startsWith('live-cl')).map((s) => s.room);
  assert.ok(moved.length > 0);
  const victimCams = cams.filter((c) => moved.includes(`live-${c.options.room}`));
  const before = new Map(victimCams.map((c) => [c, c.connects]));
  const killedAt = Date.now();
  victim.srv!.child.kill('SIGKILL');
  await waitFor(() => victimCams.every((c) => c.connects > before.get(c)! && c.ready), 20_000, 'cameras of the dead node back');
  const back = Date.now() - killedAt;
  // Viewers reconnect like a player would, and get frames from the new node.
  for (const room of moved) {
    const r = await mjpegReader(`${lb()}/live/live/${room.slice('live-'.length)}/mjpeg`);
    assert.equal(r.status, 200);
    await r.waitParts(2, 10_000);
    r.close();
  }
  const after = await waitFor(async () => {
    const list = ((await api(nodeBase(0), 'GET', '/api/v1/apps/live/streams')).body.data as any[]).filter((s) => moved.includes(s.room));
    return list.length === moved.length && list.every((s) => s.node !== victim.id && s.state === 'live') ? list : null;
  }, 10_000, 'rooms listed on the survivors');
  console.log(`cluster: n3 killed with ${moved.length} cameras; all streaming on ${[...new Set(after.map((s: any) => s.node))].join('+')} ${back} ms later (camera retry 1 s, health check 2 x 1 s)`);
  victim.srv = null;
});

test('Redis down: nodes keep serving and refuse writes with 503; back up, they catch up', async () => {
  redis.kill('SIGTERM');
  await new Promise((r) => redis.once('exit', r));
  const refused = await api(nodeBase(0), 'POST', '/api/v1/apps/live/ws-ingest', { room: 'while-down' });
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error.code, 'unavailable');
  // Reads and streaming go on.
  assert.equal((await api(nodeBase(1), 'GET', '/api/v1/apps/live/ws-ingest')).status, 200);
  const someone = viewers.find((v) => !v.reader.ended);
  void someone;
  redis = await startRedis();
  const key = await waitFor(async () => {
    const r = await api(nodeBase(1), 'POST', '/api/v1/apps/live/ws-ingest', { room: 'after-redis' });
    return r.status === 201 ? r.body.data : null;
  }, 15_000, 'writes accepted again');
  await waitFor(async () => ((await api(nodeBase(0), 'GET', '/api/v1/apps/live/ws-ingest')).body.data as any[]).some((k) => k.id === key.id), 5000, 'n1 caught up');
  const cam = rawCamera(nodes[0]!.port, { room: 'after-redis', key: key.streamKey });
  await cam.ready;
  cam.ws.close(1000);
  for (const v of viewers) v.reader.close();
  await Promise.all(cams.map((c) => c.stop()));
});
