// The runner's side of the load generator: a piscina pool with one long session task per
// thread, steered through a MessagePort each. Rooms are spread over threads by number
// (a room's camera and poller live on thread index % threads); viewers are dealt out
// round robin, so the many viewers of one room in `fanout` spread over every thread.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { CameraStatus, Counters, FromGenerator, LoadSlice, TargetAddress, ToGenerator, ViewerStatus, WindowStats } from './messages.js';

const REQUEST_TIMEOUT_MS = 180_000;

interface Pending {
  resolve: (msg: FromGenerator) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class LoadGenerator {
  readonly threads: number;
  readonly #pool: Piscina;
  readonly #ports: MessagePort[] = [];
  readonly #tasks: Promise<void>[] = [];
  readonly #counters: Counters[] = [];
  readonly #pending = new Map<string, Pending>();
  #nextId = 1;
  #viewerTurn = 0;
  #failure: Error | null = null;

  constructor(target: TargetAddress, threads: number) {
    this.threads = threads;
    this.#pool = new Piscina({
      filename: new URL('./session.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: 1,
      atomics: 'disabled',
      idleTimeout: 1000,
    });
    for (let t = 0; t < threads; t++) {
      const { port1, port2 } = new MessageChannel();
      this.#ports.push(port1);
      this.#counters.push({ cameras: 0, viewers: 0, framesSent: 0, mjpegParts: 0, wsFrames: 0, snapshots: 0, bytesSent: 0, bytesReceived: 0 });
      port1.on('message', (msg: FromGenerator) => this.#onMessage(t, msg));
      const task = this.#pool.run({ thread: t, target, port: port2 }, { transferList: [port2] }) as Promise<void>;
      task.catch((err: Error) => this.#fail(new Error(`generator thread ${t} failed: ${err.message}`)));
      this.#tasks.push(task);
    }
  }

  /** Sum of every thread's latest cumulative counters. */
  counters(): Counters {
    const sum = { ...this.#counters[0]! };
    for (const c of this.#counters.slice(1)) for (const k of Object.keys(sum) as (keyof Counters)[]) sum[k] += c[k];
    return sum;
  }

  #onMessage(thread: number, msg: FromGenerator): void {
    if (msg.type === 'progress') {
      this.#counters[thread] = msg.counters;
      return;
    }
    const key = `${thread}:${msg.id}`;
    const p = this.#pending.get(key);
    if (!p) return;
    this.#pending.delete(key);
    clearTimeout(p.timer);
    p.resolve(msg);
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const p of this.#pending.values()) (clearTimeout(p.timer), p.reject(err));
    this.#pending.clear();
  }

  #request(thread: number, make: (id: number) => ToGenerator): Promise<FromGenerator> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(`${thread}:${id}`);
        reject(new Error(`generator thread ${thread} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(`${thread}:${id}`, { resolve, reject, timer });
      this.#ports[thread]!.postMessage(make(id));
    });
  }

  /** Connects cameras (waiting for `ready`), then viewers, then starts pollers. Throws if any failed. */
  async add(slice: LoadSlice): Promise<void> {
    const parts: LoadSlice[] = Array.from({ length: this.threads }, () => ({ cameras: [], viewers: [], pollers: [] }));
    for (const c of slice.cameras) parts[c.index % this.threads]!.cameras.push(c);
    for (const p of slice.pollers) parts[p.index % this.threads]!.pollers.push(p);
    for (const v of slice.viewers) parts[this.#viewerTurn++ % this.threads]!.viewers.push(v);
    const answers = await Promise.all(parts.map((part, t) => this.#request(t, (id) => ({ type: 'add', id, slice: part }))));
    const failed = answers.flatMap((a) => (a.type === 'added' ? a.failed : []));
    if (failed.length) throw new Error(`${failed.length} connections failed, first: ${failed[0]}`);
  }

  /** Measures the window [from, to) (ms since epoch) and returns each thread's figures, `settleMs` after it ends. */
  async window(from: number, to: number, settleMs: number): Promise<WindowStats[]> {
    const answers = await Promise.all(this.#ports.map((_, t) => this.#request(t, (id) => ({ type: 'window', id, from, to, settleMs }))));
    return answers.map((a) => (a.type === 'window' ? a.stats : (null as never)));
  }

  /** Every camera's connection state and every viewer's newest frame, from all threads. */
  async status(): Promise<{ cameras: CameraStatus[]; viewers: ViewerStatus[] }> {
    const answers = await Promise.all(this.#ports.map((_, t) => this.#request(t, (id) => ({ type: 'status', id }))));
    return { cameras: answers.flatMap((a) => (a.type === 'status' ? a.cameras : [])), viewers: answers.flatMap((a) => (a.type === 'status' ? a.viewers : [])) };
  }

  async close(): Promise<void> {
    for (const port of this.#ports) port.postMessage({ type: 'quit' } satisfies ToGenerator);
    await Promise.allSettled(this.#tasks);
    for (const port of this.#ports) port.close();
    await this.#pool.destroy();
  }
}
