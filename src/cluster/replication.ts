// Control-plane replication through a Redis Stream. Every change to apps, tokens and keys
// is appended to `<prefix>:changes` by the node that makes it; every node tails the stream
// (XREAD BLOCK) and applies the ops in stream order to its own LMDB, recording the last
// entry it consumed in the same transaction. Reads stay local.
//
// Trust: Redis is storage, not an authority. Each entry is signed (HMAC, cluster secret)
// over its op, its writer and the id of the entry before it (`prev`), and play secrets are
// sealed (src/cluster/wire.ts). An entry that fails a check (unsigned, bad signature, not
// a valid op) is skipped, counted and logged; replication goes on. An entry whose `prev`
// is not the last one this node consumed means the stream does not continue from here
// (trimmed or emptied past this node, entries deleted): the node reloads the signed
// snapshot `<prefix>:snapshot` if a newer one exists, else counts the gap and goes on.
// Appends are conditional (a Lua script checks `prev` against the stream's last id), so
// the chain has no forks. With Redis down, nodes keep serving from LMDB and writes are
// refused (503); the tail resumes when Redis returns.
import { Redis } from 'ioredis';
import { redactUrl } from '../config.js';
import { CodedError } from '../errors.js';
import type { ControlOp, ControlStore } from '../keys.js';
import type { Logger } from '../telemetry.js';
import { APPEND_SCRIPT, SNAPSHOT_SCRIPT } from './redisScripts.js';
import { clusterKeys, encodeOp, entryFields, openEntry, openSnapshot, sealSnapshot, signEntry, WireError, type ClusterKeys, type RejectReason } from './wire.js';

interface ReplicationOptions {
  url: string;
  prefix: string;
  nodeId: string;
  /** FRAMEHUB_CLUSTER_SECRET: signs entries and snapshots, seals play secrets. */
  secret: string;
  /** Write a snapshot every this many applied entries (by stream position). Default 500. */
  snapshotEvery?: number;
  /** Approximate stream length kept (older entries are covered by snapshots). Default 50000. */
  maxLen?: number;
  /** How long a write waits for its own entry to come back applied. Default 5000 ms. */
  writeTimeoutMs?: number;
}

/** What replication counts for the metrics (since the process started). */
interface ReplicationCounts {
  /** Entries and snapshots that failed their checks and were skipped, by `kind|reason`. */
  readonly rejected: Map<`${RejectedKind}|${RejectReason}`, number>;
  /** Times the stream did not continue from this node's position and no newer snapshot covered it. */
  gaps: number;
  /** Times this node replaced its state with the cluster snapshot, by reason. */
  readonly snapshotLoads: Map<SnapshotLoadReason, number>;
}

/** What was refused: a stream entry, the snapshot, or another node's heartbeat. */
type RejectedKind = 'entry' | 'snapshot' | 'heartbeat';

/** Why a node loaded the snapshot: it had never replicated; its next entry did not continue from it; the stream had moved on past it. */
type SnapshotLoadReason = 'join' | 'gap' | 'behind';

/** While the stream is quiet, a node checks this often whether the snapshot moved past it. */
const BEHIND_CHECK_MS = 5000;

/** Conditional appends retried this often when other nodes keep appending in between. */
const APPEND_ATTEMPTS = 20;

/** Compares Redis stream ids `ms-seq`. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bm, bs] = b.split('-').map(BigInt) as [bigint, bigint];
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

const maxId = (a: string, b: string): string => (compareIds(a, b) >= 0 ? a : b);

/** The id a writer gives the entry it appends after `prev`: now, or just after `prev` if that is not older. */
export function nextId(prev: string, now = Date.now()): string {
  const [ms, seq] = prev.split('-').map(BigInt) as [bigint, bigint];
  return BigInt(now) > ms ? `${now}-0` : `${ms}-${seq + 1n}`;
}

