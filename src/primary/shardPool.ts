// The shard workers as one pool: spawn them on the shared port (all at start, or the first
// few and the rest when they are first needed), restart one that dies (after a delay that
// doubles while it keeps dying), send a message to one or all, and fan requests out to
// every live worker (inspect, metrics). What a worker's death means
// for cameras and accept balancing is the owner's, through the events given to start()
// (src/primary/workerEvents.ts).
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { PrimaryRequest, ToPrimary, ToWorker, WorkerInit, WorkerInspect } from '../protocol.js';
import type { Logger } from '../telemetry.js';
import { Shard } from './shard.js';

/** First restart delay of a dead worker; doubled (up to 10 s) while it keeps dying within a minute. */
export const RESPAWN_DELAY_MS = 250;
export const RESPAWN_MAX_DELAY_MS = 10_000;
/** A worker that lived this long since its last death starts again from RESPAWN_DELAY_MS. */
const RESPAWN_RESET_MS = 60_000;

export type WorkerEvent = Exclude<ToPrimary, { type: 'reply' } | { type: 'listening' }>;

export interface PoolEvents {
  /** Messages a new worker gets first (the app and room tables). */
  greeting(): ToWorker[];
  /** A worker's requests and camera events. */
  message(shard: Shard, msg: WorkerEvent): void;
  /** Worker `index` exited (whether or not it will be restarted): release what it held. */
  onGone(index: number): void;
  /** Worker `index` died unexpectedly and will be restarted after `delayMs`. */
  onDied(index: number, code: number, delayMs: number): void;
  /** A restarted worker `index` listens again. */
  onRestarted(index: number): void;
}

export class ShardPool {
  readonly #shards: (Shard | null)[];
  readonly #init: (index: number) => WorkerInit;
  readonly #log: Logger;
  #events: PoolEvents | null = null;
  readonly #lastDeath: number[] = [];
  readonly #respawnDelay: number[] = [];
  #stopping = false;

  /** `init`: what worker `index` is started with (called at every spawn and respawn). */
  constructor(size: number, init: (index: number) => WorkerInit, log: Logger) {
    this.#init = init;
    this.#log = log;
    this.#shards = Array.from({ length: size }, () => null);
  }

  /**
   * Spawns workers 0..count-1 (every worker by default), whose events go to `events`;
   * resolves when they listen (rejects if one cannot). The others stay dormant until `wake`.
   */
  async start(events: PoolEvents, count = this.#shards.length): Promise<void> {
    this.#events = events;
    await Promise.all(this.#shards.slice(0, count).map((_, i) => this.#spawn(i).listening()));
  }

  alive(index: number): boolean {
    return this.#shards[index]?.alive ?? false;
  }

  /** Worker `index` was never started (see `start`). */
  dormant(index: number): boolean {
    return this.#shards[index] === null;
  }

  /** Starts dormant worker `index`; resolves true once it listens (false if it cannot, or the pool stops). */
  async wake(index: number): Promise<boolean> {
    if (this.#stopping || !this.dormant(index)) return this.alive(index);
    this.#log.info({ shard: index }, 'starting a dormant worker');
    try {
      await this.#spawn(index).listening();
      return true;
    } catch (err) {
      this.#log.error({ shard: index, err: (err as Error).message }, 'dormant worker failed to listen');
      return false;
    }
  }

  post(index: number, msg: ToWorker): void {
    this.#shards[index]?.post(msg);
  }

  broadcast(msg: ToWorker): void {
    for (const s of this.#shards) s?.post(msg);
  }

  /** Worker `index`'s event-loop utilisation since the previous call (null while it is down). */
  eluSinceLast(index: number): EventLoopUtilization | null {
    const s = this.#shards[index];
    return s?.alive ? s.eluSinceLast() : null;
  }

  /** A request to worker `index`; null when it is down or its answer never came. */
  async request<R>(index: number, body: PrimaryRequest): Promise<R | null> {
    const s = this.#shards[index];
    if (!s?.alive) return null;
    return s.request<R>(body);
  }

  /** The same request to every live worker: their answers (a worker that dies meanwhile is left out). */
  async requestAll<R>(body: PrimaryRequest): Promise<R[]> {
    const answers = await Promise.all(this.#shards.filter((s) => s?.alive).map((s) => s!.request<R>(body).catch(() => null)));
    return answers.filter((a): a is Awaited<R> => a !== null) as R[];
  }

  /** What every live worker holds. */
  inspect(): Promise<WorkerInspect[]> {
    return this.requestAll<WorkerInspect>({ kind: 'inspect' });
  }

  /** Every live worker's metrics registry as JSON (what /metrics aggregates). */
  metrics(): Promise<object[][]> {
    return this.requestAll<object[]>({ kind: 'metrics' });
  }

  /** Graceful stop of every worker; false for one that did not exit within `timeoutMs` (the Shard's default when absent). */
  async stop(timeoutMs?: number): Promise<boolean[]> {
    this.#stopping = true;
    return Promise.all(this.#shards.map((s) => (s ? s.stop(timeoutMs) : true)));
  }

  #spawn(index: number): Shard {
    const events = this.#events!;
    const shard = new Shard(index, this.#init(index), { message: events.message, exit: (s, code, expected) => this.#exited(s, code, expected) }, this.#log);
    this.#shards[index] = shard;
    for (const msg of events.greeting()) shard.post(msg);
    return shard;
  }

  #exited(shard: Shard, code: number, expected: boolean): void {
    const index = shard.index;
    if (this.#shards[index] !== shard) return;
    this.#events!.onGone(index);
    if (expected || this.#stopping) return;
    const last = this.#lastDeath[index] ?? 0;
    const delay = Date.now() - last < RESPAWN_RESET_MS ? Math.min(RESPAWN_MAX_DELAY_MS, (this.#respawnDelay[index] ?? RESPAWN_DELAY_MS) * 2) : RESPAWN_DELAY_MS;
    this.#respawnDelay[index] = delay;
    this.#lastDeath[index] = Date.now();
    this.#events!.onDied(index, code, delay);
    setTimeout(() => {
      if (this.#stopping) return;
      this.#spawn(index)
        .listening()
        .then(() => this.#events!.onRestarted(index))
        .catch((err: Error) => this.#log.error({ shard: index, err: err.message }, 'restarted worker failed to listen'));
    }, delay).unref();
  }
}
