// The primary's metrics, in one registry: PrimaryMetrics (admission, supervision, API,
// node and replication, per camera when FRAMEHUB_PER_CAMERA_METRICS is on), the per-app
// fleet gauges (fleetMetrics.ts) and which shard workers accept new connections; and what
// each control API answer adds (a count by status, a trace span).
// Everything is read at scrape time; nothing is counted per frame here.
import { Gauge } from 'prom-client';
import type { Replication } from '../cluster/replication.js';
import type { Config } from '../config.js';
import { CloseReason, HANDSHAKE_REFUSALS } from '../errors.js';
import type { ControlStore } from '../keys.js';
import type { ApiRequest, ApiResponse } from '../protocol.js';
import type { FrameArena } from '../slots.js';
import { PrimaryMetrics } from '../telemetry.js';
import type { Tracing } from '../tracing.js';
import { VERSION } from '../version.js';
import type { ViewerCounts } from '../control/views.js';
import type { AcceptBalancer } from './acceptBalancer.js';
import type { CameraRegistry } from './cameras.js';
import { cameraSeries } from './cameraSeries.js';
import type { FleetHealth } from './fleet.js';
import { registerFleetMetrics } from './fleetMetrics.js';
import type { RoomTable } from './rooms.js';
import type { ShardPool } from './shardPool.js';
import type { StreamRates } from './streamRates.js';

export interface PrimaryMetricsSources {
  config: Config;
  nodeId: string;
  replication: Replication | null;
  store: ControlStore;
  /** A getter: the registry is made after the metrics its hooks count into. */
  cameras: () => CameraRegistry;
  rooms: RoomTable;
  arena: FrameArena;
  rates: StreamRates;
  fleet: FleetHealth;
  viewerCounts(): Promise<Map<string, ViewerCounts>>;
  pool: Pick<ShardPool, 'alive'>;
  /** Null when every worker accepts (FRAMEHUB_ACCEPT=all, or one worker). */
  balancer: AcceptBalancer | null;
}

export function primaryMetrics(s: PrimaryMetricsSources): PrimaryMetrics {
  const { config, replication } = s;
  const apps = (): string[] => s.store.listApps().map((a) => a.name);
  const metrics = new PrimaryMetrics({
    linkCapacityBps: config.linkCapacityBps,
    nodeId: s.nodeId,
    version: VERSION,
    replicationConnected: replication ? () => replication.connected : null,
    replicationCounts: replication ? () => replication.counts : null,
    shards: config.workers,
    apps,
    rejectionReasons: HANDSHAKE_REFUSALS.map((r) => [r, CloseReason[r]]),
    cameras: () => s.cameras().list(),
    perCamera: config.perCameraMetrics ? () => cameraSeries({ rooms: s.rooms, arena: s.arena, rates: s.rates, cameras: s.cameras(), viewerCounts: s.viewerCounts }) : null,
  });
  registerFleetMetrics(metrics.registry, s.fleet, apps);
  new Gauge({ name: 'framehub_shard_accepting', help: 'Whether this shard worker accepts new connections (1) or not (0); see FRAMEHUB_ACCEPT', labelNames: ['shard'], registers: [metrics.registry], collect() {
    for (let i = 0; i < config.workers; i++) this.set({ shard: String(i) }, s.pool.alive(i) && (s.balancer ? s.balancer.accepting[i] : true) ? 1 : 0);
  } });
  return metrics;
}

/** Counts every control API answer by status and traces it. */
export function observeApi(metrics: PrimaryMetrics, tracing: Tracing | null) {
  return (req: ApiRequest, route: string | null, app: string | undefined, res: ApiResponse, startMs: number): void => {
    metrics.apiRequests.inc({ status: String(res.status) });
    tracing?.apiRequest(req.method, route, app, res.status, startMs);
  };
}
