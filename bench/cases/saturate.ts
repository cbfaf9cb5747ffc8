// `saturate`: adds cameras (QVGA @ 8 fps, one MJPEG viewer each) in steps, 300 to 3,300 by
// 300. Each step is measured as three windows and graded on the median one: the windows
// ordered by criteria missed, then by end-to-end p99; the middle one must have delivery
// >= 99.9 % and p99 < 5 ms, so a step passes only when two of its three windows do. No
// best-of: every window is kept in the JSON. Reports per target the highest step passed,
// what made the next step miss (which criterion, and who was short of CPU) and where the
// climb ended. The plots are drawn from the saved JSON (bench/lib/resultPlots.ts).
import { availableParallelism } from 'node:os';
import { fmtMs, fmtRatio, ratio } from '../lib/format.js';
import { bottleneck, failedCriteria, HARD_LIMITS, SATURATE_CRITERIA } from '../lib/limits.js';
import { addFleet, phaseRow, withGenerator, withTarget } from '../lib/load.js';
import { measure, type PhaseResult } from '../lib/measure.js';
import type { TargetKind } from '../lib/target.js';
import { settleMs, windowMs, type BenchCase, type CaseContext } from './types.js';

/** Windows measured per step. */
const WINDOWS_PER_STEP = 3;

interface Step {
  cameras: number;
  passed: boolean;
  /** Every window measured at this step, in the order measured. */
  windows: PhaseResult[];
  /** Index in `windows` of the median window, which grades the step and gives its figures. */
  median: number;
  /** The criteria the median window missed, and who was short of CPU. */
  missed: string | null;
}

interface Climb {
  target: string;
  kind: TargetKind;
  /** Highest camera count whose median window passed (0 if none). */
  sustained: number;
  /** Why the step after `sustained` missed, or that there was none. */
  limit: string;
  /** Why the climb stopped where it did. */
  ended: string;
  steps: Step[];
}

interface Plan {
  counts: number[];
  warmupMs: number;
  durationMs: number;
  windowsPerStep: number;
}

/**
 * The median of a step's windows: ordered by how many criteria each missed, then by
 * end-to-end p99 (then by delivery, lower is worse); the middle one.
 */
export function medianWindow(windows: PhaseResult[]): number {
  const order = windows
    .map((w, i) => ({ i, failed: failedCriteria(w, SATURATE_CRITERIA).length, p99: w.latency.all.p99, delivered: w.deliveredPct.all ?? 0 }))
    .sort((a, b) => a.failed - b.failed || a.p99 - b.p99 || b.delivered - a.delivered);
  return order[Math.floor((order.length - 1) / 2)]!.i;
}

/** The median window's figures of a step. */
const stepResult = (s: Step): PhaseResult => s.windows[s.median]!;

/**
 * Climbs the camera counts on one target. The climb goes on past a miss, to draw the
 * curve, until the median window fails delivery or its p99 passes 50 ms.
 */
async function climb(ctx: CaseContext, kind: TargetKind, plan: Plan): Promise<Climb> {
  const serverThreads = kind === 'framehub' ? availableParallelism() : 1;
  const max = plan.counts.at(-1)!;
  return withTarget(kind, { rooms: max }, (target) =>
    withGenerator(target, ctx.genThreads, async (gen) => {
      ctx.progress.context(`saturate ${target.label}`);
      const bar = ctx.progress.counter(`climb to ${max} cameras`, plan.counts.length * plan.windowsPerStep, 'windows');
      const steps: Step[] = [];
      let ended = `after the last step (${max} cameras)`;
      let connected = 0;
      try {
        for (const cameras of plan.counts) {
          ctx.progress.context(`saturate ${target.label} ${cameras} cams`);
          bar.stage(`${cameras} cams`);
          ctx.progress.phase(`connecting ${cameras - connected} more cameras`);
          try {
            await addFleet(target, gen, { first: connected, count: cameras - connected, fps: 8, size: 'qvga', mjpegPerCamera: 1 });
          } catch (err) {
            ended = `connecting ${cameras} cameras failed: ${(err as Error).message.split('\n')[0]}`;
            break;
          }
          connected = cameras;
          const windows: PhaseResult[] = [];
          for (let w = 0; w < plan.windowsPerStep; w++) {
            const label = `window ${w + 1}/${plan.windowsPerStep}`;
            windows.push(await measure(gen, target, { warmupMs: w === 0 ? plan.warmupMs : 0, durationMs: plan.durationMs, settleMs: settleMs(ctx), label }, ctx.progress));
            bar.increment();
          }
          const median = medianWindow(windows);
          const failed = failedCriteria(windows[median]!, SATURATE_CRITERIA);
          const missed = failed.length ? `${failed.join(', ')}; ${bottleneck(windows[median]!, serverThreads)}` : null;
          const step: Step = { cameras, passed: !missed, windows, median, missed };
          steps.push(step);
          ctx.progress.phase(`${missed ? 'missed' : 'passed'} on the median window: ${windowsText(step)}`);
          const hard = failedCriteria(windows[median]!, HARD_LIMITS);
          if (hard.length) {
            ended = `at ${cameras} cameras: ${hard.join(', ')} (median window)`;
            break;
          }
        }
      } finally {
        bar.stop();
      }
      const sustained = Math.max(0, ...steps.filter((s) => s.passed).map((s) => s.cameras));
      const next = steps.find((s) => s.cameras > sustained && !s.passed);
      const limit = next ? `at ${next.cameras} (${windowsText(next)}): ${next.missed}` : 'no step missed';
      return { target: target.label, kind, sustained, limit, ended, steps };
    }),
  );
}

