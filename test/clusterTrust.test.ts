// Redis is storage, not an authority (issue 15, items 5 and 8): two framehub nodes on a
// real redis-server, and a test that writes to Redis the way an attacker (or a bug) could.
// A forged entry that would create an admin token is refused and counted; garbage does not
// stop replication; a node paused while the stream was trimmed, or down while it was
// emptied, reloads the signed snapshot; concurrent PATCHes on two nodes keep both fields;
// two nodes creating one app agree on one winner; the CLI refuses to write on a cluster
// node; no play secret is stored in Redis in the clear; rediss:// with the ACL of
// docs/cluster.md works.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { compareIds, nextId } from '../src/cluster/replication.js';
import { clusterKeys, encodeOp, openSnapshot, signEntry } from '../src/cluster/wire.js';
import { ControlStore, hashSecret } from '../src/keys.js';
import { startChild, type ChildServer } from './helpers/child.js';
import { rawCamera } from './helpers/clients.js';
import { ADMIN_TOKEN, CLUSTER_SECRET } from './helpers/credentials.js';
import { metricValue } from './helpers/metrics.js';
import { MAIN, REPO, tempDir } from './helpers/paths.js';
import { dumpRedis, startRedis, type TestRedis } from './helpers/redis.js';
import { selfSigned } from './helpers/tls.js';
import { sleep, waitFor } from './helpers/wait.js';

