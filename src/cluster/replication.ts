// Control-plane replication through a Redis Stream. Every change to apps, tokens and keys
// is appended to `<prefix>:changes` (XADD) by the node that makes it; every node tails the
// stream (XREAD BLOCK) and applies the ops in stream order to its own LMDB, recording the
// last applied entry in the same transaction. Reads stay local. A node that was down
// catches up from its recorded position; a new node (or one whose position was trimmed
// away) starts from the latest snapshot (`<prefix>:snapshot`) and tails from there.
// With Redis down, nodes keep serving from LMDB and writes are refused (503); the tail
// resumes when Redis returns.
import { Redis } from 'ioredis';
import { CodedError } from '../errors.js';
import type { ControlOp, ControlState, ControlStore } from '../keys.js';
import type { Logger } from '../telemetry.js';

export interface ReplicationOptions {
  url: string;
  prefix: string;
  nodeId: string;
  /** Write a snapshot every this many applied entries (by stream position). Default 500. */
  snapshotEvery?: number;
  /** Approximate stream length kept (older entries are covered by snapshots). Default 50000. */
  maxLen?: number;
  /** How long a write waits for its own entry to come back applied. Default 5000 ms. */
  writeTimeoutMs?: number;
}

interface Snapshot {
  id: string;
  state: ControlState;
}

