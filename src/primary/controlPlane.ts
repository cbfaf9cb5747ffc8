// Wiring of the control plane into the primary: the control API (src/primary/api) over the
// live node's parts, and on a cluster node the cluster view (heartbeats through Redis).
// The only file of src/primary/ that imports the api folder (server.ts wires this one).
import { ClusterNodes, type NodeView } from '../cluster/nodes.js';
import type { Replication } from '../cluster/replication.js';
import type { ApiRequest, ApiResponse } from '../protocol.js';
import { createApi, type ApiDeps } from './api/index.js';
import { localStreamViews, type StreamView } from '../control/streams.js';

/** Cluster heartbeat interval (a dead node leaves the cluster view after three). */
const CLUSTER_HEARTBEAT_MS = 2000;

export interface ControlPlane {
  /** Answers one API request a worker received. */
  answer(req: ApiRequest): Promise<ApiResponse>;
  stop(): void;
}

/** Everything the API needs but the cluster view, which this adds from `replication`. */
export type ControlPlaneDeps = Omit<ApiDeps, 'remoteStreams' | 'clusterNodes'>;

export function startControlPlane(deps: ControlPlaneDeps, replication: Replication | null): ControlPlane {
  let cluster: ClusterNodes<StreamView> | null = null;
  const { rooms, cameras, rates, nodeId } = deps;
  const apiDeps: ApiDeps = {
    ...deps,
    remoteStreams: async () => (cluster ? cluster.remoteStreams() : []),
    clusterNodes: async (app = null): Promise<NodeView[]> => {
      if (cluster) return cluster.nodes(app);
      const mine = rooms.list().filter((r) => app === null || r.app === app);
      return [{ node: nodeId, self: true, at: new Date().toISOString(), streams: mine.length, cameras: cameras.list().filter((c) => app === null || c.app === app).length, bytesInPerSec: Math.round(mine.reduce((n, r) => n + rates.get(r.room).bytesPerSec, 0)) }];
    },
  };
  const answer = createApi(apiDeps);
  if (replication) {
    cluster = new ClusterNodes(replication.redis, deps.config.redisPrefix, nodeId, CLUSTER_HEARTBEAT_MS, () => localStreamViews(apiDeps), deps.log, replication.keys, (reason) => replication.countRejected('heartbeat', reason));
  }
  return { answer, stop: () => cluster?.stop() };
}