const PREFIX = 'framehub';
const STREAM = `${PREFIX}:changes`;
const h = { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' };

interface Node {
  id: string;
  dataDir: string;
  srv: ChildServer;
  metricsPort: number;
}

let redis: TestRedis;
const nodes: Node[] = [];

async function startNode(id: string, dataDir: string, url = redis.url, env: Record<string, string> = {}): Promise<Node> {
  const srv = await startChild({
    FRAMEHUB_DATA_DIR: dataDir, FRAMEHUB_REDIS_URL: url, FRAMEHUB_CLUSTER_SECRET: CLUSTER_SECRET, FRAMEHUB_NODE_ID: id,
    FRAMEHUB_WORKERS: '1', FRAMEHUB_REDIS_SNAPSHOT_EVERY: '5', FRAMEHUB_AUTH_FAIL_BURST: '1000', LOG_LEVEL: 'info', ...env,
  });
  const metricsPort = Number(/metrics\s+http:\/\/[^:]+:(\d+)\/metrics/.exec(srv.stderr())![1]);
  return { id, dataDir, srv, metricsPort };
}

async function stopNode(n: Node): Promise<void> {
  n.srv.child.kill('SIGTERM');
  await n.srv.exited;
}

const api = async (n: Node, method: string, p: string, body?: unknown, token = ADMIN_TOKEN): Promise<{ status: number; body: any }> => {
  const call = () => fetch(n.srv.base + p, { method, headers: { ...h, Authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  // A pooled keep-alive connection the server closed after ~10 s idle fails once: retry.
  const r = await call().catch(call);
  return { status: r.status, body: await r.json() };
};
const metrics = async (n: Node): Promise<string> => (await fetch(`http://127.0.0.1:${n.metricsPort}/metrics`)).text();
const keyIds = async (n: Node, app = 'live'): Promise<string[]> => ((await api(n, 'GET', `/api/v1/apps/${app}/ws-ingest`)).body.data as any[]).map((k) => k.id);

/** Whether `n` accepts a camera with this key (ready) or refuses it (close code). */
async function cameraOn(n: Node, room: string, key: string): Promise<'ready' | number> {
  const cam = rawCamera(n.srv.port, { room, key });
  const r = await cam.ready.then(
    () => 'ready' as const,
    async () => (await cam.closed).code,
  );
  cam.ws.close(1000);
  await cam.closed;
  return r;
}

async function lastStreamId(): Promise<string> {
  const info = (await redis.admin.call('XINFO', 'STREAM', STREAM)) as unknown[];
  return info[info.indexOf('last-generated-id') + 1] as string;
}

/** The snapshot in Redis, opened with the cluster secret (as a node would). */
async function snapshot(): Promise<ReturnType<typeof openSnapshot>> {
  return openSnapshot(clusterKeys(CLUSTER_SECRET, PREFIX), (await redis.admin.call('GET', `${PREFIX}:snapshot`)) as string);
}

before(async () => {
  redis = await startRedis();
  nodes.push(await startNode('n1', tempDir()));
  nodes.push(await startNode('n2', tempDir()));
});

after(async () => {
  for (const n of nodes) n.srv.child.kill('SIGKILL');
  await redis?.stop();
});

test('FRAMEHUB_REDIS_URL without a FRAMEHUB_CLUSTER_SECRET (or with a placeholder) is refused at boot', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [MAIN], { env: { ...process.env, PORT: '0', FRAMEHUB_METRICS_PORT: '0', FRAMEHUB_DATA_DIR: tempDir(), FRAMEHUB_REDIS_URL: redis.url, ...env }, encoding: 'utf8', timeout: 20_000 });
  const missing = run({});
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /FRAMEHUB_CLUSTER_SECRET \(--cluster-secret\): required when FRAMEHUB_REDIS_URL is set/);
  const placeholder = run({ FRAMEHUB_CLUSTER_SECRET: 'change-me-change-me-change-me-change-me' });
  assert.equal(placeholder.status, 2, placeholder.stderr);
  assert.match(placeholder.stderr, /FRAMEHUB_CLUSTER_SECRET.*placeholder/);
  assert.ok(!placeholder.stderr.includes('change-me-change-me'), 'the refused secret is not echoed');
});

test('a forged XADD that would create an admin token is refused, counted and logged; replication goes on', async () => {
  const [n1, n2] = nodes as [Node, Node];
  const evil = 'fht_forged-admin-token-0123456789abcdef';
  const token = { id: 'tok_forged', name: 'forged', hash: hashSecret(evil), scopes: ['*'], app: null, createdAt: Date.now() };
  // What the old wire format accepted: an unsigned entry.
  await redis.admin.call('XADD', STREAM, '*', 'op', JSON.stringify({ op: 'putToken', token }), 'node', 'n1');
  // Signed, but with another secret (an attacker's guess), chained correctly.
  const wrong = clusterKeys('not-the-cluster-secret-0123456789abcdefgh', PREFIX);
  const op = encodeOp(wrong, { op: 'putToken', token: { ...token, id: 'tok_forged2' } });
  const prev = await lastStreamId();
  const id = nextId(prev);
  await redis.admin.call('XADD', STREAM, id, 'op', op, 'node', 'n1', 'prev', prev, 'sig', signEntry(wrong, id, prev, 'n1', op));

  // A real change after the forged ones still reaches the other node.
  const minted = (await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'after-forgery' })).body.data;
  await waitFor(async () => (await keyIds(n2)).includes(minted.id), 10_000, 'the next real change on n2');
  for (const n of nodes) assert.equal((await api(n, 'GET', '/api/v1/apps', undefined, evil)).status, 401, `forged token refused on ${n.id}`);
  for (const n of nodes) {
    const m = await metrics(n);
    assert.ok(metricValue(m, 'framehub_cluster_replication_rejected_total', { kind: 'entry', reason: 'unsigned' }) >= 1, `${n.id} counts the unsigned entry`);
    assert.ok(metricValue(m, 'framehub_cluster_replication_rejected_total', { kind: 'entry', reason: 'bad_signature' }) >= 1, `${n.id} counts the bad signature`);
    assert.match(n.srv.stdout(), /"reason":"unsigned".*replicated entry refused and skipped/);
    assert.match(n.srv.stdout(), /"reason":"bad_signature".*replicated entry refused and skipped/);
    assert.ok(!n.srv.stdout().includes(CLUSTER_SECRET) && !n.srv.stderr().includes(CLUSTER_SECRET), 'the cluster secret is never logged');
  }
});