/** Compares Redis stream ids `ms-seq`. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

export class Replication {
  readonly #store: ControlStore;
  readonly #opts: Required<ReplicationOptions>;
  readonly #log: Logger;
  readonly #cmd: Redis;
  readonly #tail: Redis;
  readonly #stream: string;
  readonly #snapshotKey: string;
  #lastId = '0-0';
  #running = true;
  #appliedSinceSnapshot = 0;
  #waiters: { id: string; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  #tailDone: Promise<void> = Promise.resolve();

  private constructor(store: ControlStore, opts: ReplicationOptions, log: Logger) {
    this.#store = store;
    this.#opts = { snapshotEvery: 500, maxLen: 50_000, writeTimeoutMs: 5000, ...opts };
    this.#log = log;
    this.#stream = `${opts.prefix}:changes`;
    this.#snapshotKey = `${opts.prefix}:snapshot`;
    const common = { lazyConnect: true, protocol: 2 as const, retryStrategy: () => 1000, connectionName: `framehub:${opts.nodeId}` };
    // Commands fail at once while Redis is away (writes are refused, not queued).
    this.#cmd = new Redis(opts.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    this.#tail = new Redis(opts.url, { ...common, maxRetriesPerRequest: null });
    this.#cmd.on('error', () => {});
    this.#tail.on('error', () => {});
  }

  /**
   * Connects, catches up (or bootstraps from the snapshot) and starts tailing. If Redis is
   * unreachable the node starts on its local store and catches up once Redis is back.
   */
  static async start(store: ControlStore, opts: ReplicationOptions, log: Logger): Promise<Replication> {
    const r = new Replication(store, opts, log);
    r.#lastId = store.replicatedId() ?? '0-0';
    await Promise.all([r.#cmd.connect().catch(() => {}), r.#tail.connect().catch(() => {})]);
    if (r.connected) {
      try {
        await r.#catchUp();
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'replication catch-up failed; will keep trying');
      }
    } else {
      log.warn({ url: redactUrl(opts.url) }, 'Redis unreachable at start: serving from the local store, writes refused until it is back');
    }
    r.#tailDone = r.#tailLoop();
    return r;
  }

  get connected(): boolean {
    return this.#cmd.status === 'ready';
  }

  /** The position this node has applied up to. */
  get lastId(): string {
    return this.#lastId;
  }

  /** The Committer for ControlStore: append, then wait until this node applied it. */
  commit = async (op: ControlOp): Promise<void> => {
    if (!this.connected) throw new CodedError('unavailable', 'the control plane cannot replicate changes right now (Redis is unreachable); nothing was changed, retry later');
    let id: string;
    try {
      id = (await this.#cmd.call('XADD', this.#stream, 'MAXLEN', '~', String(this.#opts.maxLen), '*', 'op', JSON.stringify(op), 'node', this.#opts.nodeId)) as string;
    } catch (err) {
      throw new CodedError('unavailable', `the control plane cannot replicate changes right now (${(err as Error).message}); nothing was changed, retry later`);
    }
    if (compareIds(this.#lastId, id) >= 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.timer !== timer);
        reject(new CodedError('unavailable', 'the change was recorded but not yet applied on this node; it will be shortly'));
      }, this.#opts.writeTimeoutMs);
      this.#waiters.push({ id, resolve, reject, timer });
    });
  };

  /**
   * Where to start tailing: a node that never replicated (new, or a single node joining a
   * cluster) takes the snapshot; one whose position is older than the retained stream takes
   * a newer snapshot; otherwise it replays from its own position. The first node of a
   * cluster writes the first snapshot (its own state).
   */
  async #catchUp(): Promise<void> {
    const mine = this.#store.replicatedId();
    const snap = await this.#readSnapshot();
    const first = await this.#firstEntryId();
    const behindStream = mine !== null && first !== null && compareIds(mine, first) < 0;
    if (snap && (mine === null || (behindStream && compareIds(snap.id, mine) > 0))) {
      await this.#store.importState(snap.state, snap.id);
      this.#lastId = snap.id;
      this.#log.info({ id: snap.id, apps: snap.state.apps.length, keys: snap.state.keys.length }, 'control store loaded from the cluster snapshot');
    } else {
      if (behindStream) this.#log.error({ position: mine, firstInStream: first }, 'this node is behind the retained stream and no newer snapshot covers the gap');
      this.#lastId = mine ?? '0-0';
    }
    if (!snap) await this.writeSnapshot();
  }

  async #firstEntryId(): Promise<string | null> {
    const r = (await this.#cmd.call('XRANGE', this.#stream, '-', '+', 'COUNT', '1')) as [string, string[]][];
    return r.length ? r[0]![0] : null;
  }

  async #readSnapshot(): Promise<Snapshot | null> {
    const raw = (await this.#cmd.call('GET', this.#snapshotKey)) as string | null;
    return raw ? (JSON.parse(raw) as Snapshot) : null;
  }

  /** Stores this node's state as the cluster snapshot unless a newer one is there. */
  async writeSnapshot(): Promise<void> {
    const current = await this.#readSnapshot();
    if (current && compareIds(current.id, this.#lastId) >= 0) return;
    const snap: Snapshot = { id: this.#lastId, state: this.#store.exportState() };
    await this.#cmd.call('SET', this.#snapshotKey, JSON.stringify(snap));
    this.#appliedSinceSnapshot = 0;
  }

  async #tailLoop(): Promise<void> {
    let caughtUp = this.connected;
    while (this.#running) {
      try {
        if (!caughtUp) {
          if (this.#cmd.status !== 'ready') {
            await sleep(500);
            continue;
          }
          await this.#catchUp();
          caughtUp = true;
          this.#log.info({ position: this.#lastId }, 'Redis is back: catching up');
        }
        const res = (await this.#tail.call('XREAD', 'COUNT', '500', 'BLOCK', '1000', 'STREAMS', this.#stream, this.#lastId)) as [string, [string, string[]][]][] | null;
        if (!res) continue;
        for (const [, entries] of res) {
          for (const [id, fields] of entries) await this.#apply(id, fields);
        }
      } catch (err) {
        if (!this.#running) break;
        caughtUp = false;
        this.#log.warn({ err: (err as Error).message }, 'replication tail interrupted; retrying');
        await sleep(1000);
      }
    }
  }

  async #apply(id: string, fields: string[]): Promise<void> {
    const at = fields.indexOf('op');
    const op = JSON.parse(fields[at + 1]!) as ControlOp;
    await this.#store.applyOp(op, id);
    this.#lastId = id;
    const ready = this.#waiters.filter((w) => compareIds(w.id, id) <= 0);
    this.#waiters = this.#waiters.filter((w) => compareIds(w.id, id) > 0);
    for (const w of ready) {
      clearTimeout(w.timer);
      w.resolve();
    }
    if (++this.#appliedSinceSnapshot >= this.#opts.snapshotEvery) {
      this.writeSnapshot().catch((err: Error) => this.#log.warn({ err: err.message }, 'could not write the cluster snapshot'));
    }
  }

  /** A plain command connection for other cluster features (heartbeats). */
  get redis(): Redis {
    return this.#cmd;
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const w of this.#waiters) {
      clearTimeout(w.timer);
      w.reject(new CodedError('unavailable', 'the server is stopping'));
    }
    this.#waiters = [];
    this.#tail.disconnect();
    this.#cmd.disconnect();
    await this.#tailDone;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A Redis URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparsable)';
  }
}
