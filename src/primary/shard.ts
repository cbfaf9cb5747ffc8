// One shard worker as the primary sees it: spawn, typed messages, numbered requests with
// timeouts (all rejected with `worker_gone` when the thread dies), and a graceful stop.
// A worker with a live uWS App is never terminate()d (that aborts the process): it is
// asked to shut down and exits on its own.
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { RequestChannel } from '../channel.js';
import { ConfigError } from '../errors.js';
import type { PrimaryRequest, ToPrimary, ToWorker, WorkerInit } from '../protocol.js';
import type { Logger } from '../telemetry.js';

export interface ShardEvents {
  /** Any message other than replies (requests, camera events). */
  message(shard: Shard, msg: Exclude<ToPrimary, { type: 'reply' } | { type: 'listening' }>): void;
  /** The thread exited; `expected` when we asked it to. */
  exit(shard: Shard, code: number, expected: boolean): void;
}

export class Shard {
  readonly index: number;
  readonly #worker: Worker;
  readonly #channel: RequestChannel<PrimaryRequest>;
  readonly #exited: Promise<number>;
  #stopping = false;
  #alive = true;
  #listening: Promise<number>;
  #elu: EventLoopUtilization | null = null;

  constructor(index: number, init: WorkerInit, events: ShardEvents, log: Logger) {
    this.index = index;
    this.#worker = new Worker(new URL('../worker/main.js', import.meta.url), { workerData: init, stdout: false, stderr: false });
    this.#channel = new RequestChannel<PrimaryRequest>((msg) => this.post(msg));
    let listened: (port: number) => void = () => {};
    let failed: (err: Error) => void = () => {};
    this.#listening = new Promise<number>((resolve, reject) => {
      listened = resolve;
      failed = reject;
    });
    this.#listening.catch(() => {});
    this.#worker.on('message', (msg: ToPrimary) => {
      switch (msg.type) {
        case 'reply':
          this.#channel.settle(msg.id, msg.result);
          break;
        case 'listening':
          if (msg.port < 0) failed(new ConfigError(`could not listen on ${init.config.host}:${init.port} (PORT / HOST): is the port in use by another program?`));
          else listened(msg.port);
          break;
        default:
          events.message(this, msg);
      }
    });
    this.#worker.on('error', (err) => {
      log.error({ shard: index, err: { message: err.message, stack: err.stack } }, 'worker error');
      failed(err);
    });
    this.#exited = new Promise((resolve) => {
      this.#worker.on('exit', (code) => {
        this.#alive = false;
        this.#channel.close(`worker ${index} exited`);
        failed(new Error(`worker ${index} exited with code ${code} before listening`));
        events.exit(this, code, this.#stopping);
        resolve(code);
      });
    });
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** The worker's event-loop utilisation since the previous call (null once it exited). */
  eluSinceLast(): EventLoopUtilization | null {
    if (!this.#alive) return null;
    const now = this.#worker.performance.eventLoopUtilization();
    const delta = this.#elu ? this.#worker.performance.eventLoopUtilization(now, this.#elu) : now;
    this.#elu = now;
    return delta;
  }

  /** Resolves with the bound port once the worker's App is listening. */
  listening(): Promise<number> {
    return this.#listening;
  }

  post(msg: ToWorker): void {
    if (this.#alive) this.#worker.postMessage(msg);
  }

  request<T>(body: PrimaryRequest, timeoutMs = 2000): Promise<T> {
    return this.#channel.request<T>(body, timeoutMs);
  }

  /** Asks the worker to close its sockets and exit; resolves when it did (or after `timeoutMs`). */
  async stop(timeoutMs = 5000): Promise<boolean> {
    if (!this.#alive) return true;
    this.#stopping = true;
    this.post({ type: 'shutdown' });
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    return (await Promise.race([this.#exited, timer])) !== 'timeout';
  }
}
