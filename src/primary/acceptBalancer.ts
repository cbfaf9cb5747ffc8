// Accept balancing: which shard workers take new connections.
//
// Every worker can serve every route, and with SO_REUSEPORT the kernel spreads new
// connections at random over the workers that listen. Spread thin, a light load costs
// more: a frame whose camera and viewer sit on different workers wakes a second thread,
// and each worker, half as busy, wakes once for fewer events. Measured on the 600-camera
// fleet bench (2 cores, bench/RESULTS.md): 2 workers all accepting used ~1.3x the CPU per
// frame of 1 worker. So, in the spirit of nginx's accept_mutex, one worker accepts while
// it has headroom and every worker accepts once it is busy. Accepted connections never
// move: this only steers new ones. Only worker 0 is started at first; the others are
// dormant (no thread, no memory) until the balancer first wants them to accept.
//
// Closing a listen socket resets the connections still waiting in its accept queue
// (unless the kernel's net.ipv4.tcp_migrate_req is on), so listeners are closed only when
// that queue is surely empty: after every worker has been calm for CALM_MS. Under load,
// workers are only ever added.
//
// The load signal is each worker's event-loop utilisation (ELU), read by the primary from
// the Worker handle every SAMPLE_MS and smoothed. FRAMEHUB_ACCEPT=all turns this off.
import type { Config } from '../config.js';
import type { Doorbell } from '../slots.js';
import type { Logger } from '../telemetry.js';
import type { ShardPool } from './shardPool.js';

/** How often worker loads are read and the accepting set reconsidered. */
const SAMPLE_MS = 250;
/**
 * Weight of a new sample in the smoothed load (time constant ~4 s): the burst of a fleet
 * connecting at once (600 camera handshakes, then their viewers, with frames flowing)
 * keeps a worker near 100 % for a second or two and is not a steady load. Measured on the
 * fleet bench: with a 1.5 s time constant that burst opened the second worker.
 */
const SMOOTHING = 0.06;
/** An accepting worker this busy (smoothed ELU) makes every worker accept. */
export const BUSY_ELU = 0.6;
/** Below this, a worker is calm. */
const CALM_ELU = 0.25;
/** Every worker calm this long: back to one accepting worker. */
export const CALM_MS = 5000;

/**
 * The workers that should accept, from their smoothed loads (null: dead), who accepts now
 * and how long every worker has been calm. Only opens while anyone is busy; narrows to one
 * worker (the least-loaded one that accepts now) only after CALM_MS of calm.
 */
export function chooseAcceptors(load: readonly (number | null)[], accepting: readonly boolean[], calmForMs: number): boolean[] {
  const live = load.map((l, i) => (l === null ? -1 : i)).filter((i) => i >= 0);
  const out = load.map((_, i) => accepting[i] === true && load[i] !== null);
  if (live.length === 0) return out;
  const least = (ids: number[]): number => ids.reduce((a, b) => (load[b]! < load[a]! ? b : a));
  const open = live.filter((i) => accepting[i]);
  if (open.length === 0) {
    out[least(live)] = true;
    return out;
  }
  if (open.some((i) => load[i]! >= BUSY_ELU)) return load.map((l) => l !== null);
  if (open.length > 1 && calmForMs >= CALM_MS) {
    const keep = least(open);
    return load.map((_, i) => i === keep);
  }
  return out;
}

/** What the balancer needs of the shard pool. */
export interface AcceptTargets {
  /** Number of worker slots. */
  readonly size: number;
  /** Event-loop utilisation of worker `i` since the last call (null: not running). */
  elu(i: number): { utilization: number } | null;
  /** Asks worker `i` to start or stop accepting (a dormant worker is started); resolves whether it accepts now. */
  setAccepting(i: number, on: boolean): Promise<boolean>;
  /** Tells dying worker `i` that another worker accepts now (it may close its listener). */
  handedOver(i: number): void;
}

export class AcceptBalancer {
  readonly #targets: AcceptTargets;
  readonly #log: Logger;
  readonly #load: (number | null)[];
  readonly #accepting: boolean[];
  /** Dying or dead workers (until they are restarted): never asked to accept. */
  readonly #gone: boolean[];
  #timer: NodeJS.Timeout | null = null;
  /** Ticks run one after another; the interval skips a turn while one is queued. */
  #chain: Promise<void> = Promise.resolve();
  #queued = 0;
  #calmSince = Date.now();