test('a genuine entry replayed later (a revoked token put back) is refused', async () => {
  const [n1, n2] = nodes as [Node, Node];
  const created = (await api(n1, 'POST', '/api/v1/tokens', { name: 'replayed', scopes: ['apps:read'] })).body.data;
  assert.equal((await api(n1, 'DELETE', `/api/v1/tokens/${created.id}`)).status, 200);
  const entries = (await redis.admin.call('XRANGE', STREAM, '-', '+')) as [string, string[]][];
  const original = entries.find(([, f]) => f[f.indexOf('op') + 1]!.includes(`"${created.id}"`) && f[f.indexOf('op') + 1]!.includes('putToken'));
  assert.ok(original, 'the putToken entry of the token');
  await redis.admin.call('XADD', STREAM, '*', ...original[1]); // the same signed fields, a new place
  const marker = (await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'after-replay' })).body.data;
  await waitFor(async () => (await keyIds(n2)).includes(marker.id), 10_000, 'the next change on n2');
  for (const n of nodes) assert.equal((await api(n, 'GET', '/api/v1/apps', undefined, created.token)).status, 401, `the revoked token stays revoked on ${n.id}`);
  assert.ok(metricValue(await metrics(n2), 'framehub_cluster_replication_rejected_total', { kind: 'entry', reason: 'bad_signature' }) >= 2);
});

test('a forged heartbeat adds no node and no camera to the cluster view; it is counted', async () => {
  const [n1] = nodes as [Node, Node];
  const fake = { node: 'ghost', at: Date.now(), streams: [{ type: 'ws-mjpeg', app: 'live', room: 'live-fake', name: 'fake', state: 'live', node: 'ghost', bytesPerSec: 1 }] };
  await redis.admin.call('SET', `${PREFIX}:node:ghost`, JSON.stringify(fake), 'PX', '60000');
  await redis.admin.call('SET', `${PREFIX}:node:junk`, '{garbage', 'PX', '60000');
  try {
    // Heartbeats are read when the cluster view is asked for.
    await waitFor(async () => {
      await api(n1, 'GET', '/api/v1/cluster/nodes');
      return metricValue(await metrics(n1), 'framehub_cluster_replication_rejected_total', { kind: 'heartbeat' }) >= 2;
    }, 10_000, 'heartbeats refused');
    const view = (await api(n1, 'GET', '/api/v1/cluster/nodes')).body.data as { node: string }[];
    assert.deepEqual(view.map((x) => x.node).sort(), ['n1', 'n2']);
    const streams = (await api(n1, 'GET', '/api/v1/apps/live/streams')).body.data as { room: string }[];
    assert.ok(!streams.some((s) => s.room === 'live-fake'));
    assert.match(n1.srv.stdout(), /cluster heartbeat refused and left out of the cluster view/);
  } finally {
    await redis.admin.call('DEL', `${PREFIX}:node:ghost`, `${PREFIX}:node:junk`);
  }
});

test('garbage in the stream (unparsable, or signed but not a valid op) is skipped and counted; replication goes on', async () => {
  const [n1, n2] = nodes as [Node, Node];
  await redis.admin.call('XADD', STREAM, '*', 'op', '{not json', 'node', 'n1');
  const keys = clusterKeys(CLUSTER_SECRET, PREFIX);
  for (const bad of ['not json at all', JSON.stringify({ op: 'putKey', key: { id: 'wsi_x' } }), JSON.stringify({ op: 'dropEverything' })]) {
    const prev = await lastStreamId();
    const id = nextId(prev);
    await redis.admin.call('XADD', STREAM, id, 'op', bad, 'node', 'n1', 'prev', prev, 'sig', signEntry(keys, id, prev, 'n1', bad));
  }
  const minted = (await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'after-garbage' })).body.data;
  await waitFor(async () => (await cameraOn(n2, 'after-garbage', minted.streamKey)) === 'ready', 10_000, 'a key minted after the garbage works on n2');
  const m = await metrics(n2);
  assert.ok(metricValue(m, 'framehub_cluster_replication_rejected_total', { kind: 'entry', reason: 'invalid' }) >= 3);
  assert.equal(metricValue(m, 'framehub_cluster_replication_gaps_total'), 0, 'skipped entries do not break the chain');
});

