// What the camera registry's events do in the rest of the primary: a kick goes to the
// camera's worker, a refused handshake is counted (framehub_handshake_rejections_total), an
// admission enters the fleet's connection history and opens the camera's trace span.
import type { PrimaryMetrics } from '../telemetry.js';
import type { Tracing } from '../tracing.js';
import type { CameraHooks } from './cameras.js';
import type { FleetHealth } from './fleet.js';
import type { ShardPool } from './shardPool.js';
import { CloseReason } from '../errors.js';

export function cameraHooks(pool: Pick<ShardPool, 'post'>, metrics: PrimaryMetrics, fleet: FleetHealth, tracing: Tracing | null): CameraHooks {
  return {
    kick: (shard, connId, reason, message) => pool.post(shard, { type: 'kick', connId, reason, message }),
    rejected: (reason) => metrics.handshakeRejections.inc({ code: String(CloseReason[reason]), reason }),
    admitted: (c, streamId) => {
      fleet.connected(c.room);
      tracing?.cameraOpened({ connId: c.connId, app: c.app, room: c.room, keyId: c.keyId, streamId, shard: c.shard, identity: c.identity });
    },
  };
}
