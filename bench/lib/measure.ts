// One measured window of a load already connected to a target: warm up, mark the server's
// CPU and metrics, let every generator thread count frames stamped inside the window,
// settle, then fold everything into one PhaseResult (offered vs delivered per transport,
// end-to-end latency, snapshots, server CPU and RSS, bytes, generator and machine load).
import { availableParallelism } from 'node:os';
import { addErrors, emptyErrors, type Counters, type ErrorCounts, type ViewerRow, type WindowStats } from '../gen/messages.js';
import type { LoadGenerator } from '../gen/pool.js';
import { nowMs } from '../gen/stamp.js';
import { fmtMs, fmtRate } from './format.js';
import { Histogram, type Percentiles } from './histogram.js';
import { ResourceSampler } from './procstat.js';
import type { Progress } from './progress.js';
import { serverFigures, type ServerFigures } from './serverMetrics.js';
import type { Target } from './target.js';

/** A 1 GbE link carries 125 MB/s each way. */
const GBE_BYTES_PER_SEC = 125e6;

export interface PhaseResult {
  target: string;
  kind: Target['kind'];
  seconds: number;
  cameras: number;
  viewers: { mjpeg: number; ws: number };
  /** Frames the cameras' schedules offered in the window, and how many they sent. */
  frames: { offered: number; sent: number; stalled: number };
  /** Frames owed to viewers (sum over viewers of their camera's offered frames) and delivered. */
  offered: { mjpeg: number; ws: number };
  delivered: { mjpeg: number; ws: number };
  deliveredPct: { mjpeg: number | null; ws: number | null; all: number | null };
  /** End-to-end latency (camera send -> viewer has the whole frame), ms. */
  latency: { all: Percentiles; mjpeg: Percentiles; ws: Percentiles };
  snapshots: { requests: number; perSec: number; ok: number; notModified: number; failed: number; latency: Percentiles };
  server: {
    cores: number;
    sysCores: number;
    topThreads: number[];
    cpuUsPerFrame: number | null;
    sysUsPerFrame: number | null;
    /** Server CPU seconds per GB of JPEG bytes moved (camera bytes in + viewer bytes out, as the generator counted them). */
    coreSecondsPerGB: number | null;
    rssMB: number;
    metrics: ServerFigures | null;
  };
  bytesInPerSec: number;
  bytesOutPerSec: number;
  /** The busier direction against a 1 GbE link, %. */
  gbePct: number;
  generator: { cores: number; threads: number; eluMax: number; loopDelayP99Ms: number };
  machine: { cores: number; busyCores: number; stealCores: number };
  errors: ErrorCounts;
}

/** What a window measures: one server process, or the nodes of a cluster summed. */
export interface MeasuredServer {
  label: string;
  kind: Target['kind'];
  /** Processes whose CPU and RSS are the server's. */
  pids: number[];
  metrics(): ReturnType<Target['metrics']>;
}

interface MeasureOptions {
  warmupMs: number;
  durationMs: number;
  /** Time after the window for frames stamped inside it to arrive. */
  settleMs?: number;
  /** The window's progress bar label (default `window`), e.g. `window 2/3`. */
  label?: string;
}

const pct = (part: number, whole: number): number | null => (whole > 0 ? (100 * part) / whole : null);

/** Shows rates every second until stopped. */
function liveRates(gen: LoadGenerator, sampler: ResourceSampler, progress: Progress): () => void {
  let last: Counters = gen.counters();
  let lastT = performance.now();
  const timer = setInterval(() => {
    const now = gen.counters();
    const dt = (performance.now() - lastT) / 1000;
    lastT = performance.now();
    const r = (k: keyof Counters): string => fmtRate((now[k] - last[k]) / dt);
    progress.status(
      `cams ${now.cameras} viewers ${now.viewers} | sent ${r('framesSent')}/s mjpeg ${r('mjpegParts')}/s ws ${r('wsFrames')}/s snap ${r('snapshots')}/s | ` +
        `server ${sampler.current.cpuCores.toFixed(2)} cores ${Math.round(sampler.current.rssBytes / 1e6)} MB`,
    );
    last = now;
  }, 1000);
  return () => clearInterval(timer);
}

export async function measure(gen: LoadGenerator, target: MeasuredServer, options: MeasureOptions, progress: Progress): Promise<PhaseResult> {
  const settleMs = options.settleMs ?? 1000;
  const sampler = new ResourceSampler(target.pids);
  const bar = progress.clock(options.label ?? 'window', (options.warmupMs + 100 + options.durationMs + settleMs) / 1000);
  bar.stage(options.warmupMs > 0 ? 'warm-up' : 'starting');
  const stopLive = liveRates(gen, sampler, progress);
  try {
    await new Promise((r) => setTimeout(r, options.warmupMs));
    const before = await target.metrics();
    const from = nowMs() + 100;
    const to = from + options.durationMs;
    const statsPromise = gen.window(from, to, settleMs);
    await new Promise((r) => setTimeout(r, 100));
    bar.stage('measuring');
    const mark = sampler.begin();
    await new Promise((r) => setTimeout(r, options.durationMs));
    const resources = sampler.end(mark);
    bar.stage('settling');
    const stats = await statsPromise;
    const after = await target.metrics();
    return summarise(target, stats, resources, before && after ? serverFigures(before, after) : null, options.durationMs / 1000, gen.threads);
  } finally {
    stopLive();
    sampler.stop();
    bar.stop();
  }
}

function sumRows(rows: ViewerRow[], offeredByRoom: Map<number, number>): { viewers: number; offered: number; delivered: number; bytes: number } {
  let viewers = 0;
  let offered = 0;
  let delivered = 0;
  let bytes = 0;
  for (const [index, n, d, b] of rows) {
    viewers += n;
    offered += n * (offeredByRoom.get(index) ?? 0);
    delivered += d;
    bytes += b;
  }
  return { viewers, offered, delivered, bytes };
}

