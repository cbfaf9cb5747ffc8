// Thread entry for the `slots` case: a producer or a consumer of frames, handing them
// over by one of three mechanisms (framehub's shared slot + doorbell, postMessage with a
// copy, postMessage with a transferred ArrayBuffer) in one of two patterns:
// - handoff: one frame at a time; the consumer acknowledges through shared memory and
//   the producer waits for it (Atomics.wait), so the time per frame is a round trip;
// - burst: the producer sends every frame back to back; the consumer takes what it gets
//   (the slot keeps only the latest frame, so it may skip; postMessage queues them all).
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Doorbell, FrameArena, type ArenaLayout } from '../../src/slots.js';

export type Mechanism = 'slot' | 'copy' | 'transfer';
export type Pattern = 'handoff' | 'burst';

export interface SlotsWorkerData {
  role: 'producer' | 'consumer';
  mechanism: Mechanism;
  pattern: Pattern;
  frame: Uint8Array;
  frames: number;
  warmup: number;
  /** Int32 [ack, done] + Float64 [t0, t1] at byte 8. */
  control: SharedArrayBuffer;
  arenas: SharedArrayBuffer[];
  layout: ArenaLayout;
  bell: SharedArrayBuffer;
  port: MessagePort;
}

export interface SlotsResult {
  received: number;
  bad: number;
}

const SLOT = 0;
const CONN = 1;
const ACK = 0;

const d = workerData as SlotsWorkerData;
const ctl = new Int32Array(d.control, 0, 2);
const times = new Float64Array(d.control, 8, 2);
const arena = new FrameArena(d.arenas, d.layout);
const bell = new Doorbell(d.bell, arena.totalSlots);
const now = (): number => performance.timeOrigin + performance.now();

function send(seq: number): void {
  if (d.mechanism === 'slot') {
    arena.publish(SLOT, CONN, d.frame, seq);
    bell.ring(1, SLOT);
  } else if (d.mechanism === 'copy') {
    d.port.postMessage({ seq, frame: d.frame });
  } else {
    const buf = new ArrayBuffer(d.frame.length);
    new Uint8Array(buf).set(d.frame);
    d.port.postMessage({ seq, frame: buf }, [buf]);
  }
}

function produce(): void {
  const total = d.warmup + d.frames;
  for (let i = 1; i <= total; i++) {
    if (i === d.warmup + 1) times[0] = now();
    send(i);
    if (d.pattern === 'handoff') while (Atomics.load(ctl, ACK) < i) Atomics.wait(ctl, ACK, i - 1, 1000);
  }
  if (d.pattern === 'handoff') times[1] = now();
  parentPort!.postMessage({ received: 0, bad: 0 } satisfies SlotsResult);
}

function consume(): void {
  const total = d.warmup + d.frames;
  const scratch = new Uint8Array(d.layout.slotBytes);
  let received = 0;
  let bad = 0;
  let finished = false;
  // A pending Atomics.waitAsync does not keep a thread alive; this does, until the end.
  const keepAlive = setInterval(() => {}, 1000);
  let stop = (): void => {};
  const got = (seq: number, bytes: Uint8Array, length: number): void => {
    if (length !== d.frame.length || bytes[length - 1] !== d.frame[length - 1] || bytes[0] !== d.frame[0]) bad++;
    if (seq > d.warmup) received++;
    if (d.pattern === 'handoff') {
      Atomics.store(ctl, ACK, seq);
      Atomics.notify(ctl, ACK);
    }
    if (seq === total && !finished) {
      finished = true;
      if (d.pattern === 'burst') times[1] = now();
      stop();
      clearInterval(keepAlive);
      parentPort!.postMessage({ received, bad } satisfies SlotsResult);
    }
  };
  if (d.mechanism === 'slot') {
    let last = 0;
    stop = bell.listen(1, () =>
      bell.drain(1, () => {
        const meta = arena.readLatest(SLOT, scratch);
        if (meta && meta.seq !== last) {
          last = meta.seq;
          got(meta.receivedAt, scratch, meta.length);
        }
      }),
    );
  } else {
    d.port.on('message', (m: { seq: number; frame: Uint8Array | ArrayBuffer }) => {
      const bytes = m.frame instanceof ArrayBuffer ? new Uint8Array(m.frame) : m.frame;
      got(m.seq, bytes, bytes.length);
    });
    stop = () => d.port.close();
  }
  parentPort!.postMessage('ready');
}

if (d.role === 'producer') produce();
else consume();
