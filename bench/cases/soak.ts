// `soak`: the fleet profile (600 cameras QVGA @ 8 fps, an MJPEG viewer each, 30 WS viewers,
// frame.jpg polled every 2 s) held for --minutes (default 30) against one node, sampled
// every minute: RSS, V8 heap used (the node's /metrics), end-to-end latency over the
// minute, delivery, event loop delay, open file descriptors. The final line gives the drift:
// RSS and p99 of the first five minutes against the last five, and the RSS trend (least
// squares slope, MB per hour). A leak shows as a slope that does not flatten; a slow
// degradation as p99 drift. Not part of `all`.
import { readdirSync } from 'node:fs';
import { fmtMs } from '../lib/format.js';
import { addFleet, phaseRow, withGenerator, withTarget } from '../lib/load.js';
import { measure, type PhaseResult } from '../lib/measure.js';
import { processRssBytes } from '../lib/procstat.js';
import type { MetricsSample } from '../lib/serverMetrics.js';
import { describeFleet, fleetPlan } from './fleet.js';
import { settleMs, type BenchCase } from './types.js';

interface SoakSample {
  /** Minutes since the load was connected, at the end of the sample. */
  minute: number;
  rssMB: number;
  rssPeakMB: number;
  /** V8 heap used of the primary thread (nodejs_heap_size_used_bytes; shard workers do not report theirs). */
  heapUsedMB: number | null;
  p50Ms: number;
  p99Ms: number;
  deliveredPct: number | null;
  /** Worst shard worker event loop delay p99 (their last 10 s window), ms. */
  loopDelayP99Ms: number | null;
  /** The primary thread's event loop lag p99 over the minute, ms (10 ms sampling: its floor). */
  primaryLagP99Ms: number | null;
  fds: number;
  cpuCores: number;
  usPerFrame: number | null;
  viewerCloses: number;
  cameraCloses: number;
}

