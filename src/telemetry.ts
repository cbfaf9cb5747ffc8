// Loggers and metric definitions. One pino logger per thread (fd 1, async), with a
// `shard` field in workers; one prom-client Registry per thread, aggregated by the primary.
// What a frame touches (frames and bytes in and out, drops, hub latency) is kept as plain
// numbers (src/hotMetrics.ts) and read into prom-client only when scraped.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import pino from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { closeCodesOf } from './errors.js';
import { HotCounter, HotHistogram, type HotSeries } from './hotMetrics.js';

export type Logger = pino.Logger;

/** Paths whose values never reach a log line. */
const REDACT = ['key', 'token', 'authorization', 'streamKey', 'secret', 'headers.authorization', 'req.headers.authorization', 'query'];

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    { level, base: { pid: process.pid, ...bindings }, redact: { paths: REDACT, censor: '[redacted]' } },
    pino.destination({ fd: 1, sync: false }),
  );
}

const EVENT_LOOP_WINDOW_MS = 10_000;

/** What the replication metrics read (src/cluster/replication.ts keeps these counts). */
export interface ReplicationFigures {
  /** Skipped entries, snapshots and heartbeats by `kind|reason`. */
  readonly rejected: ReadonlyMap<string, number>;
  readonly gaps: number;
  /** Snapshot loads by reason (join, gap, behind). */
  readonly snapshotLoads: ReadonlyMap<string, number>;
}

/** Close codes each side can see (from the error table), pre-initialised so their first occurrence shows in rate(). */
const CLOSE_CODES = { camera: closeCodesOf('camera'), viewer: closeCodesOf('viewer') };

/** Hub latency buckets: 50 µs .. 1 s. */
const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export const DROP_REASONS = ['rate_limit', 'oversize', 'not_jpeg', 'slow_viewer', 'replaced', 'writer_busy', 'not_ready'] as const;
export type DropReason = (typeof DROP_REASONS)[number];
export type Transport = 'mjpeg' | 'ws' | 'wall' | 'snapshot';

/** Frame and byte totals of one app's cameras (kept by ingest, per socket). */
export interface AppIngestSeries {
  frames: HotSeries;
  bytes: HotSeries;
}

const TRANSPORTS = ['mjpeg', 'ws', 'wall', 'snapshot'] as const;

