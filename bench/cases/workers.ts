// `workers`: the fleet profile (600 QVGA cameras @ 8 fps, an MJPEG viewer each) on framehub
// with FRAMEHUB_WORKERS=1, with its default worker count (one per core) and accept balancing
// (FRAMEHUB_ACCEPT=balanced: one worker accepts while it has headroom), and with the default
// count and FRAMEHUB_ACCEPT=all (the kernel spreads connections at random over every
// worker, so about half the frames cross threads): what a second worker costs per frame,
// and what spreading costs. Then the baseline (and the floor, if asked for).
import { availableParallelism } from 'node:os';
import { fmtRatio, ratio } from '../lib/format.js';
import { phaseRow } from '../lib/load.js';
import type { PhaseResult } from '../lib/measure.js';
import { describeFleet, fleetPart, fleetPlan, runFleetPhase, userUsPerFrame } from './fleet.js';
import type { BenchCase } from './types.js';

/** The issue 17 goal: a second worker costs at most this multiple of one worker's CPU per frame. */
const SECOND_WORKER_GOAL = 1.1;

export const workers: BenchCase = {
  name: 'workers',
  description: 'the fleet on framehub with 1 worker, the default N (accept balanced) and N with FRAMEHUB_ACCEPT=all; the baseline',
  kinds: ['framehub', 'baseline', 'floor'],
  async run(ctx) {
    const plan = fleetPlan(ctx, 10);
    const n = Math.min(32, availableParallelism());
    const labels = { one: 'framehub w1', default: `framehub w${n}`, all: `framehub w${n} accept=all` };
    const phases: PhaseResult[] = [];
    if (ctx.targets.includes('framehub')) {
      phases.push(await runFleetPhase(ctx, 'workers', 'framehub', { workers: 1, label: labels.one }, plan));
      // The server's own default: no FRAMEHUB_WORKERS, no FRAMEHUB_ACCEPT.
      phases.push(await runFleetPhase(ctx, 'workers', 'framehub', { label: labels.default }, plan));
      phases.push(await runFleetPhase(ctx, 'workers', 'framehub', { label: labels.all, env: { FRAMEHUB_ACCEPT: 'all' } }, plan));
    }
    for (const kind of ctx.targets.filter((k) => k !== 'framehub')) phases.push(await runFleetPhase(ctx, 'workers', kind, {}, plan));
    const w1 = phases.find((p) => p.target === labels.one);
    const wn = phases.find((p) => p.target === labels.default);
    const all = phases.find((p) => p.target === labels.all);
    const base = phases.find((p) => p.kind === 'baseline');
    const us = (p?: PhaseResult): string => (p?.server.cpuUsPerFrame == null ? '-' : `${p.server.cpuUsPerFrame.toFixed(1)} us`);
    const r = (a?: PhaseResult, b?: PhaseResult): string => fmtRatio(ratio(a?.server.cpuUsPerFrame, b?.server.cpuUsPerFrame));
    const secondWorker = ratio(wn?.server.cpuUsPerFrame, w1?.server.cpuUsPerFrame);
    const line =
      `workers ${describeFleet(plan)} | ${phases.map((p) => fleetPart(p)).join(' | ')}` +
      (w1 && wn
        ? ` | cpu per frame: 1 worker ${us(w1)}, default ${n} workers ${us(wn)}: w${n}/w1 ${fmtRatio(secondWorker)} (goal <= ${SECOND_WORKER_GOAL}x: ${secondWorker !== null && secondWorker <= SECOND_WORKER_GOAL ? 'met' : 'not met'})` +
          `, accept=all ${us(all)}: all/balanced ${r(all, wn)}, all/w1 ${r(all, w1)}`
        : '') +
      (base ? `; w1/baseline ${r(w1, base)}, w${n}/baseline ${r(wn, base)}, accept=all/baseline ${r(all, base)}` : '') +
      `; p99 w${n}/w1 ${fmtRatio(ratio(wn?.latency.all.p99, w1?.latency.all.p99))}`;
    return {
      case: 'workers',
      line,
      data: {
        plan,
        workers: [1, n],
        labels,
        phases,
        ratios: {
          cpuPerFrameNOver1: secondWorker,
          userCpuPerFrameNOver1: wn && w1 ? ratio(userUsPerFrame(wn), userUsPerFrame(w1)) : null,
          cpuPerFrameAllOverBalanced: ratio(all?.server.cpuUsPerFrame, wn?.server.cpuUsPerFrame),
          cpuPerFrameAllOver1: ratio(all?.server.cpuUsPerFrame, w1?.server.cpuUsPerFrame),
          cpuPerFrame1OverBaseline: ratio(w1?.server.cpuUsPerFrame, base?.server.cpuUsPerFrame),
          cpuPerFrameNOverBaseline: ratio(wn?.server.cpuUsPerFrame, base?.server.cpuUsPerFrame),
          cpuPerFrameAllOverBaseline: ratio(all?.server.cpuUsPerFrame, base?.server.cpuUsPerFrame),
        },
        secondWorkerGoal: SECOND_WORKER_GOAL,
      },
      rows: phases.map((p) => phaseRow('workers', `${plan.cameras} cams`, p)),
    };
  },
};
