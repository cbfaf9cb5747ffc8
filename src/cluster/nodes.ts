// The cluster view: every node writes a heartbeat (its live streams) to Redis every
// couple of seconds with a short expiry, and reads the others', so the streams API on any
// node lists the cameras of the whole cluster with the node serving each. A node that
// dies drops out when its heartbeat expires. Heartbeats are signed with the cluster secret
// and checked when read: one that fails (forged, garbage) is left out and counted.
import type { Redis } from 'ioredis';
import type { Logger } from '../telemetry.js';
import { openHeartbeat, sealHeartbeat, WireError, type ClusterKeys, type HeartbeatContent, type HeartbeatStream, type RejectReason } from './wire.js';

export interface NodeView {
  node: string;
  /** This node (the one answering). */
  self: boolean;
  /** Last heartbeat. */
  at: string;
  streams: number;
  cameras: number;
  bytesInPerSec: number;
}

/** A heartbeat (the schema's), its streams as the sending node's view `S`. */
type Heartbeat<S extends HeartbeatStream> = Omit<HeartbeatContent, 'streams'> & { streams: S[] };

/** `S`: the stream view this node publishes (the streams API's), kept whole for the other nodes. */
export class ClusterNodes<S extends HeartbeatStream = HeartbeatStream> {
  readonly #timer: NodeJS.Timeout;
  readonly #key: (node: string) => string;
  #last: Heartbeat<S>[] = [];
  #lastAt = 0;
  /** Keys already logged as refused (one line per key and reason, not one per read). */
  readonly #warned = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly nodeId: string,
    private readonly intervalMs: number,
    private readonly localStreams: () => Promise<S[]>,
    private readonly log: Logger,
    private readonly keys: ClusterKeys,
    private readonly rejected: (reason: RejectReason) => void,
  ) {
    this.#key = (node) => `${prefix}:node:${node}`;
    this.#timer = setInterval(() => void this.beat(), intervalMs);
    this.#timer.unref();
    void this.beat();
  }

  /** Publishes this node's streams (expires after three missed beats). */
  async beat(): Promise<void> {
    try {
      const hb: Heartbeat<S> = { node: this.nodeId, at: Date.now(), streams: await this.localStreams() };
      await this.redis.call('SET', this.#key(this.nodeId), sealHeartbeat(this.keys, hb), 'PX', String(this.intervalMs * 3));
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'cluster heartbeat failed');
    }
  }

  /** Every node's last heartbeat (cached for half an interval). */
  async heartbeats(): Promise<Heartbeat<S>[]> {
    if (Date.now() - this.#lastAt < this.intervalMs / 2) return this.#last;
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = (await this.redis.call('SCAN', cursor, 'MATCH', `${this.prefix}:node:*`, 'COUNT', '100')) as [string, string[]];
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      const values = keys.length ? ((await this.redis.call('MGET', ...keys)) as (string | null)[]) : [];
      const beats: Heartbeat<S>[] = [];
      values.forEach((v, i) => {
        if (v === null) return;
        try {
          // Checked for what the view reads; the further fields pass on as the sender's `S`.
          beats.push(openHeartbeat(this.keys, v) as Heartbeat<S>);
        } catch (err) {
          if (!(err instanceof WireError)) throw err;
          this.rejected(err.reason);
          const seen = `${keys[i]}|${err.reason}`;
          if (!this.#warned.has(seen)) {
            this.#warned.add(seen);
            this.log.warn({ key: keys[i]!.slice(0, 100), reason: err.reason, err: err.message }, 'cluster heartbeat refused and left out of the cluster view');
          }
        }
      });
      this.#last = beats;
      this.#lastAt = Date.now();
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'could not read the cluster heartbeats');
    }
    return this.#last;
  }

  async remoteStreams(): Promise<S[]> {
    return (await this.heartbeats()).filter((h) => h.node !== this.nodeId).flatMap((h) => h.streams);
  }

  /** Every node with its figures; with `app`, the figures count that app's streams only. */
  async nodes(app: string | null = null): Promise<NodeView[]> {
    const beats = await this.heartbeats();
    const mine = beats.find((h) => h.node === this.nodeId);
    const own: Heartbeat<S> = { node: this.nodeId, at: Date.now(), streams: await this.localStreams() };
    return [own, ...beats.filter((h) => h !== mine && h.node !== this.nodeId)].map((h) => {
      const streams = app === null ? h.streams : h.streams.filter((s) => s.app === app);
      return {
        node: h.node,
        self: h.node === this.nodeId,
        at: new Date(h.at).toISOString(),
        streams: streams.length,
        cameras: streams.filter((s) => s.state === 'live').length,
        bytesInPerSec: streams.reduce((n, s) => n + s.bytesPerSec, 0),
      };
    });
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