/** The three windows of a step in brief: p99 and delivery each, the median marked. */
function windowsText(s: Step): string {
  return `windows p99 ${s.windows.map((w, i) => `${i === s.median ? '[' : ''}${fmtMs(w.latency.all.p99)}${i === s.median ? ']' : ''}`).join(' / ')}, delivered ${s.windows.map((w) => `${(w.deliveredPct.all ?? 0).toFixed(2)}%`).join(' / ')}`;
}

function climbText(c: Climb): string {
  const at = c.steps.find((s) => s.cameras === c.sustained);
  const best = at ? stepResult(at) : null;
  const misses = c.steps.filter((s) => !s.passed && s.cameras < c.sustained).map((s) => s.cameras);
  return (
    `${c.target}: highest step passed ${c.sustained} cameras` +
    (best ? ` (median window: p99 ${fmtMs(best.latency.all.p99)}, cpu ${best.server.cores.toFixed(2)} cores, ${best.server.cpuUsPerFrame?.toFixed(1)} us/frame, rss ${Math.round(best.server.rssMB)} MB, ${best.gbePct.toFixed(0)}% of 1GbE)` : '') +
    (misses.length ? `, though ${misses.join(', ')} missed` : '') +
    `; next step ${c.limit}; climb ended ${c.ended}`
  );
}

function saturatePlan(ctx: CaseContext): Plan {
  const plan: Plan = ctx.smoke
    ? { counts: [2, 4], warmupMs: 300, durationMs: windowMs(ctx, 8, 0.5), windowsPerStep: WINDOWS_PER_STEP }
    : { counts: Array.from({ length: 11 }, (_, i) => 300 * (i + 1)), warmupMs: 2000, durationMs: windowMs(ctx, 8, 0.5), windowsPerStep: WINDOWS_PER_STEP };
  if (ctx.steps) plan.counts = [...ctx.steps].sort((a, b) => a - b);
  return plan;
}

export const saturate: BenchCase = {
  name: 'saturate',
  description: 'raise QVGA@8fps cameras (1 viewer each, 300..3300): 3 windows a step, passed on the median (delivered >= 99.9 %, p99 < 5 ms)',
  kinds: ['framehub', 'baseline', 'floor'],
  async run(ctx) {
    const plan = saturatePlan(ctx);
    const climbs: Climb[] = [];
    for (const kind of ctx.targets) climbs.push(await climb(ctx, kind, plan));
    const fh = climbs.find((c) => c.kind === 'framehub');
    const base = climbs.find((c) => c.kind === 'baseline');
    const line =
      `saturate QVGA@8fps + 1 mjpeg viewer per camera, ${plan.windowsPerStep} windows of ${plan.durationMs / 1000}s a step, pass = median window delivered >= ${SATURATE_CRITERIA.minDeliveredPct} % and e2e p99 < ${SATURATE_CRITERIA.maxP99Ms} ms | ${climbs.map(climbText).join(' | ')}` +
      (fh && base ? ` | framehub/baseline: max cameras ${fmtRatio(ratio(fh.sustained, base.sustained))}` : '');
    return {
      case: 'saturate',
      line,
      data: { plan, criteria: SATURATE_CRITERIA, hardLimits: HARD_LIMITS, grading: 'median of the step windows (ordered by criteria missed, then e2e p99)', climbs, ratios: { maxCameras: ratio(fh?.sustained, base?.sustained) } },
      rows: climbs.flatMap((c) => c.steps.map((s) => phaseRow('saturate', `${s.cameras} cams${s.passed ? '' : ' (miss)'}`, stepResult(s)))),
    };
  },
};