interface Waiter {
  id: string;
  resolve: (applied: boolean) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Replication {
  readonly #store: ControlStore;
  readonly #opts: Required<ReplicationOptions>;
  readonly #keys: ClusterKeys;
  readonly #log: Logger;
  readonly counts: ReplicationCounts = { rejected: new Map(), gaps: 0, snapshotLoads: new Map() };
  readonly #cmd: Redis;
  readonly #tail: Redis;
  readonly #stream: string;
  readonly #snapshotKey: string;
  /** The last entry this node consumed (applied or skipped). */
  #lastId = '0-0';
  /** The newest stream id this node knows of: its guess for the next append's `prev`. */
  #head = '0-0';
  #running = true;
  #appliedSinceSnapshot = 0;
  #waiters: Waiter[] = [];
  /** Outcomes of this node's own entries applied before their writer started waiting. */
  #outcomes = new Map<string, boolean>();
  #tailDone: Promise<void> = Promise.resolve();
  #behindCheckedAt = 0;

  private constructor(store: ControlStore, opts: ReplicationOptions, log: Logger) {
    this.#store = store;
    this.#opts = { snapshotEvery: 500, maxLen: 50_000, writeTimeoutMs: 5000, ...opts };
    this.#keys = clusterKeys(opts.secret, opts.prefix);
    this.#log = log;
    this.#stream = `${opts.prefix}:changes`;
    this.#snapshotKey = `${opts.prefix}:snapshot`;
    const common = { lazyConnect: true, protocol: 2 as const, retryStrategy: () => 1000, connectionName: `framehub:${opts.nodeId}` };
    // Commands fail at once while Redis is away (writes are refused, not queued).
    this.#cmd = new Redis(opts.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    this.#tail = new Redis(opts.url, { ...common, maxRetriesPerRequest: null });
    let lastError = '';
    const onError = (err: Error): void => {
      // One line per distinct failure (a wrong password or TLS setting repeats every second).
      if (err.message === lastError) return;
      lastError = err.message;
      log.warn({ err: err.message, url: redactUrl(opts.url) }, 'Redis connection error');
    };
    this.#cmd.on('error', onError);
    this.#tail.on('error', onError);
    this.#cmd.on('ready', () => (lastError = ''));
  }

  /**
   * Connects, catches up (or bootstraps from the snapshot) and starts tailing. If Redis is
   * unreachable the node starts on its local store and catches up once Redis is back.
   */
  static async start(store: ControlStore, opts: ReplicationOptions, log: Logger): Promise<Replication> {
    const r = new Replication(store, opts, log);
    r.#lastId = store.replicatedId() ?? '0-0';
    r.#head = r.#lastId;
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

  /** The position this node has consumed up to. */
  get lastId(): string {
    return this.#lastId;
  }

  /**
   * The Committer for ControlStore: sign and append (conditionally on the stream's last
   * id), then wait until this node applied the entry; resolves with whether it took effect.
   */
  commit = async (op: ControlOp): Promise<boolean> => {
    if (!this.connected) throw new CodedError('unavailable', 'the control plane cannot replicate changes right now (Redis is unreachable); nothing was changed, retry later');
    const opJson = encodeOp(this.#keys, op);
    let prev = maxId(this.#head, this.#lastId);
    let id: string | null = null;
    for (let attempt = 0; attempt < APPEND_ATTEMPTS && id === null; attempt++) {
      const next = nextId(prev);
      const sig = signEntry(this.#keys, next, prev, this.#opts.nodeId, opJson);
      let res: [number, string];
      try {
        res = (await this.#cmd.call('EVAL', APPEND_SCRIPT, '1', this.#stream, prev, next, String(this.#opts.maxLen), opJson, this.#opts.nodeId, sig)) as [number, string];
      } catch (err) {
        throw new CodedError('unavailable', `the control plane cannot replicate changes right now (${(err as Error).message}); nothing was changed, retry later`);
      }
      if (res[0] === 1) id = res[1];
      else prev = res[1];
      this.#head = maxId(this.#head, res[1]);
    }
    if (id === null) throw new CodedError('unavailable', 'the control plane is too busy (other nodes kept appending); nothing was changed, retry');
    const known = this.#outcomes.get(id);
    if (known !== undefined) {
      this.#outcomes.delete(id);
      return known;
    }
    if (compareIds(this.#lastId, id) >= 0) return true; // passed over by a snapshot load, which includes it
    return new Promise<boolean>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.timer !== timer);
        reject(new CodedError('unavailable', 'the change was recorded but not yet applied on this node; it will be shortly'));
      }, this.#opts.writeTimeoutMs);
      this.#waiters.push({ id, resolve, reject, timer });
    });
  };

  /**
   * Where to start tailing. A node that never replicated (new, or a single node joining a
   * cluster) takes the snapshot. A node whose position the stream no longer continues from
   * (trimmed or emptied past it) takes a newer snapshot. Otherwise it replays from its own
   * position. Without a valid snapshot in Redis, this node's state becomes the snapshot.
   */
  async #catchUp(): Promise<void> {
    const mine = this.#store.replicatedId();
    const snap = await this.#readSnapshot();
    if (mine === null) {
      if (snap) await this.#load(snap, 'join');
      else this.#lastId = '0-0';
    } else {
      this.#lastId = mine;
      if (snap && compareIds(snap.id, mine) > 0 && !(await this.#continuesFrom(mine))) await this.#load(snap, 'behind');
    }
    this.#head = maxId(this.#head, this.#lastId);
    if (!snap) await this.writeSnapshot(true);
  }

  /** The cluster snapshot if there is one that passes the checks (else null, counted). */
  async #readSnapshot(): Promise<{ id: string; state: ReturnType<ControlStore['exportState']> } | null> {
    const raw = (await this.#cmd.call('GET', this.#snapshotKey)) as string | null;
    if (raw === null) return null;
    try {
      return openSnapshot(this.#keys, raw);
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      this.countRejected('snapshot', err.reason);
      this.#log.error({ reason: err.reason, err: err.message }, 'the cluster snapshot in Redis failed its checks and is ignored (FRAMEHUB_CLUSTER_SECRET differs between nodes, or it was written by someone else)');
      return null;
    }
  }

  async #load(snap: { id: string; state: ReturnType<ControlStore['exportState']> }, reason: SnapshotLoadReason): Promise<void> {
    await this.#store.importState(snap.state, snap.id);
    this.#lastId = snap.id;
    this.counts.snapshotLoads.set(reason, (this.counts.snapshotLoads.get(reason) ?? 0) + 1);
    this.#log.info({ id: snap.id, reason, apps: snap.state.apps.length, keys: snap.state.keys.length }, 'control store loaded from the cluster snapshot');
    this.#settle(snap.id, true);
  }

  /** Loads the snapshot if it is newer than this node's position; true if it did. */
  async #loadIfNewer(reason: 'gap' | 'behind'): Promise<boolean> {
    const snap = await this.#readSnapshot();
    if (!snap || compareIds(snap.id, this.#lastId) <= 0) return false;
    await this.#load(snap, reason);
    return true;
  }

  /**
   * Stores this node's state as the cluster snapshot unless a newer one is there. The
   * compare and the set are one script, so a node that lagged (or was paused between
   * deciding and writing) never replaces a newer snapshot with its older state. With
   * `replaceInvalid` (at catch-up, when the one in Redis is missing or failed its checks)
   * it is replaced whatever its id claims.
   */
  async writeSnapshot(replaceInvalid = false): Promise<void> {
    this.#appliedSinceSnapshot = 0;
    // The position and the state from one read of LMDB: they match exactly.
    const id = this.#store.replicatedId() ?? '0-0';
    const envelope = sealSnapshot(this.#keys, id, this.#store.exportState());
    await this.#cmd.call('EVAL', SNAPSHOT_SCRIPT, '1', this.#snapshotKey, id, envelope, replaceInvalid ? '1' : '0');
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
        if (!res) {
          if (Date.now() - this.#behindCheckedAt >= BEHIND_CHECK_MS) await this.#checkBehind();
          continue;
        }
        batch: for (const [, entries] of res) {
          for (const [id, fields] of entries) {
            if ((await this.#consume(id, fields)) === 'reread') break batch;
          }
        }
      } catch (err) {
        if (!this.#running) break;
        caughtUp = false;
        this.#log.warn({ err: (err as Error).message }, 'replication tail interrupted; retrying');
        await sleep(1000);
      }
    }
  }

  /**
   * While the stream is quiet: if the snapshot is ahead of this node and the stream has
   * nothing that continues from its position (emptied or trimmed while this node was
   * paused), load it now instead of waiting for the next change to reveal the gap.
   */
  async #checkBehind(): Promise<void> {
    this.#behindCheckedAt = Date.now();
    const head = (await this.#cmd.call('GETRANGE', this.#snapshotKey, '0', '80')) as string;
    const snapId = /"id":"(\d+-\d+)"/.exec(head)?.[1];
    if (!snapId || compareIds(snapId, this.#lastId) <= 0) return;
    if (await this.#continuesFrom(this.#lastId)) return; // the tail will read it
    await this.#loadIfNewer('behind');
  }

  /** Whether the stream's entry after `id` names `id` as its `prev` (false: trimmed or emptied past it). */
  async #continuesFrom(id: string): Promise<boolean> {
    const next = (await this.#cmd.call('XRANGE', this.#stream, `(${id}`, '+', 'COUNT', '1')) as [string, string[]][];
    return next.length > 0 && entryFields(next[0]![1]).prev === id;
  }

  /** Checks and applies one entry; 'reread' when a snapshot load moved the position. */
  async #consume(id: string, flat: string[]): Promise<'next' | 'reread'> {
    this.#head = maxId(this.#head, id);
    const fields = entryFields(flat);
    let entry: ReturnType<typeof openEntry>;
    try {
      entry = openEntry(this.#keys, id, fields);
    } catch (err) {
      if (!(err instanceof WireError)) throw err;
      this.countRejected('entry', err.reason);
      // `node` is whatever the entry claims; it is not verified.
      this.#log.warn({ id, reason: err.reason, err: err.message, claimedNode: typeof fields.node === 'string' ? fields.node.slice(0, 64) : null }, 'replicated entry refused and skipped');
      await this.#store.skipReplicated(id);
      this.#lastId = id;
      this.#settle(id, null);
      return 'next';
    }
    if (entry.prev !== this.#lastId) {
      if (await this.#loadIfNewer('gap')) return 'reread';
      this.counts.gaps++;
      this.#log.error({ id, expectedPrev: this.#lastId, prev: entry.prev }, 'the stream does not continue from this node\'s position (entries trimmed or deleted) and no newer snapshot covers the gap: applying what follows; changes in the gap may be missing here');
    }
    const own = entry.node === this.#opts.nodeId;
    const applied = await this.#store.applyOp(entry.op, id, { durable: own });
    this.#lastId = id;
    if (own && !this.#waiters.some((w) => w.id === id)) {
      this.#outcomes.set(id, applied);
      if (this.#outcomes.size > 1000) this.#outcomes.delete(this.#outcomes.keys().next().value!);
    }
    this.#settle(id, applied);
    if (++this.#appliedSinceSnapshot >= this.#opts.snapshotEvery) {
      this.writeSnapshot().catch((err: Error) => this.#log.warn({ err: err.message }, 'could not write the cluster snapshot'));
    }
    return 'next';
  }

  /**
   * Answers the writers waiting for entries up to `id`: the one for `id` with `applied`
   * (null: it was refused), older ones (passed over by a snapshot load) as applied.
   */
  #settle(id: string, applied: boolean | null): void {
    const ready = this.#waiters.filter((w) => compareIds(w.id, id) <= 0);
    if (!ready.length) return;
    this.#waiters = this.#waiters.filter((w) => compareIds(w.id, id) > 0);
    for (const w of ready) {
      clearTimeout(w.timer);
      if (w.id !== id) w.resolve(true);
      else if (applied === null) w.reject(new CodedError('internal', 'this node refused its own replicated change'));
      else w.resolve(applied);
    }
  }

  /** Counts something read from Redis that failed its checks (also used by the cluster view for heartbeats). */
  countRejected(kind: RejectedKind, reason: RejectReason): void {
    const k = `${kind}|${reason}` as const;
    this.counts.rejected.set(k, (this.counts.rejected.get(k) ?? 0) + 1);
  }

  /** A plain command connection for other cluster features (heartbeats). */
  get redis(): Redis {
    return this.#cmd;
  }

  /** The keys derived from the cluster secret (heartbeats are signed with them too). */
  get keys(): ClusterKeys {
    return this.#keys;
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
