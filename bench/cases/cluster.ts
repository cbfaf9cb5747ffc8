// `cluster`: scale-out on loopback, as docs/cluster.md deploys it. Redis + 3 framehub nodes
// (1 shard worker each) + HAProxy hashing rooms; N QVGA @ 8 fps cameras and one MJPEG
// viewer each, all through the balancer. Measures the camera spread per node, delivery and
// end-to-end latency through HAProxy, CPU per delivered frame (nodes, and HAProxy), how
// long a key minted on one node takes to be usable on another, failover after a SIGKILL
// (cameras reconnect like the firmware, viewers like a player) and Redis-restart
// catch-up. The same load straight on one node (no balancer, no Redis) is the comparison.
import { LoadGenerator } from '../gen/pool.js';
import { nowMs } from '../gen/stamp.js';
import type { CameraSpec, ViewerSpec } from '../gen/messages.js';
import { waitCameraAccepted } from '../lib/cameraProbe.js';
import { waitListening } from '../../test/helpers/ports.js';
import { ClusterRig } from '../lib/clusterRig.js';
import { fmtMs, fmtRatio, ratio } from '../lib/format.js';
import { phaseRow, withTarget } from '../lib/load.js';
import { measure, type PhaseResult } from '../lib/measure.js';
import { processCpu } from '../lib/procstat.js';
import { BENCH_ADMIN_TOKEN, type Target } from '../lib/target.js';
import { settleMs, windowMs, type BenchCase, type CaseContext } from './types.js';

const NODES = 3;
const WORKERS = 1;

interface ClusterPlan {
  cameras: number;
  warmupMs: number;
  durationMs: number;
  /** Camera reconnect delay (the firmware's is 3 s) and the viewer's (a player's retry). */
  cameraReconnectMs: number;
  viewerReconnectMs: number;
  keySamples: number;
}