test('concurrent PATCHes of different fields on two nodes both stick, on both nodes', async () => {
  const [n1, n2] = nodes as [Node, Node];
  assert.equal((await api(n1, 'POST', '/api/v1/apps', { name: 'patchy' })).status, 201);
  await waitFor(async () => (await api(n2, 'GET', '/api/v1/apps/patchy')).status === 200, 10_000, 'app on n2');
  for (let i = 0; i < 5; i++) {
    const [a, b] = await Promise.all([api(n1, 'PATCH', '/api/v1/apps/patchy', { maxFps: 5 + i }), api(n2, 'PATCH', '/api/v1/apps/patchy', { maxCameras: 10 + i })]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    for (const n of nodes) {
      await waitFor(async () => {
        const app = (await api(n, 'GET', '/api/v1/apps/patchy')).body.data;
        return app.maxFps === 5 + i && app.maxCameras === 10 + i;
      }, 5000, `round ${i}: both fields on ${n.id}`);
    }
  }
});

test('two nodes creating the same app at once: one 201, one 409, the same app (and play secret) everywhere', async () => {
  const [n1, n2] = nodes as [Node, Node];
  for (let i = 0; i < 3; i++) {
    const name = `race${i}`;
    const [a, b] = await Promise.all([
      api(n1, 'POST', '/api/v1/apps', { name, maxFps: 7, publicPlayback: false }),
      api(n2, 'POST', '/api/v1/apps', { name, maxFps: 9, publicPlayback: false }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [201, 409], `round ${i}: ${JSON.stringify([a.body, b.body])}`);
    const winner = a.status === 201 ? 7 : 9;
    assert.equal((a.status === 409 ? a : b).body.error.code, 'conflict');
    for (const n of nodes) await waitFor(async () => (await api(n, 'GET', `/api/v1/apps/${name}`)).body.data?.maxFps === winner, 5000, `winner on ${n.id}`);
    // A play token from one node is valid on the other: both hold the winner's secret.
    const play = (await api(n1, 'GET', `/api/v1/apps/${name}/play-token/cam1`)).body.data.token;
    // 404 stream_offline: the token passed (the room is just not live); 401: another secret.
    let seen = '';
    await waitFor(async () => {
      const r = await fetch(`${n2.srv.base}/live/${name}/cam1/frame.jpg?token=${play}`);
      seen = `${r.status} ${((await r.json()) as any).error?.code}`;
      return seen === '404 stream_offline' || seen.startsWith('401');
    }, 5000, 'the app on n2 workers');
    assert.equal(seen, '404 stream_offline', 'a play token of n1 is valid on n2');
  }
});

test('the CLI refuses to write on a cluster node (and says to use the API); listing works', async () => {
  const n2 = nodes[1]!;
  const cli = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const mint = cli(['keys', 'mint', 'live', 'cli-cam', '--data-dir', n2.dataDir]);
  assert.equal(mint.status, 2, mint.stdout + mint.stderr);
  assert.match(mint.stderr, /cluster_node: refusing to keys mint: this data dir belongs to a node of the cluster "framehub".*control API/);
  assert.equal(cli(['apps', 'create', 'clix', '--data-dir', n2.dataDir]).status, 2);
  assert.equal(cli(['tokens', 'revoke', 'tok_admin', '--data-dir', n2.dataDir]).status, 2);
  const list = cli(['keys', 'list', 'live', '--data-dir', n2.dataDir]);
  assert.equal(list.status, 0, list.stderr);
  assert.ok(Array.isArray(JSON.parse(list.stdout)));
  // A fresh data dir with FRAMEHUB_REDIS_URL in the environment (a node about to join) too.
  const joining = cli(['apps', 'create', 'early', '--data-dir', tempDir()], { FRAMEHUB_REDIS_URL: redis.url });
  assert.equal(joining.status, 2);
  assert.match(joining.stderr, /FRAMEHUB_REDIS_URL is set/);
  assert.equal((await api(n2, 'GET', '/api/v1/apps/clix')).status, 404);
});

test('a node paused while the stream was trimmed reloads the snapshot instead of skipping changes', async () => {
  const [n1, n2] = nodes as [Node, Node];
  const victim = (await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'lag-victim' })).body.data;
  await waitFor(async () => (await keyIds(n2)).includes(victim.id), 10_000, 'victim key on n2');
  n2.srv.child.kill('SIGSTOP');
  try {
    await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'lag-first' }); // the one a paused XREAD may already hold
    assert.equal((await api(n1, 'DELETE', `/api/v1/apps/live/ws-ingest/${victim.id}`)).status, 200);
    const revokedAt = await lastStreamId();
    for (let i = 0; i < 8; i++) await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: `lag-fill${i}` });
    const late = (await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'lag-late' })).body.data;
    // Trim everything before the newest snapshot that covers the revoke (MAXLEN would, later).
    const snap = await waitFor(async () => {
      const s = await snapshot();
      return compareIds(s.id, revokedAt) > 0 && s.state.keys.every((k) => k.id !== victim.id) ? s : null;
    }, 10_000, 'a snapshot after the revoke');
    await redis.admin.call('XTRIM', STREAM, 'MINID', snap.id);
    n2.srv.child.kill('SIGCONT');
    await waitFor(async () => (await keyIds(n2)).includes(late.id), 10_000, 'n2 caught up');
  } finally {
    n2.srv.child.kill('SIGCONT');
  }
  const replicationLog = (): string => n2.srv.stdout().split('\n').filter((l) => /snapshot|stream|entry/.test(l)).join('\n');
  assert.ok(!(await keyIds(n2)).includes(victim.id), `the revoke in the trimmed part is not lost on n2; its replication log:\n${replicationLog()}`);
  assert.equal(await cameraOn(n2, 'lag-victim', victim.streamKey), 4401);
  assert.ok(metricValue(await metrics(n2), 'framehub_cluster_snapshot_loads_total', { reason: 'gap' }) >= 1);
  assert.match(n2.srv.stdout(), /"reason":"gap".*control store loaded from the cluster snapshot/);
});

