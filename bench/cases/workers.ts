// `workers`: the same fleet on framehub with 1 shard worker and with N (one per core),
// and on the single-threaded baseline: how CPU per frame and latency scale with shards.
import { availableParallelism } from 'node:os';
import { fmtRatio, ratio } from '../lib/format.js';
import { phaseRow } from '../lib/load.js';
import type { PhaseResult } from '../lib/measure.js';
import { describeFleet, fleetPart, fleetPlan, runFleetPhase } from './fleet.js';
import type { BenchCase } from './types.js';

export const workers: BenchCase = {
  name: 'workers',
  description: 'the fleet on framehub with 1 vs N shard workers (and the baseline)',
  async run(ctx) {
    const plan = fleetPlan(ctx, 10);
    const n = Math.max(2, availableParallelism());
    const phases: PhaseResult[] = [];
    if (ctx.targets.includes('framehub')) {
      for (const w of [1, n]) phases.push(await runFleetPhase(ctx, 'workers', 'framehub', { workers: w }, plan));
    }
    if (ctx.targets.includes('baseline')) phases.push(await runFleetPhase(ctx, 'workers', 'baseline', {}, plan));
    const w1 = phases.find((p) => p.target === 'framehub w1');
    const wn = phases.find((p) => p.target === `framehub w${n}`);
    const base = phases.find((p) => p.kind === 'baseline');
    const r = (a?: PhaseResult, b?: PhaseResult): string => fmtRatio(ratio(a?.server.cpuUsPerFrame, b?.server.cpuUsPerFrame));
    const line =
      `workers ${describeFleet(plan)} | ${phases.map(fleetPart).join(' | ')}` +
      ` | cpu per frame w${n}/w1 ${r(wn, w1)}, w1/baseline ${r(w1, base)}, w${n}/baseline ${r(wn, base)}` +
      `, p99 w${n}/w1 ${fmtRatio(ratio(wn?.latency.all.p99, w1?.latency.all.p99))}`;
    return {
      case: 'workers',
      line,
      data: { plan, workers: [1, n], phases, ratios: { cpuPerFrameNOver1: ratio(wn?.server.cpuUsPerFrame, w1?.server.cpuUsPerFrame), cpuPerFrame1OverBaseline: ratio(w1?.server.cpuUsPerFrame, base?.server.cpuUsPerFrame), cpuPerFrameNOverBaseline: ratio(wn?.server.cpuUsPerFrame, base?.server.cpuUsPerFrame) } },
      rows: phases.map((p) => phaseRow('workers', `${plan.cameras} cams`, p)),
    };
  },
};
