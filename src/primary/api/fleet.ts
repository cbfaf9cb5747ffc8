// The fleet view of an app in one request: `GET /api/v1/apps/:app/fleet` answers every room
// (keys merged with live streams: state, figures, health flags), the totals of the summary
// strip and the node's traffic against its link. The dashboard polls this one route for
// the whole app instead of one request per camera.
import { FleetHealth } from '../fleet.js';
import type { ApiDeps } from './context.js';
import type { ControlService } from '../../control/service.js';
import { ok, type Route } from './router.js';

export function fleetRoutes(deps: ApiDeps, control: ControlService): Route[] {
  return [
    {
      method: 'GET', pattern: '/api/v1/apps/:app/fleet', scope: 'ingress:read',
      handler: async ({ params }) => {
        const app = control.requireApp(params.app!);
        const viewers = await deps.viewerCounts();
        const traffic = deps.traffic.rates();
        const rooms = deps.fleet.rooms(app.name, deps.fleet.keys(app.name), viewers);
        return ok(200, {
          app: app.name,
          at: new Date().toISOString(),
          node: deps.nodeId,
          summary: FleetHealth.count(rooms),
          traffic: { ...traffic, linkCapacityBytesPerSec: deps.config.linkCapacityBps / 8 },
          thresholds: deps.fleet.thresholds,
          rooms,
        });
      },
    },
  ];
}
