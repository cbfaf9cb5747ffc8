// `slots`: how fast a frame crosses threads, framehub's way (copy into a shared slot,
// ring the doorbell, the reader copies it out) against postMessage with a structured-clone
// copy and postMessage with a transferred ArrayBuffer. No server: two worker threads.
import { Worker, MessageChannel } from 'node:worker_threads';
import { loadFrames, type FrameSize } from '../../src/camera/frames.js';
import { createArenas, Doorbell, FrameArena, type ArenaLayout } from '../../src/slots.js';
import { fmtRatio, ratio } from '../lib/format.js';
import type { Mechanism, Pattern, SlotsResult, SlotsWorkerData } from '../slots/worker.js';
import type { BenchCase, CaseContext } from './types.js';

const WORKER = new URL('../slots/worker.js', import.meta.url);
const MECHANISMS: Mechanism[] = ['slot', 'copy', 'transfer'];
const PATTERNS: Pattern[] = ['handoff', 'burst'];

interface Run {
  size: FrameSize;
  bytes: number;
  mechanism: Mechanism;
  pattern: Pattern;
  frames: number;
  nsPerFrame: number;
  deliveredPct: number;
  bad: number;
}

function onceMessage<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`slots worker exited with ${code}`)));
  });
}

async function runOne(size: FrameSize, mechanism: Mechanism, pattern: Pattern, frames: number, warmup: number): Promise<Run> {
  const sample = loadFrames(size)[0]!;
  const frame = new Uint8Array(sample); // its own ArrayBuffer, so a clone copies only the frame
  const layout: ArenaLayout = { arenas: 1, slotsPerArena: 1, slotBytes: 64 * 1024 };
  const arenas = createArenas(layout);
  const arena = new FrameArena(arenas, layout);
  arena.resetSlot(0);
  arena.setOwner(0, 1);
  const bell = new SharedArrayBuffer(Doorbell.byteLength(2, arena.totalSlots));
  const control = new SharedArrayBuffer(8 + 16);
  const { port1, port2 } = new MessageChannel();
  const base = { mechanism, pattern, frame, frames, warmup, control, arenas, layout, bell };
  const consumer = new Worker(WORKER, { workerData: { ...base, role: 'consumer', port: port2 } satisfies SlotsWorkerData, transferList: [port2] });
  try {
    await onceMessage<string>(consumer);
    const done = onceMessage<SlotsResult>(consumer);
    const producer = new Worker(WORKER, { workerData: { ...base, role: 'producer', port: port1 } satisfies SlotsWorkerData, transferList: [port1] });
    const [result] = await Promise.all([done, onceMessage<SlotsResult>(producer)]);
    await producer.terminate();
    const times = new Float64Array(control, 8, 2);
    return { size, bytes: frame.length, mechanism, pattern, frames, nsPerFrame: ((times[1]! - times[0]!) * 1e6) / frames, deliveredPct: (100 * result.received) / frames, bad: result.bad };
  } finally {
    await consumer.terminate();
  }
}

function describe(runs: Run[], size: FrameSize): string {
  const pick = (m: Mechanism, p: Pattern): Run => runs.find((r) => r.size === size && r.mechanism === m && r.pattern === p)!;
  const ns = (n: number): string => (n >= 1000 ? `${(n / 1000).toFixed(1)} us` : `${Math.round(n)} ns`);
  const parts = MECHANISMS.map((m) => {
    const h = pick(m, 'handoff');
    const b = pick(m, 'burst');
    return `${m} ${ns(h.nsPerFrame)} / ${ns(b.nsPerFrame)} (${b.deliveredPct.toFixed(0)}%)`;
  });
  return `${size} ${(pick('slot', 'handoff').bytes / 1024).toFixed(1)} KB: ${parts.join(', ')}; copy/slot ${fmtRatio(ratio(pick('copy', 'handoff').nsPerFrame, pick('slot', 'handoff').nsPerFrame))}, transfer/slot ${fmtRatio(ratio(pick('transfer', 'handoff').nsPerFrame, pick('slot', 'handoff').nsPerFrame))}`;
}

export const slots: BenchCase = {
  name: 'slots',
  description: 'shared slot + doorbell vs postMessage copy vs transfer between threads, per frame',
  async run(ctx: CaseContext) {
    const handoff = ctx.smoke ? 300 : 20_000;
    const burst = ctx.smoke ? 300 : 5_000;
    const runs: Run[] = [];
    for (const size of ['qvga', 'vga'] as FrameSize[]) {
      for (const mechanism of MECHANISMS) {
        for (const pattern of PATTERNS) {
          ctx.progress.context(`slots ${size} ${mechanism} ${pattern}`);
          ctx.progress.status('running');
          const n = pattern === 'handoff' ? handoff : burst;
          runs.push(await runOne(size, mechanism, pattern, n, Math.ceil(n / 10)));
        }
      }
    }
    const bad = runs.reduce((a, r) => a + r.bad, 0);
    const line = `slots per frame, handoff round trip / burst (delivered; the slot keeps only the latest): ${describe(runs, 'qvga')}; ${describe(runs, 'vga')}${bad ? `; ${bad} BAD FRAMES` : ''}`;
    return {
      case: 'slots',
      line,
      data: { runs },
      rows: [],
    };
  },
};
