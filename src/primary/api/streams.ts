// Live streams of an app: `/api/v1/apps/:app/streams` (this node's and, in a cluster, the
// other nodes' from their heartbeats, each with the `node` serving it), one of them by room,
// and the cluster's nodes. The views are the control service's (src/control/streams.ts).
import type { ApiDeps } from './context.js';
import type { ControlService } from '../../control/service.js';
import { ok, type Route } from './router.js';

export function streamRoutes(deps: ApiDeps, control: ControlService): Route[] {
  return [
    {
      method: 'GET', pattern: '/api/v1/apps/:app/streams', scope: 'streams:read',
      handler: async ({ params }) => ok(200, await control.streams(params.app!)),
    },
    {
      method: 'GET', pattern: '/api/v1/apps/:app/streams/:room', scope: 'streams:read',
      handler: async ({ params }) => ok(200, await control.stream(params.app!, params.room!)),
    },
    {
      // An app-restricted token sees each node's figures for its own app only.
      method: 'GET', pattern: '/api/v1/cluster/nodes', scope: 'streams:read',
      handler: async ({ token }) => ok(200, await deps.clusterNodes(token.app)),
    },
  ];
}