test('a node paused while the stream was emptied catches up from the snapshot with no further change', async () => {
  const [n1, n2] = nodes as [Node, Node];
  const victim = (await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'quiet-victim' })).body.data;
  await waitFor(async () => (await keyIds(n2)).includes(victim.id), 10_000, 'victim key on n2');
  n2.srv.child.kill('SIGSTOP');
  let late: string;
  try {
    await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'quiet-first' });
    assert.equal((await api(n1, 'DELETE', `/api/v1/apps/live/ws-ingest/${victim.id}`)).status, 200);
    const minted: string[] = [];
    for (let i = 0; i < 6; i++) minted.push((await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: `quiet${i}` })).body.data.id);
    late = await waitFor(async () => {
      const ids = new Set((await snapshot()).state.keys.map((k) => k.id));
      return ids.has(victim.id) ? null : minted.findLast((id) => ids.has(id));
    }, 10_000, 'a snapshot after the revoke');
    await redis.admin.call('XTRIM', STREAM, 'MAXLEN', '0');
  } finally {
    n2.srv.child.kill('SIGCONT');
  }
  // Nothing else is written: n2 notices on its own that the snapshot moved past it.
  await waitFor(async () => (await keyIds(n2)).includes(late), 20_000, 'n2 loaded the snapshot');
  assert.equal(await cameraOn(n2, 'quiet-victim', victim.streamKey), 4401);
  assert.ok(metricValue(await metrics(n2), 'framehub_cluster_snapshot_loads_total', { reason: 'behind' }) >= 1);
});

