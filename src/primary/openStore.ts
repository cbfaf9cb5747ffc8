// The control store as a node opens it at boot: the LMDB store in the data dir, on a cluster
// node with Redis replication in front of its writes (ioredis is loaded only then), and the
// admin token bootstrapped (FRAMEHUB_ADMIN_TOKEN, or one generated and printed once).
import type { Config } from '../config.js';
import type { Replication } from '../cluster/replication.js';
import { ControlStore } from '../keys.js';
import type { Logger } from '../telemetry.js';

export interface OpenedStore {
  store: ControlStore;
  /** Null on a single node. */
  replication: Replication | null;
  /** The admin token if this start generated it (printed once), else null. */
  generatedAdminToken: string | null;
  /** When FRAMEHUB_ADMIN_TOKEN's value was revoked (so it was not re-applied), else null. */
  adminTokenRevokedAt: number | null;
}

export async function openStore(config: Config, nodeId: string, log: Logger): Promise<OpenedStore> {
  const store = new ControlStore(config.dataDir);
  // Loaded only on a cluster node: ioredis is ~3 MB of heap a single node does not need.
  const replication = config.redisUrl
    ? await (await import('../cluster/replication.js')).Replication.start(store, { url: config.redisUrl, prefix: config.redisPrefix, nodeId, secret: config.clusterSecret!, snapshotEvery: config.redisSnapshotEvery }, log)
    : null;
  if (replication) store.useCommitter(replication.commit);
  // The CLI reads this to refuse local writes on a cluster node (src/cli/clusterGuard.ts).
  await store.setClusterMembership(replication ? config.redisPrefix : null);
  const { generatedAdminToken, adminTokenRevokedAt } = await store.bootstrap(config.adminToken).catch((err: Error) => {
    // A fresh node of a cluster whose Redis is away cannot bootstrap: it starts empty.
    if (!replication) throw err;
    log.warn({ err: err.message }, 'could not bootstrap through the cluster yet');
    return { generatedAdminToken: null, firstStart: false, adminTokenRevokedAt: null };
  });
  if (adminTokenRevokedAt !== null) {
    log.warn(
      { event: 'admin_token_revoked', revokedAt: new Date(adminTokenRevokedAt).toISOString() },
      'FRAMEHUB_ADMIN_TOKEN was revoked through the API or CLI: not re-applied (it stays revoked); set a new value to bootstrap a new admin token',
    );
  }
  return { store, replication, generatedAdminToken, adminTokenRevokedAt };
}
