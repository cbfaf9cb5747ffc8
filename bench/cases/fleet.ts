// `fleet`: the CCTV profile a node is sized for. 600 cameras QVGA @ 8 fps, one MJPEG
// viewer per camera (an NVR), 30 WS viewers (web players), and the dashboard polling
// every camera's frame.jpg every 2 s; raced against the tutorial baseline (and the bare
// uWS floor with --target ...,floor). First the loopback floor (iperf3) is measured, and
// each server's CPU per GB moved is given as a multiple of it.
import { fmtMBps, fmtRatio, ratio } from '../lib/format.js';
import { addFleet, phaseRow, withGenerator, withTarget } from '../lib/load.js';
import { floorMultiple, floorText, measureLoopbackFloor, type LoopbackFloor } from '../lib/loopbackFloor.js';
import { measure, phaseSummary, type PhaseResult } from '../lib/measure.js';
import type { TargetKind, TargetOptions } from '../lib/target.js';
import { settleMs, windowMs, type BenchCase, type CaseContext } from './types.js';

interface FleetPlan {
  cameras: number;
  wsViewers: number;
  pollEveryMs: number;
  warmupMs: number;
  durationMs: number;
}

export function fleetPlan(ctx: CaseContext, fullWindowSec = 20): FleetPlan {
  return ctx.smoke
    ? { cameras: 6, wsViewers: 2, pollEveryMs: 500, warmupMs: 500, durationMs: windowMs(ctx, fullWindowSec, 1) }
    : { cameras: 600, wsViewers: 30, pollEveryMs: 2000, warmupMs: 3000, durationMs: windowMs(ctx, fullWindowSec, 2) };
}

export const describeFleet = (p: FleetPlan): string => `${p.cameras} cams QVGA@8fps, ${p.cameras} mjpeg + ${p.wsViewers} ws viewers, frame.jpg every ${p.pollEveryMs / 1000}s`;

/** Starts the target, connects the fleet, measures one window, stops everything. */
export function runFleetPhase(ctx: CaseContext, name: string, kind: TargetKind, options: TargetOptions, plan: FleetPlan): Promise<PhaseResult> {
  return withTarget(kind, { ...options, rooms: plan.cameras }, (target) =>
    withGenerator(target, ctx.genThreads, async (gen) => {
      ctx.progress.context(`${name} ${target.label}`);
      ctx.progress.phase(`connecting ${plan.cameras} cameras and their viewers`);
      await addFleet(target, gen, { first: 0, count: plan.cameras, fps: 8, size: 'qvga', mjpegPerCamera: 1, wsViewers: plan.wsViewers, pollEveryMs: plan.pollEveryMs });
      ctx.progress.phase(`measuring ${plan.durationMs / 1000}s`);
      return measure(gen, target, { warmupMs: plan.warmupMs, durationMs: plan.durationMs, settleMs: settleMs(ctx) }, ctx.progress);
    }),
  );
}

/** Measures the loopback floor before a case's phases (5 s; 1 s in smoke runs), saying so on the progress display. */
async function loopbackFloorFor(ctx: CaseContext, name: string): Promise<LoopbackFloor> {
  ctx.progress.context(name);
  ctx.progress.phase('measuring the loopback floor (iperf3)');
  const floor = await measureLoopbackFloor(ctx.smoke ? 1 : 5);
  ctx.progress.phase(floorText(floor));
  return floor;
}

/** CPU per GB moved and its multiple of the loopback floor. */
function perGbPart(p: PhaseResult, floor: LoopbackFloor | null): string {
  const cs = p.server.coreSecondsPerGB;
  if (cs == null) return '';
  const m = floorMultiple(cs, floor);
  return `, ${cs.toFixed(2)} core-s/GB in+out${m === null ? '' : ` (${m.toFixed(1)}x floor)`}`;
}

