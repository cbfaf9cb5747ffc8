// Loggers and metric definitions. One pino logger per thread (fd 1, async), with a
// `shard` field in workers; one prom-client Registry per thread, aggregated by the primary.
// Nothing here is called per frame except counter increments.
import pino from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type Logger = pino.Logger;

/** Paths whose values never reach a log line. */
const REDACT = ['key', 'token', 'authorization', 'streamKey', 'secret', 'headers.authorization', 'req.headers.authorization', 'query'];

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    { level, base: { pid: process.pid, ...bindings }, redact: { paths: REDACT, censor: '[redacted]' } },
    pino.destination({ fd: 1, sync: false }),
  );
}

/** Hub latency buckets: 50 µs .. 1 s. */
const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export type DropReason = 'rate_limit' | 'oversize' | 'not_jpeg' | 'slow_viewer' | 'replaced' | 'writer_busy';
export type Transport = 'mjpeg' | 'ws' | 'snapshot';

/** Metrics kept by each shard worker. */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly framesReceived: Counter<'app'>;
  readonly bytesReceived: Counter<'app'>;
  readonly framesDropped: Counter<'reason'>;
  readonly closes: Counter<'side' | 'code'>;
  readonly cameras: Gauge<'shard'>;
  readonly viewers: Gauge<'transport'>;
  readonly framesSent: Counter<'transport'>;
  readonly bytesSent: Counter<'transport'>;
  readonly hubLatency: Histogram;
  readonly statsMessages: Counter<'result'>;

  constructor(shard: number) {
    const r = [this.registry];
    this.framesReceived = new Counter({ name: 'framehub_frames_received_total', help: 'JPEG frames accepted from cameras', labelNames: ['app'], registers: r });
    this.bytesReceived = new Counter({ name: 'framehub_received_bytes_total', help: 'Bytes of accepted frames from cameras', labelNames: ['app'], registers: r });
    this.framesDropped = new Counter({ name: 'framehub_frames_dropped_total', help: 'Frames not relayed, by reason', labelNames: ['reason'], registers: r });
    this.closes = new Counter({ name: 'framehub_ws_closes_total', help: 'WebSocket closes by side (camera/viewer) and close code', labelNames: ['side', 'code'], registers: r });
    this.cameras = new Gauge({ name: 'framehub_shard_cameras', help: 'Cameras connected to this shard worker', labelNames: ['shard'], registers: r });
    this.viewers = new Gauge({ name: 'framehub_viewers', help: 'Viewers connected, by transport', labelNames: ['transport'], registers: r });
    this.framesSent = new Counter({ name: 'framehub_frames_sent_total', help: 'Frames written to viewers, by transport', labelNames: ['transport'], registers: r });
    this.bytesSent = new Counter({ name: 'framehub_sent_bytes_total', help: 'Bytes written to viewers, by transport', labelNames: ['transport'], registers: r });
    this.hubLatency = new Histogram({ name: 'framehub_hub_latency_seconds', help: 'Frame receive to write into the last viewer socket of a fan-out', buckets: LATENCY_BUCKETS, registers: r });
    this.statsMessages = new Counter({ name: 'framehub_camera_stats_messages_total', help: 'Camera stats messages, by result', labelNames: ['result'], registers: r });
    this.cameras.set({ shard: String(shard) }, 0);
  }
}