  /** Worker 0 runs and accepts; the others are dormant (started by `setAccepting` when first wanted). */
  constructor(targets: AcceptTargets, log: Logger) {
    this.#targets = targets;
    this.#log = log;
    this.#load = Array.from({ length: targets.size }, () => 0);
    this.#accepting = Array.from({ length: targets.size }, (_, i) => i === 0);
    this.#gone = Array.from({ length: targets.size }, () => false);
  }

  /** Who accepts now (for tests and logs). */
  get accepting(): readonly boolean[] {
    return this.#accepting;
  }

  start(): void {
    this.#timer = setInterval(() => {
      if (this.#queued === 0) void this.#tick();
    }, SAMPLE_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** A worker died: it accepts nothing; make sure someone does, at once. */
  workerGone(i: number): void {
    this.#gone[i] = true;
    this.#accepting[i] = false;
    this.#load[i] = null;
    // Not if it was restarted meanwhile: the new worker must not find a stale handover.
    void this.#tick().then(() => {
      if (this.#gone[i]) this.#targets.handedOver(i);
    });
  }

  /** A (re)started worker listens from its start; the next tick decides if it keeps on. */
  workerStarted(i: number): void {
    this.#gone[i] = false;
    this.#accepting[i] = true;
    this.#load[i] = 0;
  }

  #tick(): Promise<void> {
    this.#queued++;
    this.#chain = this.#chain.then(() => this.#run()).finally(() => this.#queued--);
    return this.#chain;
  }

  async #run(): Promise<void> {
    for (let i = 0; i < this.#targets.size; i++) {
      const sample = this.#gone[i] ? null : this.#targets.elu(i);
      const prev = this.#load[i];
      this.#load[i] = sample === null ? null : prev === null || prev === undefined ? sample.utilization : (1 - SMOOTHING) * prev + SMOOTHING * sample.utilization;
    }
    const now = Date.now();
    if (this.#load.some((l) => l !== null && l >= CALM_ELU)) this.#calmSince = now;
    const want = chooseAcceptors(this.#load, this.#accepting, now - this.#calmSince);
    // Open before closing, so that some worker always accepts; together, since opening a
    // dormant worker starts it (~0.2 s each).
    await Promise.all(want.map((w, i) => (w && !this.#accepting[i] ? this.#set(i, true) : null)));
    for (let i = 0; i < want.length; i++) if (!want[i] && this.#accepting[i] && this.#load[i] !== null) await this.#set(i, false);
  }


  async #set(i: number, on: boolean): Promise<void> {
    try {
      this.#accepting[i] = await this.#targets.setAccepting(i, on);
      const loads = this.#load.map((l) => (l === null ? null : Math.round(l * 100) / 100));
      this.#log.info({ shard: i, accepting: this.#accepting[i], loads }, this.#accepting[i] ? 'worker accepts new connections' : 'worker stops accepting new connections');
    } catch (err) {
      this.#log.warn({ shard: i, on, err: (err as Error).message }, 'accept balancing: worker did not answer');
    }
  }
}

/** The load a dormant (never started) worker shows the balancer: none. */
const DORMANT_LOAD = { utilization: 0 };

/**
 * The node's balancer over its shard pool, or null when every worker accepts
 * (FRAMEHUB_ACCEPT=all, or one worker). With it, the pool starts worker 0 alone and the
 * balancer wakes the others.
 */
export function acceptBalancerFor(config: Pick<Config, 'accept' | 'workers'>, pool: ShardPool, doorbell: Doorbell, log: Logger): AcceptBalancer | null {
  if (config.accept !== 'balanced' || config.workers < 2) return null;
  return new AcceptBalancer(
    {
      size: config.workers,
      // A dormant worker counts as an idle one; it is started when it is first asked to accept.
      elu: (i) => (pool.dormant(i) ? DORMANT_LOAD : pool.eluSinceLast(i)),
      setAccepting: async (i, on) =>
        pool.dormant(i) ? on && (await pool.wake(i)) : ((await pool.request<{ accepting: boolean }>(i, { kind: 'accept', on }))?.accepting ?? false),
      handedOver: (i) => doorbell.handOver(i),
    },
    log,
  );
}
