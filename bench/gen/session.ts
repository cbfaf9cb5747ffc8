// The generator thread's entry, run by piscina: one long task per thread that holds its
// share of cameras, viewers and pollers until the runner says `quit`. It reports
// cumulative counters every second and, per window, what was offered and delivered,
// latency histograms, its own event loop utilisation and delay (was the generator the
// bottleneck?).
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { loadFrames } from '../../src/camera/frames.js';
import type { FrameSize } from '../../src/camera/frames.js';
import { BenchCamera } from './camera.js';
import type { CameraRow, FromGenerator, LoadSlice, SessionTask, ToGenerator, ViewerRow, WindowStats } from './messages.js';
import { SnapshotPoller, SnapshotTally } from './poller.js';
import { StampedFrames } from './stampedFrames.js';
import { GeneratorState, type Tally } from './state.js';
import { connectViewer, type BenchViewer } from './viewers.js';

const CONNECT_BATCH = 50;
/** monitorEventLoopDelay records whole timer intervals: the delay is what exceeds this. */
const LOOP_RESOLUTION_MS = 2;

/** Runs `fn` over `items`, `batch` at a time; returns the error messages. */
async function inBatches<T>(items: T[], batch: number, fn: (item: T) => Promise<unknown>): Promise<string[]> {
  const failed: string[] = [];
  for (let i = 0; i < items.length; i += batch) {
    const results = await Promise.allSettled(items.slice(i, i + batch).map(fn));
    for (const r of results) if (r.status === 'rejected') failed.push(String((r.reason as Error).message ?? r.reason));
  }
  return failed;
}

const rows = (map: Map<number, Tally>): ViewerRow[] => [...map].filter(([, t]) => t.viewers > 0).map(([i, t]) => [i, t.viewers, t.delivered, t.bytes]);

export default function session(task: SessionTask): Promise<void> {
  const { port, target, thread } = task;
  const state = new GeneratorState();
  const cameras: BenchCamera[] = [];
  const viewers: BenchViewer[] = [];
  const pollers: SnapshotPoller[] = [];
  const snapshots = new SnapshotTally();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  let elu = performance.eventLoopUtilization();
  const send = (msg: FromGenerator): void => port.postMessage(msg);
  const progress = setInterval(() => send({ type: 'progress', counters: { ...state.counters } }), 1000);

  const templates = new Map<FrameSize, StampedFrames>();
  const framesOf = (size: FrameSize): StampedFrames => {
    let f = templates.get(size);
    if (!f) templates.set(size, (f = new StampedFrames(loadFrames(size))));
    return f;
  };

  const add = async (id: number, slice: LoadSlice): Promise<void> => {
    const started = slice.cameras.map((spec) => new BenchCamera(spec, framesOf(spec.size), state));
    const failed = await inBatches(started, CONNECT_BATCH, async (cam) => {
      await cam.start(target);
      cameras.push(cam);
    });
    failed.push(...(await inBatches(slice.viewers, CONNECT_BATCH, async (spec) => viewers.push(await connectViewer(target, spec, state)))));
    for (const spec of slice.pollers) pollers.push(new SnapshotPoller(target, spec, agent, state, snapshots));
    send({ type: 'added', id, failed });
  };

  const measure = (id: number, from: number, to: number, settleMs: number): void => {
    state.openWindow(from, to);
    for (const cam of cameras) cam.resetWindow();
    snapshots.reset();
    const startIn = Math.max(0, from - (performance.timeOrigin + performance.now()));
    setTimeout(() => {
      loop.reset();
      elu = performance.eventLoopUtilization();
      setTimeout(() => {
        const used = performance.eventLoopUtilization(elu).utilization;
        const delayP99 = Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS);
        setTimeout(() => {
          const cams: CameraRow[] = cameras.map((c) => [c.spec.index, c.offered, c.sent, c.bytes]);
          const stats: WindowStats = {
            thread,
            cameras: cams,
            mjpeg: rows(state.tallies.mjpeg),
            ws: rows(state.tallies.ws),
            latency: { mjpeg: state.latency.mjpeg.toData(), ws: state.latency.ws.toData() },
            snapshots: snapshots.stats(),
            errors: { ...state.errors },
            elu: used,
            loopDelayP99Ms: delayP99,
          };
          send({ type: 'window', id, stats });
        }, settleMs);
      }, to - from);
    }, startIn);
  };

  return new Promise((resolve) => {
    port.on('message', (msg: ToGenerator) => {
      switch (msg.type) {
        case 'add':
          void add(msg.id, msg.slice);
          break;
        case 'status':
          send({ type: 'status', id: msg.id, cameras: cameras.map((c) => [c.spec.index, c.ready ? 1 : 0, c.connects]), viewers: viewers.map((v) => v.status()) });
          break;
        case 'window':
          measure(msg.id, msg.from, msg.to, msg.settleMs);
          break;
        case 'quit': {
          state.stopping = true;
          clearInterval(progress);
          loop.disable();
          for (const p of pollers) p.stop();
          for (const v of viewers) v.stop();
          for (const c of cameras) c.stop();
          agent.destroy();
          // Let the close frames go out before the task (and maybe the thread) ends.
          setTimeout(() => {
            port.close();
            resolve();
          }, 200);
          break;
        }
      }
    });
  });
}