test('a node that was down while the stream was emptied loads the newer snapshot when it starts', async () => {
  const [n1] = nodes as [Node, Node];
  const victim = (await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'down-victim' })).body.data;
  await waitFor(async () => (await keyIds(nodes[1]!)).includes(victim.id), 10_000, 'victim key on n2');
  await stopNode(nodes[1]!);
  assert.equal((await api(n1, 'DELETE', `/api/v1/apps/live/ws-ingest/${victim.id}`)).status, 200);
  const minted: string[] = [];
  for (let i = 0; i < 12; i++) minted.push((await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: `down-late${i}` })).body.data.id);
  // n1 writes a snapshot every 5 entries: take a key minted after the revoke that one covers.
  const late = await waitFor(async () => {
    const ids = new Set((await snapshot()).state.keys.map((k) => k.id));
    return ids.has(victim.id) ? null : minted.findLast((id) => ids.has(id));
  }, 10_000, 'a snapshot after the revoke');
  await redis.admin.call('XTRIM', STREAM, 'MAXLEN', '0'); // emptied (Redis trimmed it, or someone did)
  const n2 = await startNode('n2', nodes[1]!.dataDir);
  nodes[1] = n2;
  assert.ok((await keyIds(n2)).includes(late), 'n2 has what was written while it was down');
  assert.equal(await cameraOn(n2, 'down-victim', victim.streamKey), 4401);
  assert.equal(metricValue(await metrics(n2), 'framehub_cluster_snapshot_loads_total', { reason: 'behind' }), 1);
  // And it replicates again from there.
  const next = (await api(n1, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'down-next' })).body.data;
  await waitFor(async () => (await keyIds(n2)).includes(next.id), 10_000, 'replication after the reload');
});

test('no play secret is stored in Redis in the clear (stream, snapshot, heartbeats)', async () => {
  // Private apps created on both nodes, then every node stopped so its store can be read.
  await api(nodes[0]!, 'POST', '/api/v1/apps', { name: 'private1', publicPlayback: false });
  await api(nodes[1]!, 'POST', '/api/v1/apps', { name: 'private2', publicPlayback: false });
  await waitFor(async () => (await api(nodes[0]!, 'GET', '/api/v1/apps/private2')).status === 200, 10_000, 'apps replicated');
  await sleep(300);
  for (const n of nodes) await stopNode(n);
  const secrets = new Set<string>();
  for (const n of nodes) {
    const store = new ControlStore(n.dataDir);
    for (const app of store.listApps()) secrets.add(app.playSecret);
    await store.close();
  }
  assert.ok(secrets.size >= 3, `play secrets of every app (${secrets.size})`);
  const dump = await dumpRedis(redis.admin);
  assert.ok(dump.has(STREAM) && dump.has(`${PREFIX}:snapshot`));
  for (const [key, value] of dump) {
    for (const s of secrets) assert.ok(!value.includes(s), `a play secret in the clear in Redis key ${key}`);
    assert.doesNotMatch(value, /"playSecret"/, `a playSecret field in Redis key ${key}`);
  }
});

test('rediss:// with the ACL user of docs/cluster.md: nodes replicate over TLS with only the commands they need', async () => {
  const tls = selfSigned('127.0.0.1');
  // The ACL exactly as documented, with a test password; the default user is off.
  const doc = readFileSync(path.join(REPO, 'docs/cluster.md'), 'utf8');
  const aclLine = /^user framehub .*$/m.exec(doc)?.[0];
  assert.ok(aclLine, 'docs/cluster.md documents the ACL user');
  const password = 'redis-password-0123456789';
  const secure = await startRedis({ tls, conf: [aclLine.replace('<password>', password), 'user default on >admin-password-0123 ~* &* +@all'], adminPassword: 'admin-password-0123' });
  const url = `rediss://framehub:${password}@127.0.0.1:${secure.port}`;
  const env = { NODE_EXTRA_CA_CERTS: tls.cert };
  const a = await startNode('s1', tempDir(), url, env);
  const b = await startNode('s2', tempDir(), url, env);
  try {
    const minted = (await api(a, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'tls-cam' })).body.data;
    await waitFor(async () => (await cameraOn(b, 'tls-cam', minted.streamKey)) === 'ready', 10_000, 'key replicated over TLS');
    const seen = await waitFor(async () => {
      const list = (await api(b, 'GET', '/api/v1/cluster/nodes')).body.data as any[];
      return list.length === 2 ? list : null;
    }, 10_000, 'both nodes in the cluster view');
    assert.deepEqual(seen.map((x) => x.node).sort(), ['s1', 's2']);
    assert.equal(metricValue(await metrics(a), 'framehub_cluster_replication_connected'), 1);
    assert.ok(!a.srv.stdout().includes(password) && !a.srv.stderr().includes(password), 'the Redis password is never logged');
  } finally {
    a.srv.child.kill('SIGKILL');
    b.srv.child.kill('SIGKILL');
    await secure.stop();
  }
});