function summarise(target: MeasuredServer, stats: WindowStats[], res: ReturnType<ResourceSampler['end']>, metrics: ServerFigures | null, seconds: number, threads: number): PhaseResult {
  const offeredByRoom = new Map<number, number>();
  let camOffered = 0;
  let camSent = 0;
  let camBytes = 0;
  for (const s of stats) {
    for (const [index, offered, sent, bytes] of s.cameras) {
      offeredByRoom.set(index, offered);
      camOffered += offered;
      camSent += sent;
      camBytes += bytes;
    }
  }
  const mjpeg = sumRows(stats.flatMap((s) => s.mjpeg), offeredByRoom);
  const ws = sumRows(stats.flatMap((s) => s.ws), offeredByRoom);
  const latMjpeg = Histogram.merge(stats.map((s) => s.latency.mjpeg));
  const latWs = Histogram.merge(stats.map((s) => s.latency.ws));
  const latAll = Histogram.merge(stats.flatMap((s) => [s.latency.mjpeg, s.latency.ws]));
  const snapLat = Histogram.merge(stats.map((s) => s.snapshots.latency));
  const snap = stats.reduce((a, s) => ({ requests: a.requests + s.snapshots.requests, ok: a.ok + s.snapshots.ok, notModified: a.notModified + s.snapshots.notModified, failed: a.failed + s.snapshots.failed, bytes: a.bytes + s.snapshots.bytes }), { requests: 0, ok: 0, notModified: 0, failed: 0, bytes: 0 });
  const errors = stats.reduce<ErrorCounts>((a, s) => addErrors(a, s.errors), emptyErrors());
  const deliveredFrames = mjpeg.delivered + ws.delivered + snap.ok;
  const bytesIn = camBytes / seconds;
  const bytesOut = (mjpeg.bytes + ws.bytes + snap.bytes) / seconds;
  return {
    target: target.label,
    kind: target.kind,
    seconds,
    cameras: offeredByRoom.size,
    viewers: { mjpeg: mjpeg.viewers, ws: ws.viewers },
    frames: { offered: camOffered, sent: camSent, stalled: errors.cameraStalls },
    offered: { mjpeg: mjpeg.offered, ws: ws.offered },
    delivered: { mjpeg: mjpeg.delivered, ws: ws.delivered },
    deliveredPct: { mjpeg: pct(mjpeg.delivered, mjpeg.offered), ws: pct(ws.delivered, ws.offered), all: pct(mjpeg.delivered + ws.delivered, mjpeg.offered + ws.offered) },
    latency: { all: latAll.percentiles(), mjpeg: latMjpeg.percentiles(), ws: latWs.percentiles() },
    snapshots: { ...snap, perSec: snap.requests / seconds, latency: snapLat.percentiles() },
    server: {
      cores: res.serverCores,
      sysCores: res.serverSysCores,
      topThreads: res.serverTopThreads,
      cpuUsPerFrame: deliveredFrames > 0 ? (res.serverCpuSeconds * 1e6) / deliveredFrames : null,
      sysUsPerFrame: deliveredFrames > 0 ? (res.serverSysCores * res.seconds * 1e6) / deliveredFrames : null,
      coreSecondsPerGB: bytesIn + bytesOut > 0 ? res.serverCores / ((bytesIn + bytesOut) / 1e9) : null,
      rssMB: res.rssPeakBytes / 1e6,
      metrics,
    },
    bytesInPerSec: bytesIn,
    bytesOutPerSec: bytesOut,
    gbePct: (100 * Math.max(bytesIn, bytesOut)) / GBE_BYTES_PER_SEC,
    generator: { cores: res.generatorCores, threads, eluMax: Math.max(...stats.map((s) => s.elu)), loopDelayP99Ms: Math.max(...stats.map((s) => s.loopDelayP99Ms)) },
    machine: { cores: availableParallelism(), busyCores: res.machineBusyCores, stealCores: res.machineStealCores },
    errors,
  };
}

/** The compact description of a phase used inside case lines. */
export function phaseSummary(p: PhaseResult): string {
  const d = (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)}%`);
  const shards = p.server.metrics?.shards;
  const drops = p.server.metrics ? Object.entries(p.server.metrics.drops).map(([k, v]) => `${k}=${v}`).join(',') || 'none' : 'n/a';
  return (
    `delivered mjpeg ${d(p.deliveredPct.mjpeg)} ws ${d(p.deliveredPct.ws)}` +
    `, e2e p50 ${fmtMs(p.latency.all.p50)} p99 ${fmtMs(p.latency.all.p99)} max ${fmtMs(p.latency.all.max)}` +
    (p.server.metrics?.hubP99Ms != null ? `, hub p99 <=${fmtMs(p.server.metrics.hubP99Ms)}` : '') +
    `, cpu ${p.server.cores.toFixed(2)} cores (kernel ${p.server.sysCores.toFixed(2)}), ${p.server.cpuUsPerFrame?.toFixed(1) ?? '-'} us/frame (kernel ${p.server.sysUsPerFrame?.toFixed(1) ?? '-'}), busiest threads ${p.server.topThreads.map((c) => c.toFixed(2)).join('/')}, rss ${Math.round(p.server.rssMB)} MB` +
    `, drops ${drops}` +
    (shards && shards.cameras.length > 1 ? `, per shard cams ${shards.cameras.join('/')} viewers ${shards.viewers.join('/')}` : '') +
    (Object.keys(p.errors.reasons).length ? `, failures ${Object.entries(p.errors.reasons).map(([k, v]) => `${k}: ${v}`).join(', ')}` : '')
  );
}
