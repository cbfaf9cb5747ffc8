// Helpers every load case uses: run something against a started target (always stopped
// after), with a load generator (always closed after), and add a fleet of cameras with
// their viewers and snapshot pollers in one step.
import type { FrameSize } from '../../src/camera/frames.js';
import type { LoadSlice, ViewerSpec } from '../gen/messages.js';
import { LoadGenerator } from '../gen/pool.js';
import type { SummaryRow } from '../cases/types.js';
import { fmtMs } from './format.js';
import type { PhaseResult } from './measure.js';
import { Target, type TargetKind, type TargetOptions } from './target.js';

export async function withTarget<T>(kind: TargetKind, options: TargetOptions, fn: (t: Target) => Promise<T>): Promise<T> {
  const target = await Target.start(kind, options);
  try {
    return await fn(target);
  } catch (err) {
    (err as Error).message += `\n${target.label} log tail:\n${target.log().slice(-1500)}`;
    throw err;
  } finally {
    await target.stop();
  }
}

export async function withGenerator<T>(target: Target, threads: number, fn: (g: LoadGenerator) => Promise<T>): Promise<T> {
  const gen = new LoadGenerator(target.address, threads);
  try {
    return await fn(gen);
  } finally {
    await gen.close();
  }
}

interface FleetSlice {
  /** Room numbers [first, first + count). */
  first: number;
  count: number;
  fps: number;
  size: FrameSize;
  /** MJPEG viewers per camera. */
  mjpegPerCamera: number;
  /** WS viewers per camera. */
  wsPerCamera?: number;
  /** Extra WS viewers, one each on the first rooms of the slice. */
  wsViewers?: number;
  /** Poll every camera's frame.jpg this often (ms); 0 = no pollers. */
  pollEveryMs?: number;
  pollEtag?: boolean;
}

/** Mints keys, connects the cameras (until `ready`), then their viewers and pollers. */
export async function addFleet(target: Target, gen: LoadGenerator, s: FleetSlice): Promise<void> {
  const indexes = Array.from({ length: s.count }, (_, i) => s.first + i);
  const keys = await target.mintKeys(indexes);
  const viewers: ViewerSpec[] = [];
  for (const index of indexes) {
    for (let v = 0; v < s.mjpegPerCamera; v++) viewers.push({ index, transport: 'mjpeg' });
    for (let v = 0; v < (s.wsPerCamera ?? 0); v++) viewers.push({ index, transport: 'ws' });
  }
  for (let v = 0; v < (s.wsViewers ?? 0); v++) viewers.push({ index: indexes[v % indexes.length]!, transport: 'ws' });
  const slice: LoadSlice = {
    cameras: indexes.map((index, i) => ({ index, key: keys[i]!, fps: s.fps, size: s.size })),
    viewers: [],
    pollers: s.pollEveryMs ? indexes.map((index) => ({ index, intervalMs: s.pollEveryMs!, etag: s.pollEtag ?? false })) : [],
  };
  await gen.add(slice);
  await gen.add({ cameras: [], viewers, pollers: [] });
}

/** Adds `count` more viewers of one room. */
export async function addViewers(gen: LoadGenerator, index: number, count: number, transport: ViewerSpec['transport']): Promise<void> {
  await gen.add({ cameras: [], viewers: Array.from({ length: count }, () => ({ index, transport })), pollers: [] });
}

const pctText = (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)}%`);

export function phaseRow(name: string, load: string, p: PhaseResult): SummaryRow {
  return {
    case: name,
    target: p.target,
    load,
    delivered: pctText(p.deliveredPct.all),
    p50: fmtMs(p.latency.all.p50),
    p99: fmtMs(p.latency.all.p99),
    max: fmtMs(p.latency.all.max),
    cores: p.server.cores.toFixed(2),
    usPerFrame: p.server.cpuUsPerFrame?.toFixed(1) ?? '-',
    rss: `${Math.round(p.server.rssMB)} MB`,
  };
}