/** Metrics kept by each shard worker. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly framesReceived: HotCounter;
  readonly bytesReceived: HotCounter;
  readonly framesDropped: HotCounter;
  readonly closes: Counter<'side' | 'code'>;
  readonly cameras: Gauge<'shard'>;
  readonly viewers: Gauge<'transport'>;
  readonly framesSent: HotCounter;
  readonly bytesSent: HotCounter;
  readonly hubLatency: HotHistogram;
  readonly statsMessages: Counter<'result'>;
  readonly snapshots: HotCounter;
  // Series looked up once: a frame adds to them, no map lookup or label hashing.
  readonly #sent: Record<Transport, { frames: HotSeries; bytes: HotSeries }>;
  readonly #dropped: Record<DropReason, HotSeries>;

  /** Frames written to viewers of one transport (once per fan-out, not per viewer). */
  sent(transport: Transport, frames: number, bytes: number): void {
    const c = this.#sent[transport];
    c.frames.value += frames;
    c.bytes.value += bytes;
  }

  /** The series a camera of `app` adds its accepted frames to. */
  ingestSeries(app: string): AppIngestSeries {
    return { frames: this.framesReceived.series(app), bytes: this.bytesReceived.series(app) };
  }

  dropped(reason: DropReason, n = 1): void {
    this.#dropped[reason].value += n;
  }

  /** A frame.jpg answer, by HTTP status. */
  snapshot(status: number): void {
    this.snapshots.add(String(status));
  }

  /** `viewerTotal` is read at scrape time for the per-shard viewer gauge. */
  constructor(shard: number, viewerTotal: () => number = () => 0) {
    const r = [this.registry];
    const reg = this.registry;
    this.framesReceived = new HotCounter(reg, 'framehub_frames_received_total', 'JPEG frames accepted from cameras', 'app');
    this.bytesReceived = new HotCounter(reg, 'framehub_received_bytes_total', 'Bytes of accepted frames from cameras', 'app');
    // Series that exist from the start, so dashboards and rules see zeros, not gaps.
    this.framesDropped = new HotCounter(reg, 'framehub_frames_dropped_total', 'Frames not relayed, by reason', 'reason', DROP_REASONS);
    this.closes = new Counter({ name: 'framehub_ws_closes_total', help: 'WebSocket closes by side (camera/viewer) and close code', labelNames: ['side', 'code'], registers: r });
    this.cameras = new Gauge({ name: 'framehub_shard_cameras', help: 'Cameras connected to this shard worker', labelNames: ['shard'], registers: r });
    this.viewers = new Gauge({ name: 'framehub_viewers', help: 'Viewers connected, by transport', labelNames: ['transport'], registers: r });
    this.framesSent = new HotCounter(reg, 'framehub_frames_sent_total', 'Frames written to viewers, by transport', 'transport', TRANSPORTS);
    this.bytesSent = new HotCounter(reg, 'framehub_sent_bytes_total', 'Bytes written to viewers, by transport', 'transport', TRANSPORTS);
    this.hubLatency = new HotHistogram(reg, 'framehub_hub_latency_seconds', 'Frame receive to write into the last viewer socket of a fan-out', LATENCY_BUCKETS);
    this.statsMessages = new Counter({ name: 'framehub_camera_stats_messages_total', help: 'Camera stats messages, by result', labelNames: ['result'], registers: r });
    this.snapshots = new HotCounter(reg, 'framehub_snapshot_requests_total', 'frame.jpg requests by HTTP status', 'status');
    this.#sent = Object.fromEntries(TRANSPORTS.map((t) => [t, { frames: this.framesSent.series(t), bytes: this.bytesSent.series(t) }])) as Record<Transport, { frames: HotSeries; bytes: HotSeries }>;
    this.#dropped = Object.fromEntries(DROP_REASONS.map((d) => [d, this.framesDropped.series(d)])) as Record<DropReason, HotSeries>;
    this.cameras.set({ shard: String(shard) }, 0);
    const label = { shard: String(shard) };
    new Gauge({ name: 'framehub_shard_viewers', help: 'Viewers (MJPEG and WS) connected to this shard worker', labelNames: ['shard'], registers: r, collect() {
      this.set(label, viewerTotal());
    } });
    // Event loop delay over fixed windows (the last complete one is reported), so several
    // scrapers see the same figures. The histogram records the whole timer interval
    // (resolution + delay): subtract the resolution.
    const resolutionMs = 10;
    const loop = monitorEventLoopDelay({ resolution: resolutionMs });
    loop.enable();
    const lag = (ns: number): number => Math.max(0, ns / 1e9 - resolutionMs / 1000);
    const window = { p99: 0, mean: 0 };
    setInterval(() => {
      window.p99 = loop.count ? lag(loop.percentile(99)) : 0;
      window.mean = loop.count ? lag(loop.mean) : 0;
      loop.reset();
    }, EVENT_LOOP_WINDOW_MS).unref();
    new Gauge({ name: 'framehub_shard_event_loop_delay_p99_seconds', help: `Event loop delay p99 of this shard worker over the last ${EVENT_LOOP_WINDOW_MS / 1000} s window`, labelNames: ['shard'], registers: r, collect() {
      this.set(label, window.p99);
    } });
    new Gauge({ name: 'framehub_shard_event_loop_delay_mean_seconds', help: `Mean event loop delay of this shard worker over the last ${EVENT_LOOP_WINDOW_MS / 1000} s window`, labelNames: ['shard'], registers: r, collect() {
      this.set(label, window.mean);
    } });
    // Each worker is its own V8 isolate: prom-client's nodejs_heap_* series cover the primary only.
    new Gauge({ name: 'framehub_shard_heap_used_bytes', help: 'V8 heap in use by this shard worker\'s isolate', labelNames: ['shard'], registers: r, collect() {
      this.set(label, getHeapStatistics().used_heap_size);
    } });
    for (const side of ['camera', 'viewer'] as const) for (const code of CLOSE_CODES[side]) this.closes.inc({ side, code: String(code) }, 0);
    for (const transport of ['mjpeg', 'ws', 'wall'] as const) this.viewers.inc({ transport }, 0);
  }
}

