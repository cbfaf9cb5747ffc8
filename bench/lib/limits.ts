// Says what stopped a load from being sustained: which criterion failed, and who ran out
// of CPU (the machine, the server, a generator thread) or that nobody did.
import type { PhaseResult } from './measure.js';

interface Criteria {
  /** Minimum delivered share, % (99.9). */
  minDeliveredPct: number;
  /** End-to-end p99 must stay below this, ms (5). */
  maxP99Ms: number;
}

export const SATURATE_CRITERIA: Criteria = { minDeliveredPct: 99.9, maxP99Ms: 5 };

/** Past these the climb stops: the curve has nothing more to show. */
export const HARD_LIMITS: Criteria = { minDeliveredPct: 99.9, maxP99Ms: 50 };

/** The failed criteria, or [] if the phase passed. */
export function failedCriteria(p: PhaseResult, c: Criteria): string[] {
  const out: string[] = [];
  const d = p.deliveredPct.all;
  if (d === null || d < c.minDeliveredPct) out.push(`delivered ${d === null ? '-' : d.toFixed(2)}% < ${c.minDeliveredPct}%`);
  if (p.latency.all.p99 >= c.maxP99Ms) out.push(`p99 ${p.latency.all.p99.toFixed(1)} ms >= ${c.maxP99Ms} ms`);
  return out;
}

/** Who ran out: `serverThreads` is how many cores the server could use at most. */
export function bottleneck(p: PhaseResult, serverThreads: number): string {
  const s = p.server.cores.toFixed(2);
  const g = p.generator.cores.toFixed(2);
  const m = `${p.machine.busyCores.toFixed(2)}/${p.machine.cores}`;
  const others = Math.max(0, p.machine.busyCores - p.server.cores - p.generator.cores).toFixed(2);
  const who = `server ${s}, generator ${g}, other processes ${others}, steal ${p.machine.stealCores.toFixed(2)}`;
  if (p.machine.busyCores >= 0.9 * p.machine.cores) return `machine CPU saturated (${m} cores busy: ${who})`;
  if (p.server.cores >= 0.9 * serverThreads) return `server CPU saturated (${s} of ${serverThreads} cores)`;
  const top = p.server.topThreads[0] ?? 0;
  if (top >= 0.85) return `a server thread saturated (${top.toFixed(2)} of a core; server ${s} cores in all, machine ${m} busy)`;
  if (p.generator.eluMax >= 0.85) return `a generator thread saturated (event loop ${Math.round(100 * p.generator.eluMax)}% busy)`;
  const hub = p.server.metrics?.hubP99Ms;
  return `no core saturated (${m} cores busy: ${who}; generator loop delay p99 ${p.generator.loopDelayP99Ms.toFixed(1)} ms${hub != null ? `, server hub p99 <=${hub} ms` : ''})`;
}
