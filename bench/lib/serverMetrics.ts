// What the server says about itself, from its Prometheus /metrics: frames dropped by
// reason and the hub latency histogram. Read before and after a window; the difference
// is what happened in it. A target without /metrics (the baseline) gives null, and the
// report falls back to what the clients measured.

export type MetricsSample = Map<string, number>;

/** Parses Prometheus text into `name{labels}` -> value. */
export function parseMetrics(text: string): MetricsSample {
  const out: MetricsSample = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    const v = Number(line.slice(sp + 1));
    if (Number.isFinite(v) || line.endsWith('Inf')) out.set(line.slice(0, sp), v);
  }
  return out;
}

function label(key: string, name: string): string | null {
  const m = new RegExp(`${name}="([^"]*)"`).exec(key);
  return m ? m[1]! : null;
}

function delta(before: MetricsSample, after: MetricsSample, metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, v] of after) {
    if (!key.startsWith(`${metric}{`) && key !== metric) continue;
    out.set(key, v - (before.get(key) ?? 0));
  }
  return out;
}

export interface ServerFigures {
  /** Frames the server dropped, by reason (rate_limit, slow_viewer, ...). */
  drops: Record<string, number>;
  framesReceived: number;
  framesSent: Record<string, number>;
  /** Upper edge of the histogram bucket holding the p99 of receive -> last viewer write, ms. */
  hubP99Ms: number | null;
  /** Worst shard worker event loop delay p99 (their last 10 s window), ms: the threads that move frames. */
  loopDelayP99Ms: number | null;
  /**
   * The primary thread's event loop lag p99, ms (prom-client resets it at every scrape, so it
   * covers the time since `before`; its monitor samples every 10 ms, which is its floor).
   */
  primaryLagP99Ms: number | null;
  /** Cameras and viewers on each shard worker at the end of the window (framehub_shard_cameras/_viewers), by shard number. */
  shards: { cameras: number[]; viewers: number[] };
}

/** A per-shard gauge as an array indexed by the `shard` label. */
function perShard(sample: MetricsSample, metric: string): number[] {
  const out: number[] = [];
  for (const [key, v] of sample) {
    if (!key.startsWith(`${metric}{`)) continue;
    const shard = Number(label(key, 'shard'));
    if (Number.isInteger(shard) && shard >= 0 && shard < 64) out[shard] = (out[shard] ?? 0) + v;
  }
  return Array.from(out, (v) => v ?? 0);
}

export function serverFigures(before: MetricsSample, after: MetricsSample): ServerFigures {
  const drops: Record<string, number> = {};
  for (const [key, v] of delta(before, after, 'framehub_frames_dropped_total')) {
    const reason = label(key, 'reason') ?? 'unknown';
    if (v > 0) drops[reason] = (drops[reason] ?? 0) + v;
  }
  let framesReceived = 0;
  for (const v of delta(before, after, 'framehub_frames_received_total').values()) framesReceived += v;
  const framesSent: Record<string, number> = {};
  for (const [key, v] of delta(before, after, 'framehub_frames_sent_total')) {
    const t = label(key, 'transport') ?? 'all';
    framesSent[t] = (framesSent[t] ?? 0) + v;
  }
  const buckets = [...delta(before, after, 'framehub_hub_latency_seconds_bucket')]
    .map(([key, v]) => ({ le: Number(label(key, 'le') === '+Inf' ? Infinity : label(key, 'le')), v }))
    .sort((a, b) => a.le - b.le);
  let hubP99Ms: number | null = null;
  const total = buckets.at(-1)?.v ?? 0;
  if (total > 0) {
    const hit = buckets.find((b) => b.v >= 0.99 * total);
    hubP99Ms = hit && Number.isFinite(hit.le) ? hit.le * 1000 : null;
  }
  let loop: number | null = null;
  for (const [key, v] of after) if (key.startsWith('framehub_shard_event_loop_delay_p99_seconds')) loop = Math.max(loop ?? 0, v);
  const lag = after.get('nodejs_eventloop_lag_p99_seconds');
  const shards = { cameras: perShard(after, 'framehub_shard_cameras'), viewers: perShard(after, 'framehub_shard_viewers') };
  return { drops, framesReceived, framesSent, hubP99Ms, loopDelayP99Ms: loop === null ? null : loop * 1000, primaryLagP99Ms: lag === undefined ? null : lag * 1000, shards };
}