/** Creates the per-app ingest series at 0 (on every app table the worker receives). */
export function initAppSeries(m: WorkerMetrics, apps: string[]): void {
  for (const app of apps) m.ingestSeries(app);
}

/** One camera's figures, for the per-camera series (FRAMEHUB_PER_CAMERA_METRICS). */
export interface CameraSeries {
  app: string;
  room: string;
  live: boolean;
  fps: number;
  frames: number;
  bytes: number;
  drops: number;
  frameAgeSec: number;
  viewers: number;
  reconnects: number;
  rssi: number | null;
  heapFree: number | null;
}

/** Metrics of the primary: admission, supervision, link capacity, process, per camera. */
export class PrimaryMetrics {
  readonly registry = new Registry();
  readonly handshakeRejections: Counter<'code' | 'reason'>;
  readonly workerRestarts: Counter<'shard'>;
  readonly apiRequests: Counter<'status'>;

  constructor(opts: {
    linkCapacityBps: number;
    nodeId: string;
    version: string;
    cameras: () => { app: string }[];
    perCamera: (() => Promise<CameraSeries[]>) | null;
    /** null on a single node; else whether Redis replication is connected. */
    replicationConnected: (() => boolean) | null;
    /** null on a single node; else what replication refused, gaps, snapshot loads. */
    replicationCounts?: (() => ReplicationFigures) | null;
    shards: number;
    apps: () => string[];
    /** Reason tokens a handshake can be refused with, and their close codes. */
    rejectionReasons: [string, number][];
  }) {
    const r = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // These default gauges end in _total, which `promtool check metrics` rejects.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    this.handshakeRejections = new Counter({ name: 'framehub_handshake_rejections_total', help: 'Camera handshakes refused, by close code and reason', labelNames: ['code', 'reason'], registers: r });
    this.workerRestarts = new Counter({ name: 'framehub_worker_restarts_total', help: 'Shard workers restarted after they died', labelNames: ['shard'], registers: r });
    this.apiRequests = new Counter({ name: 'framehub_api_requests_total', help: 'Control API requests by HTTP status', labelNames: ['status'], registers: r });
    for (let shard = 0; shard < opts.shards; shard++) this.workerRestarts.inc({ shard: String(shard) }, 0);
    for (const [reason, code] of opts.rejectionReasons) this.handshakeRejections.inc({ code: String(code), reason }, 0);
    new Gauge({ name: 'framehub_node_info', help: 'This node: its name (FRAMEHUB_NODE_ID) and version', labelNames: ['node', 'version'], registers: r, collect() {
      this.set({ node: opts.nodeId, version: opts.version }, 1);
    } });
    if (opts.replicationConnected) {
      const connected = opts.replicationConnected;
      new Gauge({ name: 'framehub_cluster_replication_connected', help: 'Redis replication of the control plane is connected (1) or not (0: writes refused)', registers: r, collect() {
        this.set(connected() ? 1 : 0);
      } });
    }
    if (opts.replicationCounts) this.#replication(opts.replicationCounts);
    new Gauge({ name: 'framehub_link_capacity_bytes_per_second', help: 'Configured network link capacity (FRAMEHUB_LINK_CAPACITY_BPS / 8)', registers: r, collect() {
      this.set(opts.linkCapacityBps / 8);
    } });
    new Gauge({ name: 'framehub_cameras_connected', help: 'Cameras connected, by app', labelNames: ['app'], registers: r, collect() {
      this.reset();
      const counts = new Map<string, number>(opts.apps().map((a) => [a, 0]));
      for (const c of opts.cameras()) counts.set(c.app, (counts.get(c.app) ?? 0) + 1);
      for (const [app, n] of counts) this.set({ app }, n);
    } });
    if (opts.perCamera) this.#perCamera(opts.perCamera);
  }