function plan(ctx: CaseContext): ClusterPlan {
  return ctx.smoke
    ? { cameras: ctx.cameras ?? 12, warmupMs: 500, durationMs: windowMs(ctx, 20, 1), cameraReconnectMs: 500, viewerReconnectMs: 500, keySamples: 3 }
    : { cameras: ctx.cameras ?? 300, warmupMs: 3000, durationMs: windowMs(ctx, 20, 1), cameraReconnectMs: 3000, viewerReconnectMs: 1000, keySamples: 10 };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function api(base: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + p, { method, headers: { Authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function waitFor<T>(fn: () => Promise<T | null | false>, timeoutMs: number, what: string, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The load: cameras cam0..cam<n-1> (keys minted on `mint`) and one MJPEG viewer each. */
async function connectLoad(gen: LoadGenerator, mint: Target, p: ClusterPlan, reconnect: boolean): Promise<void> {
  const indexes = Array.from({ length: p.cameras }, (_, i) => i);
  const keys = await mint.mintKeys(indexes);
  // Keys reach the other nodes through Redis within milliseconds; give them a moment.
  await sleep(300);
  const cameras: CameraSpec[] = indexes.map((index, i) => ({ index, key: keys[i]!, fps: 8, size: 'qvga', ...(reconnect ? { reconnectMs: p.cameraReconnectMs } : {}) }));
  await gen.add({ cameras, viewers: [], pollers: [] });
  const viewers: ViewerSpec[] = indexes.map((index) => ({ index, transport: 'mjpeg', ...(reconnect ? { reconnectMs: p.viewerReconnectMs } : {}) }));
  await gen.add({ cameras: [], viewers, pollers: [] });
}

/** Cameras per node, from the cluster view (heartbeats every 2 s; a dead node's expires after 6 s). */
async function spreadOf(base: string, cameras: number, dead?: string): Promise<Record<string, number>> {
  const nodes = await waitFor(async () => {
    const r = await api(base, 'GET', '/api/v1/cluster/nodes');
    const list = (r.body?.data ?? []) as { node: string; cameras: number }[];
    return list.reduce((n, x) => n + x.cameras, 0) === cameras && !list.some((x) => x.node === dead) ? list : null;
  }, 20_000, 'every camera in the cluster view', 250);
  return Object.fromEntries(nodes.map((n) => [n.node, n.cameras]).sort());
}

/** Rooms (by camera index) each node serves, from the streams API. */
async function roomsByNode(base: string): Promise<Map<string, number[]>> {
  const list = (await api(base, 'GET', '/api/v1/apps/live/streams')).body.data as { room: string; node: string }[];
  const out = new Map<string, number[]>();
  for (const s of list) {
    const m = /^live-cam(\d+)$/.exec(s.room);
    if (!m) continue;
    out.set(s.node, [...(out.get(s.node) ?? []), Number(m[1])]);
  }
  return out;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

interface Failover {
  victim: string;
  rooms: number;
  /** From SIGKILL until every one of its cameras was `ready` again (through HAProxy, on a survivor). */
  camerasBackMs: number;
  /** ... until every one of its rooms' viewers had a frame sent after the kill. */
  streamingMs: number;
  /** Cameras of the other nodes that had to reconnect (consistent hashing: expected 0). */
  othersReconnected: number;
  spreadAfter: Record<string, number>;
}

async function failover(ctx: CaseContext, rig: ClusterRig, gen: LoadGenerator, cameras: number): Promise<Failover> {
  const api0 = rig.nodes[0]!.base;
  const byNode = await roomsByNode(api0);
  const victim = rig.nodes[NODES - 1]!;
  const rooms = new Set(byNode.get(victim.label) ?? []);
  if (!rooms.size) throw new Error(`node ${victim.label} serves no room to fail over`);
  const before = new Map((await gen.status()).cameras.map(([i, , connects]) => [i, connects]));
  ctx.progress.phase(`SIGKILL ${victim.label} (${rooms.size} rooms), waiting for its cameras and viewers`);
  const killedAt = nowMs();
  await victim.kill();
  let camerasBackMs = 0;
  const streamingMs = await waitFor(async () => {
    const st = await gen.status();
    const now = nowMs();
    if (!camerasBackMs && st.cameras.filter(([i]) => rooms.has(i)).every(([i, ready, connects]) => ready && connects > before.get(i)!)) camerasBackMs = now - killedAt;
    const streaming = st.viewers.filter(([i]) => rooms.has(i)).every(([, sentAt]) => sentAt > killedAt);
    return camerasBackMs && streaming ? now - killedAt : null;
  }, 60_000, `the cameras of ${victim.label} streaming again`, 100);
  const after = (await gen.status()).cameras;
  const othersReconnected = after.filter(([i, , connects]) => !rooms.has(i) && connects !== before.get(i)).length;
  return { victim: victim.label, rooms: rooms.size, camerasBackMs, streamingMs, othersReconnected, spreadAfter: await spreadOf(api0, cameras, victim.label) };
}

interface KeyReplication {
  samplesMs: number[];
  p50Ms: number;
  maxMs: number;
}

/** Mints a key on node A, times until a camera handshake with it succeeds on node B. */
async function keyReplication(rig: ClusterRig, samples: number): Promise<KeyReplication> {
  const [a, b] = rig.nodes as [Target, Target];
  const samplesMs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const r = await api(a.base, 'POST', '/api/v1/apps/live/ws-ingest', { room: `repl${i}` });
    if (r.status !== 201) throw new Error(`minting on ${a.label}: HTTP ${r.status}`);
    const t0 = performance.now();
    await waitCameraAccepted(b.address.port, `repl${i}`, r.body.data.streamKey, 10_000);
    samplesMs.push(performance.now() - t0);
    await sleep(100);
  }
  return { samplesMs, p50Ms: quantile(samplesMs, 0.5), maxMs: Math.max(...samplesMs) };
}

interface RedisRestart {
  /** Writes refused while Redis was down (HTTP 503), of the attempts. */
  refusedWhileDown: boolean;
  /** From redis-server accepting connections again until a write on node A is accepted. */
  writeBackMs: number;
  /** ... until every live node reports its replication connected (metric = 1). */
  allConnectedMs: number;
  /** ... until a key minted then on node A is usable on node B. */
  keyUsableMs: number;
  /** Viewer frames kept flowing while Redis was down (viewers with a frame sent during the outage / all). */
  streamingDuringOutage: string;
}

async function redisRestart(rig: ClusterRig, gen: LoadGenerator): Promise<RedisRestart> {
  const [a, b] = rig.nodes as [Target, Target];
  await rig.stopRedis();
  const downAt = nowMs();
  const refused = await waitFor(async () => ((await api(a.base, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'while-down' })).status === 503 ? true : null), 10_000, 'writes refused with Redis down', 100);
  await sleep(1000);
  const st = await gen.status();
  const flowing = st.viewers.filter(([, sentAt]) => sentAt > downAt).length;
  await rig.startRedis();
  const upAt = performance.now();
  let writeBackMs = 0;
  let key: { streamKey: string } | null = null;
  const connected = async (): Promise<boolean> => {
    const samples = await Promise.all(rig.alive.map((n) => n.metrics()));
    return samples.every((s) => s?.get('framehub_cluster_replication_connected') === 1);
  };
  let allConnectedMs = 0;
  await waitFor(async () => {
    if (!allConnectedMs && (await connected())) allConnectedMs = performance.now() - upAt;
    if (!key) {
      const r = await api(a.base, 'POST', '/api/v1/apps/live/ws-ingest', { room: 'after-redis' });
      if (r.status === 201) ((key = r.body.data), (writeBackMs = performance.now() - upAt));
    }
    return key && allConnectedMs ? true : null;
  }, 30_000, 'writes accepted and every node connected after the Redis restart', 50);
  await waitCameraAccepted(b.address.port, 'after-redis', key!.streamKey, 10_000);
  const keyUsableMs = performance.now() - upAt;
  return { refusedWhileDown: refused, writeBackMs, allConnectedMs, keyUsableMs, streamingDuringOutage: `${flowing}/${st.viewers.length}` };
}

const part = (p: PhaseResult): string =>
  `${p.target}: delivered ${p.deliveredPct.all?.toFixed(2) ?? '-'}%, e2e p50 ${fmtMs(p.latency.all.p50)} p99 ${fmtMs(p.latency.all.p99)} max ${fmtMs(p.latency.all.max)}, ` +
  `cpu ${p.server.cores.toFixed(2)} cores ${p.server.cpuUsPerFrame?.toFixed(1) ?? '-'} us/frame, rss ${Math.round(p.server.rssMB)} MB`;

export const cluster: BenchCase = {
  name: 'cluster',
  description: '3 nodes + Redis + HAProxy, N cameras (--cameras, default 300) with a viewer each; spread, latency, key replication, failover, Redis restart; vs one node',
  async run(ctx) {
    const p = plan(ctx);
    const window = { warmupMs: p.warmupMs, durationMs: p.durationMs, settleMs: settleMs(ctx) };

    // One node, straight: the comparison line.
    const single = await withTarget('framehub', { workers: WORKERS, rooms: p.cameras, label: 'one node' }, async (t) => {
      const gen = new LoadGenerator(t.address, ctx.genThreads);
      try {
        ctx.progress.context('cluster one node');
        ctx.progress.phase(`connecting ${p.cameras} cameras and their viewers`);
        await connectLoad(gen, t, p, false);
        return await measure(gen, { label: 'one node', kind: 'framehub', pids: t.pids, metrics: () => t.metrics() }, window, ctx.progress);
      } finally {
        await gen.close();
      }
    });

    ctx.progress.context('cluster');
    ctx.progress.phase(`starting redis, ${NODES} nodes and haproxy`);
    const rig = await ClusterRig.start({ nodes: NODES, rooms: p.cameras + 64, workers: WORKERS });
    const gen = new LoadGenerator(rig.address, ctx.genThreads);
    try {
      ctx.progress.phase(`connecting ${p.cameras} cameras and their viewers through haproxy`);
      await connectLoad(gen, rig.nodes[0]!, p, true);
      const spread = await spreadOf(rig.nodes[0]!.base, p.cameras);
      const lbCpu0 = processCpu(rig.haproxy!.pid!);
      const redisCpu0 = processCpu(rig.redis!.pid!);
      const t0 = performance.now();
      const phase = await measure(gen, rig.measured(`cluster ${NODES} nodes via haproxy`), window, ctx.progress);
      const seconds = (performance.now() - t0) / 1000;
      const lbCpu1 = processCpu(rig.haproxy!.pid!);
      const redisCpu1 = processCpu(rig.redis!.pid!);
      // HAProxy and Redis CPU over warm-up + window + settle (their load is steady).
      const haproxyCores = (lbCpu1.user + lbCpu1.system - lbCpu0.user - lbCpu0.system) / seconds;
      const redisCores = (redisCpu1.user + redisCpu1.system - redisCpu0.user - redisCpu0.system) / seconds;
      const delivered = phase.delivered.mjpeg + phase.delivered.ws;
      const withLbUsPerFrame = delivered > 0 ? ((phase.server.cores + haproxyCores) * phase.seconds * 1e6) / delivered : null;

      ctx.progress.phase(`key replication, ${p.keySamples} samples`);
      const keys = await keyReplication(rig, p.keySamples);
      const fo = await failover(ctx, rig, gen, p.cameras);
      ctx.progress.phase('redis restart');
      const rr = await redisRestart(rig, gen);
      await waitListening(rig.redisPort, 1000, 'redis');

      const ratios = {
        cpuPerFrame: ratio(phase.server.cpuUsPerFrame, single.server.cpuUsPerFrame),
        cpuPerFrameWithHaproxy: ratio(withLbUsPerFrame, single.server.cpuUsPerFrame),
        p99: ratio(phase.latency.all.p99, single.latency.all.p99),
      };
      const line =
        `cluster ${p.cameras} cams QVGA@8fps + 1 mjpeg viewer each, ${NODES} nodes w${WORKERS} + redis + haproxy | spread ${Object.entries(spread).map(([n, c]) => `${n}=${c}`).join(' ')}` +
        ` | ${part(phase)}, haproxy ${haproxyCores.toFixed(2)} cores (${withLbUsPerFrame?.toFixed(1) ?? '-'} us/frame with it), redis ${redisCores.toFixed(3)} cores, drops ${phase.server.metrics ? Object.entries(phase.server.metrics.drops).map(([k, v]) => `${k}=${v}`).join(',') || 'none' : 'n/a'}` +
        ` | key minted on n1 usable on n2: p50 ${keys.p50Ms.toFixed(1)} ms max ${keys.maxMs.toFixed(1)} ms (${keys.samplesMs.length} samples)` +
        ` | SIGKILL ${fo.victim} (${fo.rooms} rooms): cameras back ${(fo.camerasBackMs / 1000).toFixed(2)} s, all viewers streaming ${(fo.streamingMs / 1000).toFixed(2)} s (camera retry ${p.cameraReconnectMs / 1000} s, viewer ${p.viewerReconnectMs / 1000} s), other cameras reconnected ${fo.othersReconnected}, after ${Object.entries(fo.spreadAfter).map(([n, c]) => `${n}=${c}`).join(' ')}` +
        ` | redis restart: writes 503 while down ${rr.refusedWhileDown ? 'yes' : 'NO'}, streaming during outage ${rr.streamingDuringOutage}, writes back ${rr.writeBackMs.toFixed(0)} ms, all nodes connected ${rr.allConnectedMs.toFixed(0)} ms, new key usable on n2 ${rr.keyUsableMs.toFixed(0)} ms after redis was up` +
        ` | ${part(single)}` +
        ` | cluster/one node: cpu per frame ${fmtRatio(ratios.cpuPerFrame)} (with haproxy ${fmtRatio(ratios.cpuPerFrameWithHaproxy)}), p99 ${fmtRatio(ratios.p99)}`;
      return {
        case: 'cluster',
        line,
        data: { plan: p, nodes: NODES, workersPerNode: WORKERS, spread, phases: [phase, single], haproxyCores, redisCores, cpuUsPerFrameWithHaproxy: withLbUsPerFrame, keyReplication: keys, failover: fo, redisRestart: rr, ratios },
        rows: [phaseRow('cluster', `${p.cameras} cams`, phase), phaseRow('cluster', `${p.cameras} cams`, single)],
      };
    } catch (err) {
      (err as Error).message += `\nhaproxy log tail:\n${rig.haproxyLog().slice(-1500)}\n${rig.nodes.map((n) => `${n.label} log tail:\n${n.log().slice(-800)}`).join('\n')}`;
      throw err;
    } finally {
      await gen.close();
      await rig.stop();
    }
  },
};