interface Drift {
  /** Samples averaged at each end (5, or fewer in a short run). */
  edgeSamples: number;
  rssFirstMB: number;
  rssLastMB: number;
  rssDriftMB: number;
  rssDriftPct: number;
  /** Least squares slope of RSS over the run, MB per hour. */
  rssSlopeMBPerHour: number;
  p99FirstMs: number;
  p99LastMs: number;
  p99DriftPct: number;
  heapFirstMB: number | null;
  heapLastMB: number | null;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Least squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function drift(samples: SoakSample[]): Drift {
  const k = Math.max(1, Math.min(5, Math.floor(samples.length / 2)));
  const first = samples.slice(0, k);
  const last = samples.slice(-k);
  const rssFirstMB = mean(first.map((s) => s.rssMB));
  const rssLastMB = mean(last.map((s) => s.rssMB));
  const p99FirstMs = mean(first.map((s) => s.p99Ms));
  const p99LastMs = mean(last.map((s) => s.p99Ms));
  const heaps = (xs: SoakSample[]): number | null => (xs.every((s) => s.heapUsedMB !== null) ? mean(xs.map((s) => s.heapUsedMB!)) : null);
  return {
    edgeSamples: k,
    rssFirstMB,
    rssLastMB,
    rssDriftMB: rssLastMB - rssFirstMB,
    rssDriftPct: (100 * (rssLastMB - rssFirstMB)) / rssFirstMB,
    rssSlopeMBPerHour: slope(samples.map((s) => s.minute / 60), samples.map((s) => s.rssMB)),
    p99FirstMs,
    p99LastMs,
    p99DriftPct: (100 * (p99LastMs - p99FirstMs)) / p99FirstMs,
    heapFirstMB: heaps(first),
    heapLastMB: heaps(last),
  };
}

/** Sum of every series of a metric (all label sets), or null if there is none. */
function total(m: MetricsSample | null, name: string): number | null {
  if (!m) return null;
  let sum: number | null = null;
  for (const [key, v] of m) if (key === name || key.startsWith(`${name}{`)) sum = (sum ?? 0) + v;
  return sum;
}

function sampleOf(p: PhaseResult, minute: number, pid: number, m: MetricsSample | null): SoakSample {
  const heap = total(m, 'nodejs_heap_size_used_bytes');
  return {
    minute,
    rssMB: processRssBytes(pid) / 1e6,
    rssPeakMB: p.server.rssMB,
    heapUsedMB: heap === null ? null : heap / 1e6,
    p50Ms: p.latency.all.p50,
    p99Ms: p.latency.all.p99,
    deliveredPct: p.deliveredPct.all,
    loopDelayP99Ms: p.server.metrics?.loopDelayP99Ms ?? null,
    primaryLagP99Ms: p.server.metrics?.primaryLagP99Ms ?? null,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    cpuCores: p.server.cores,
    usPerFrame: p.server.cpuUsPerFrame,
    viewerCloses: p.errors.viewerCloses,
    cameraCloses: p.errors.cameraCloses,
  };
}

const num = (v: number | null, digits = 1): string => (v === null ? '-' : v.toFixed(digits));

function sampleLine(s: SoakSample): string {
  return (
    `min ${s.minute.toFixed(1)}: rss ${s.rssMB.toFixed(0)} MB (peak ${s.rssPeakMB.toFixed(0)}), heap ${num(s.heapUsedMB)} MB, e2e p50 ${fmtMs(s.p50Ms)} p99 ${fmtMs(s.p99Ms)}, ` +
    `delivered ${num(s.deliveredPct, 2)}%, loop p99 shards ${num(s.loopDelayP99Ms)} ms primary ${num(s.primaryLagP99Ms)} ms, fds ${s.fds}, cpu ${s.cpuCores.toFixed(2)} cores (${num(s.usPerFrame)} us/frame), closes cam ${s.cameraCloses} viewer ${s.viewerCloses}`
  );
}

export const soak: BenchCase = {
  name: 'soak',
  description: 'the fleet for --minutes (default 30) on one node, sampled every minute: RSS, heap, latency, delivery, loop delay, fds; drift at the end',
  inAll: false,
  async run(ctx) {
    const plan = fleetPlan(ctx);
    const settle = settleMs(ctx);
    const sampleMs = ctx.smoke ? 1500 : 60_000;
    const count = ctx.smoke ? Math.max(3, Math.round(ctx.minutes ?? 0)) : Math.max(2, Math.round(ctx.minutes ?? 30));
    return withTarget('framehub', { rooms: plan.cameras }, (target) =>
      withGenerator(target, ctx.genThreads, async (gen) => {
        ctx.progress.context(`soak ${target.label}`);
        ctx.progress.phase(`connecting ${plan.cameras} cameras and their viewers`);
        await addFleet(target, gen, { first: 0, count: plan.cameras, fps: 8, size: 'qvga', mjpegPerCamera: 1, wsViewers: plan.wsViewers, pollEveryMs: plan.pollEveryMs });
        await new Promise((r) => setTimeout(r, plan.warmupMs));
        const t0 = performance.now();
        const samples: SoakSample[] = [];
        let last: PhaseResult | null = null;
        const bar = ctx.progress.counter('soak', count, 'samples');
        try {
          for (let i = 0; i < count; i++) {
            // Back-to-back windows: each sample's window plus its settle time fills the minute.
            last = await measure(gen, target, { warmupMs: 0, durationMs: sampleMs - settle - 150, settleMs: settle, label: `sample ${i + 1}/${count}` }, ctx.progress);
            const s = sampleOf(last, (performance.now() - t0) / 60_000, target.pid, await target.metrics());
            samples.push(s);
            bar.increment();
            ctx.progress.phase(`${i + 1}/${count} ${sampleLine(s)}`);
          }
        } finally {
          bar.stop();
        }
        const d = drift(samples);
        const worst = (f: (s: SoakSample) => number | null): number => Math.max(...samples.map((s) => f(s) ?? 0));
        const line =
          `soak ${describeFleet(plan)}, ${samples.length} samples of ${sampleMs / 1000}s on ${target.label}` +
          ` | rss first ${d.edgeSamples} ${d.rssFirstMB.toFixed(1)} MB, last ${d.edgeSamples} ${d.rssLastMB.toFixed(1)} MB: drift ${d.rssDriftMB >= 0 ? '+' : ''}${d.rssDriftMB.toFixed(1)} MB (${d.rssDriftPct >= 0 ? '+' : ''}${d.rssDriftPct.toFixed(1)}%), slope ${d.rssSlopeMBPerHour >= 0 ? '+' : ''}${d.rssSlopeMBPerHour.toFixed(1)} MB/h` +
          `, heap ${num(d.heapFirstMB)} -> ${num(d.heapLastMB)} MB` +
          ` | p99 first ${fmtMs(d.p99FirstMs)}, last ${fmtMs(d.p99LastMs)}: drift ${d.p99DriftPct >= 0 ? '+' : ''}${d.p99DriftPct.toFixed(0)}%` +
          ` | worst sample: delivered ${Math.min(...samples.map((s) => s.deliveredPct ?? 100)).toFixed(2)}%, p99 ${fmtMs(worst((s) => s.p99Ms))}, loop p99 shards ${worst((s) => s.loopDelayP99Ms).toFixed(1)} ms primary ${worst((s) => s.primaryLagP99Ms).toFixed(1)} ms, fds ${Math.min(...samples.map((s) => s.fds))}-${worst((s) => s.fds)}` +
          `, closes cam ${samples.reduce((n, s) => n + s.cameraCloses, 0)} viewer ${samples.reduce((n, s) => n + s.viewerCloses, 0)}`;
        return {
          case: 'soak',
          line,
          data: { plan, sampleMs, samples, drift: d, lastSample: last },
          rows: last ? [phaseRow('soak', `${plan.cameras} cams, last min`, last)] : [],
        };
      }),
    );
  },
};