/** A target's part of a fleet-like line. */
export function fleetPart(p: PhaseResult, floor: LoopbackFloor | null = null): string {
  return (
    `${p.target}: ${phaseSummary(p)}${perGbPart(p, floor)}, in ${fmtMBps(p.bytesInPerSec)} out ${fmtMBps(p.bytesOutPerSec)} (${p.gbePct.toFixed(0)}% of 1GbE)` +
    `, snap ${p.snapshots.perSec.toFixed(0)}/s p99 ${p.snapshots.latency.p99.toFixed(1)} ms fail ${p.snapshots.failed}` +
    `, gen ${p.generator.cores.toFixed(2)} cores (elu max ${p.generator.eluMax.toFixed(2)}), machine ${p.machine.busyCores.toFixed(2)}/${p.machine.cores} busy`
  );
}

/** CPU per delivered frame spent in user space (the part the server's code controls). */
export const userUsPerFrame = (p: PhaseResult): number | null => (p.server.cpuUsPerFrame === null ? null : p.server.cpuUsPerFrame - (p.server.sysUsPerFrame ?? 0));

function ratioPart(fh: PhaseResult | undefined, base: PhaseResult | undefined): string {
  if (!fh || !base) return '';
  return (
    ` | framehub/baseline: cpu per frame ${fmtRatio(ratio(fh.server.cpuUsPerFrame, base.server.cpuUsPerFrame))} (user space ${fmtRatio(ratio(userUsPerFrame(fh), userUsPerFrame(base)))})` +
    `, p99 ${fmtRatio(ratio(fh.latency.all.p99, base.latency.all.p99))}, rss ${fmtRatio(ratio(fh.server.rssMB, base.server.rssMB))}`
  );
}

export const fleet: BenchCase = {
  name: 'fleet',
  description: '600 cameras QVGA@8fps, an MJPEG viewer each, 30 WS viewers, dashboard snapshots every 2 s; CPU per GB against the loopback floor (iperf3)',
  kinds: ['framehub', 'baseline', 'floor'],
  async run(ctx) {
    const plan = fleetPlan(ctx);
    const loopbackFloor = await loopbackFloorFor(ctx, 'fleet');
    const phases: PhaseResult[] = [];
    for (const kind of ctx.targets) phases.push(await runFleetPhase(ctx, 'fleet', kind, {}, plan));
    const fh = phases.find((p) => p.kind === 'framehub');
    const base = phases.find((p) => p.kind === 'baseline');
    const uws = phases.find((p) => p.kind === 'floor');
    const overUws = fh && uws ? ` | framehub/floor: cpu per frame ${fmtRatio(ratio(fh.server.cpuUsPerFrame, uws.server.cpuUsPerFrame))} (user space ${fmtRatio(ratio(userUsPerFrame(fh), userUsPerFrame(uws)))})` : '';
    const line = `fleet ${describeFleet(plan)} | ${phases.map((p) => fleetPart(p, loopbackFloor)).join(' | ')}${ratioPart(fh, base)}${overUws} | ${floorText(loopbackFloor)}`;
    const floorMultiples = Object.fromEntries(phases.map((p) => [p.target, floorMultiple(p.server.coreSecondsPerGB, loopbackFloor)]));
    return {
      case: 'fleet',
      line,
      data: {
        plan,
        loopbackFloor,
        floorMultiples,
        phases,
        ratios: fh && base ? { cpuPerFrame: ratio(fh.server.cpuUsPerFrame, base.server.cpuUsPerFrame), userCpuPerFrame: ratio(userUsPerFrame(fh), userUsPerFrame(base)), p99: ratio(fh.latency.all.p99, base.latency.all.p99) } : null,
        ratiosOverFloorTarget: fh && uws ? { cpuPerFrame: ratio(fh.server.cpuUsPerFrame, uws.server.cpuUsPerFrame), userCpuPerFrame: ratio(userUsPerFrame(fh), userUsPerFrame(uws)) } : null,
      },
      rows: phases.map((p) => phaseRow('fleet', `${plan.cameras} cams`, p)),
    };
  },
};
