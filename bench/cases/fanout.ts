// `fanout`: one VGA camera at 15 fps watched by more and more MJPEG viewers (100, 500,
// 1000): frames per second each viewer gets, end-to-end latency and server CPU, raced
// against the baseline. framehub runs with FRAMEHUB_MAX_FPS=20 so that a camera sending
// exactly 15 fps is never near the token bucket's limit.
import { fmtMBps, fmtMs, fmtRatio, ratio } from '../lib/format.js';
import { addFleet, addViewers, phaseRow, withGenerator, withTarget } from '../lib/load.js';
import { measure, type PhaseResult } from '../lib/measure.js';
import type { TargetKind } from '../lib/target.js';
import { settleMs, windowMs, type BenchCase, type CaseContext } from './types.js';

const FPS = 15;

interface Step {
  viewers: number;
  fpsPerViewer: number;
  result: PhaseResult;
}

async function run(ctx: CaseContext, kind: TargetKind, counts: number[], warmupMs: number, durationMs: number): Promise<{ target: string; steps: Step[] }> {
  return withTarget(kind, { env: { FRAMEHUB_MAX_FPS: '20' } }, (target) =>
    withGenerator(target, ctx.genThreads, async (gen) => {
      ctx.progress.context(`fanout ${target.label}`);
      await addFleet(target, gen, { first: 0, count: 1, fps: FPS, size: 'vga', mjpegPerCamera: 0 });
      const steps: Step[] = [];
      let viewers = 0;
      for (const n of counts) {
        ctx.progress.context(`fanout ${target.label} ${n} viewers`);
        ctx.progress.phase(`connecting ${n - viewers} more viewers`);
        await addViewers(gen, 0, n - viewers, 'mjpeg');
        viewers = n;
        const result = await measure(gen, target, { warmupMs, durationMs, settleMs: settleMs(ctx) }, ctx.progress);
        steps.push({ viewers: n, fpsPerViewer: result.delivered.mjpeg / n / result.seconds, result });
      }
      return { target: target.label, steps };
    }),
  );
}

const stepText = (s: Step): string =>
  `${s.viewers} viewers ${s.fpsPerViewer.toFixed(2)} fps each, p50 ${fmtMs(s.result.latency.all.p50)} p99 ${fmtMs(s.result.latency.all.p99)}, cpu ${s.result.server.cores.toFixed(2)} cores (${s.result.server.cpuUsPerFrame?.toFixed(1)} us/frame), out ${fmtMBps(s.result.bytesOutPerSec)}`;

export const fanout: BenchCase = {
  name: 'fanout',
  description: 'one VGA camera at 15 fps to 100, 500 and 1000 MJPEG viewers',
  async run(ctx) {
    const counts = ctx.steps ? [...ctx.steps].sort((a, b) => a - b) : ctx.smoke ? [2, 4] : [100, 500, 1000];
    const warmupMs = ctx.smoke ? 300 : 2000;
    const durationMs = windowMs(ctx, 8, 1);
    const runs: { target: string; steps: Step[] }[] = [];
    for (const kind of ctx.targets) runs.push(await run(ctx, kind, counts, warmupMs, durationMs));
    const fh = runs.find((r) => r.target === 'framehub')?.steps.at(-1);
    const base = runs.find((r) => r.target === 'baseline')?.steps.at(-1);
    const line =
      `fanout 1 camera VGA@${FPS}fps to MJPEG viewers | ${runs.map((r) => `${r.target}: ${r.steps.map(stepText).join('; ')}`).join(' | ')}` +
      (fh && base ? ` | framehub/baseline at ${fh.viewers} viewers: cpu per frame ${fmtRatio(ratio(fh.result.server.cpuUsPerFrame, base.result.server.cpuUsPerFrame))}, p99 ${fmtRatio(ratio(fh.result.latency.all.p99, base.result.latency.all.p99))}, fps ${fmtRatio(ratio(fh.fpsPerViewer, base.fpsPerViewer))}` : '');
    return {
      case: 'fanout',
      line,
      data: { fps: FPS, counts, runs },
      rows: runs.flatMap((r) => r.steps.map((s) => phaseRow('fanout', `${s.viewers} viewers`, s.result))),
    };
  },
};
