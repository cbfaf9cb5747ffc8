// `saturate`: adds cameras (QVGA @ 8 fps, one MJPEG viewer each) in steps until delivery
// falls under 99.9 % or the end-to-end p99 passes 5 ms; reports the highest sustained
// count per target, what stopped it, and (with --save) an SVG of latency and CPU
// against camera count.
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fmtMs, fmtRatio, ratio } from '../lib/format.js';
import { bottleneck, failedCriteria, HARD_LIMITS, SATURATE_CRITERIA } from '../lib/limits.js';
import { addFleet, phaseRow, withGenerator, withTarget } from '../lib/load.js';
import { measure, type PhaseResult } from '../lib/measure.js';
import { saturatePlot } from '../lib/plot.js';
import type { TargetKind } from '../lib/target.js';
import { windowMs, type BenchCase, type CaseContext } from './types.js';

interface Climb {
  target: string;
  kind: TargetKind;
  /** Highest camera count before the first step that missed a criterion (0 if none). */
  sustained: number;
  /** Highest camera count before delivery first fell under 99.9 % (latency aside). */
  deliverySustained: number;
  limit: string;
  steps: { cameras: number; passed: boolean; retried: boolean; result: PhaseResult }[];
}

interface Plan {
  counts: number[];
  warmupMs: number;
  durationMs: number;
}

/**
 * Climbs the camera counts. A step that misses a criterion is measured once more (this
 * machine is shared and noisy) and fails only if the second window misses too. The climb
 * goes on past the latency criterion, to draw the curve, until the hard limits.
 */
async function climb(ctx: CaseContext, kind: TargetKind, plan: Plan): Promise<Climb> {
  const serverThreads = kind === 'baseline' ? 1 : availableParallelism();
  const max = plan.counts.at(-1)!;
  return withTarget(kind, { rooms: max }, (target) =>
    withGenerator(target, ctx.genThreads, async (gen) => {
      const out: Climb = { target: target.label, kind, sustained: 0, deliverySustained: 0, limit: `not reached by ${max} cameras (the last step)`, steps: [] };
      let connected = 0;
      let failedAt: number | null = null;
      for (const cameras of plan.counts) {
        ctx.progress.context(`saturate ${target.label} ${cameras} cams`);
        ctx.progress.phase(`connecting ${cameras - connected} more cameras`);
        try {
          await addFleet(target, gen, { first: connected, count: cameras - connected, fps: 8, size: 'qvga', mjpegPerCamera: 1 });
        } catch (err) {
          out.limit = `connecting ${cameras} cameras failed: ${(err as Error).message.split('\n')[0]}`;
          break;
        }
        connected = cameras;
        const window = { warmupMs: plan.warmupMs, durationMs: plan.durationMs };
        let result = await measure(gen, target, window, ctx.progress);
        let failed = failedCriteria(result, SATURATE_CRITERIA);
        let retried = false;
        if (failed.length) {
          ctx.progress.phase(`missed (${failed.join(', ')}): measuring again`);
          const again = await measure(gen, target, { ...window, warmupMs: 0 }, ctx.progress);
          const failedAgain = failedCriteria(again, SATURATE_CRITERIA);
          retried = true;
          if (failedAgain.length <= failed.length) [result, failed] = [again, failedAgain];
        }
        out.steps.push({ cameras, passed: failed.length === 0, retried, result });
        if (failed.length && failedAt === null) {
          failedAt = cameras;
          out.limit = `at ${cameras}: ${failed.join(', ')}; ${bottleneck(result, serverThreads)}`;
        }
        if (failedAt === null) out.sustained = cameras;
        const hard = failedCriteria(result, HARD_LIMITS);
        if (hard.some((f) => f.startsWith('delivered'))) break;
        out.deliverySustained = cameras;
        if (hard.length) break;
      }
      return out;
    }),
  );
}

const COLORS: Record<TargetKind, string> = { framehub: '#1f6feb', baseline: '#d97706' };

export const saturate: BenchCase = {
  name: 'saturate',
  description: 'raise QVGA@8fps cameras (1 viewer each) until delivery < 99.9 % or p99 > 5 ms',
  async run(ctx) {
    const plan: Plan = ctx.smoke
      ? { counts: [2, 4], warmupMs: 300, durationMs: windowMs(ctx, 8, 1) }
      : { counts: [150, 300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000], warmupMs: 2000, durationMs: windowMs(ctx, 8, 1) };
    const climbs: Climb[] = [];
    for (const kind of ctx.targets) climbs.push(await climb(ctx, kind, plan));
    const fh = climbs.find((c) => c.kind === 'framehub');
    const base = climbs.find((c) => c.kind === 'baseline');
    const part = (c: Climb): string => {
      const best = c.steps.filter((s) => s.passed).at(-1)?.result;
      return (
        `${c.target}: sustained ${c.sustained} cameras (delivery alone: ${c.deliverySustained})` +
        (best ? ` (p99 ${fmtMs(best.latency.all.p99)}, cpu ${best.server.cores.toFixed(2)} cores, ${best.server.cpuUsPerFrame?.toFixed(1)} us/frame, rss ${Math.round(best.server.rssMB)} MB, ${best.gbePct.toFixed(0)}% of 1GbE)` : '') +
        `, limited by: ${c.limit}`
      );
    };
    const line =
      `saturate QVGA@8fps + 1 mjpeg viewer per camera, criteria delivered >= 99.9 % and e2e p99 <= 5 ms | ${climbs.map(part).join(' | ')}` +
      (fh && base ? ` | framehub/baseline: max cameras ${fmtRatio(ratio(fh.sustained, base.sustained))} (delivery alone ${fmtRatio(ratio(fh.deliverySustained, base.deliverySustained))})` : '');
    if (ctx.saveDir) {
      const series = (pick: (p: PhaseResult) => number) =>
        climbs.map((c) => ({ name: c.target, color: COLORS[c.kind], points: c.steps.map((s) => ({ x: s.cameras, y: pick(s.result) })) }));
      const svg = saturatePlot(series((p) => p.latency.all.p99), series((p) => p.server.cores), `framehub bench saturate, ${new Date().toISOString().slice(0, 10)}, ${availableParallelism()} cores, ${ctx.genThreads} generator threads on the same machine`);
      writeFileSync(path.join(ctx.saveDir, 'saturate.svg'), svg);
    }
    return {
      case: 'saturate',
      line,
      data: {
        plan,
        criteria: SATURATE_CRITERIA,
        climbs: climbs.map((c) => ({ target: c.target, sustained: c.sustained, deliverySustained: c.deliverySustained, limit: c.limit, steps: c.steps })),
        ratios: { maxCameras: ratio(fh?.sustained, base?.sustained), maxCamerasByDelivery: ratio(fh?.deliverySustained, base?.deliverySustained) },
      },
      rows: climbs.flatMap((c) => c.steps.map((s) => phaseRow('saturate', `${s.cameras} cams${s.passed ? '' : ' (fail)'}`, s.result))),
    };
  },
};