  /** Replication integrity: refused entries and snapshots, gaps, snapshot loads (read from the Replication's counts). */
  #replication(source: () => ReplicationFigures): void {
    const r = [this.registry];
    new Counter({ name: 'framehub_cluster_replication_rejected_total', help: 'Entries, snapshots and heartbeats read from Redis that failed their checks and were skipped (unsigned, bad_signature, invalid), by kind and reason', labelNames: ['kind', 'reason'], registers: r, collect() {
      this.reset();
      for (const kind of ['entry', 'snapshot', 'heartbeat']) for (const reason of ['unsigned', 'bad_signature', 'invalid']) this.inc({ kind, reason }, 0);
      for (const [k, n] of source().rejected) {
        const [kind, reason] = k.split('|') as [string, string];
        this.inc({ kind, reason }, n);
      }
    } });
    new Counter({ name: 'framehub_cluster_replication_gaps_total', help: 'Times the change stream did not continue from this node\'s position and no newer snapshot covered the gap', registers: r, collect() {
      this.reset();
      this.inc(source().gaps);
    } });
    new Counter({ name: 'framehub_cluster_snapshot_loads_total', help: 'Times this node replaced its control store with the cluster snapshot, by reason (join, gap, behind)', labelNames: ['reason'], registers: r, collect() {
      this.reset();
      for (const reason of ['join', 'gap', 'behind']) this.inc({ reason }, source().snapshotLoads.get(reason) ?? 0);
    } });
  }

  /** About ten series per camera, computed at scrape time from the frame slots and stats. */
  #perCamera(source: () => Promise<CameraSeries[]>): void {
    const r = [this.registry];
    const labels = ['app', 'room'] as const;
    let snapshot: Promise<CameraSeries[]> | null = null;
    // One source read per scrape, shared by every per-camera metric.
    const rows = (): Promise<CameraSeries[]> => {
      snapshot ??= source().finally(() => setImmediate(() => (snapshot = null)));
      return snapshot;
    };
    const gauge = (name: string, help: string, pick: (c: CameraSeries) => number | null): void => {
      new Gauge({ name, help, labelNames: labels, registers: r, async collect() {
        this.reset();
        for (const c of await rows()) {
          const v = pick(c);
          if (v !== null) this.set({ app: c.app, room: c.room }, v);
        }
      } });
    };
    const counter = (name: string, help: string, pick: (c: CameraSeries) => number): void => {
      new Counter({ name, help, labelNames: labels, registers: r, async collect() {
        this.reset();
        for (const c of await rows()) this.inc({ app: c.app, room: c.room }, pick(c));
      } });
    };
    gauge('framehub_camera_up', 'Camera connected (1) or away within the reconnect grace period (0)', (c) => (c.live ? 1 : 0));
    gauge('framehub_camera_fps', 'Frames per second measured from this camera', (c) => c.fps);
    gauge('framehub_camera_frame_age_seconds', 'Age of the camera\'s latest frame', (c) => c.frameAgeSec);
    gauge('framehub_camera_viewers', 'Viewers of this camera on every worker', (c) => c.viewers);
    gauge('framehub_camera_rssi_dbm', 'WiFi RSSI from the camera\'s last stats message', (c) => c.rssi);
    gauge('framehub_camera_heap_free_bytes', 'Free heap from the camera\'s last stats message', (c) => c.heapFree);
    counter('framehub_camera_frames_total', 'Frames accepted from this camera (resets when its room ends)', (c) => c.frames);
    counter('framehub_camera_received_bytes_total', 'Bytes accepted from this camera (resets when its room ends)', (c) => c.bytes);
    counter('framehub_camera_dropped_frames_total', 'Frames of this camera dropped on ingest (resets when its room ends)', (c) => c.drops);
    counter('framehub_camera_reconnects_total', 'Connections of this camera after the first, since its room opened', (c) => c.reconnects);
  }
}
