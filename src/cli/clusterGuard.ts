// The CLI's rule on a cluster node: it reads the local store, but writes nothing there.
// A change written straight into one node's LMDB would bypass the replicated stream: the
// other nodes would never see it, and the next snapshot load would silently undo it. So
// every CLI command that writes calls `assertCliMayWrite` first, and on a cluster node it
// stops with a clear message pointing at the API (any node's, it replicates the change).
import { CodedError } from '../errors.js';
import type { ControlStore } from '../keys.js';

/**
 * Throws CodedError `cluster_node` if this data dir belongs to a cluster node (its server
 * last ran with FRAMEHUB_REDIS_URL) or if FRAMEHUB_REDIS_URL is set in the CLI's own
 * environment (a node about to join, whose local state the cluster's would replace).
 */
export function assertCliMayWrite(store: ControlStore, env: NodeJS.ProcessEnv, what: string): void {
  const prefix = store.clusterMembership();
  const redis = env.FRAMEHUB_REDIS_URL !== undefined && env.FRAMEHUB_REDIS_URL !== '';
  if (prefix === null && !redis) return;
  const why = prefix !== null ? `this data dir belongs to a node of the cluster "${prefix}"` : 'FRAMEHUB_REDIS_URL is set (this node is, or is about to be, a cluster node)';
  throw new CodedError(
    'cluster_node',
    `refusing to ${what}: ${why}. A change written into one node's store would not reach the other nodes and would be undone by the next snapshot; ` +
      'make it through the control API of any node instead (it is replicated), e.g. curl -X POST https://<node>/api/v1/apps/live/ws-ingest -H "Authorization: Bearer $TOKEN" ' +
      "-H 'Content-Type: application/json' -d '{\"room\":\"cam1\"}' (docs/api.md). Listing works here; a lost admin token is replaced by setting FRAMEHUB_ADMIN_TOKEN and restarting one node (docs/cluster.md).",
  );
}
