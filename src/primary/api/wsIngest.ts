// Camera keys: `/api/v1/apps/:app/ws-ingest`. A key is shown once, at minting; lists
// never carry the secret.
import { fullRoom, type CameraKey } from '../../keys.js';
import type { ApiDeps } from './context.js';
import { ok, type Route } from './router.js';
import type { ControlService } from '../../control/service.js';
import { closeView, keyView } from '../../control/views.js';
import { mintedView } from '../../control/bulk.js';

/** A key as the API shows it: the shared view, and whether it is live on this node with its last close. */
function apiKeyView(deps: ApiDeps, key: CameraKey) {
  const live = deps.cameras.byRoom(fullRoom(key.app, key.room));
  return { ...keyView(key), live: live?.keyId === key.id, lastClose: closeView(deps.cameras.lastCloseOfKey(key.id)) };
}

export function wsIngestRoutes(deps: ApiDeps, control: ControlService): Route[] {
  return [
    {
      method: 'POST', pattern: '/api/v1/apps/:app/ws-ingest', scope: 'ingress:create',
      handler: async ({ params, json }) => {
        const { key, secret } = await control.mintKey(params.app!, json());
        return ok(201, mintedView(deps.publicBase(), key, secret));
      },
    },
    {
      method: 'GET', pattern: '/api/v1/apps/:app/ws-ingest', scope: 'ingress:read',
      handler: ({ params }) => ok(200, control.listKeys(params.app!).map((k) => apiKeyView(deps, k))),
    },
    {
      method: 'DELETE', pattern: '/api/v1/apps/:app/ws-ingest/:id', scope: 'ingress:delete',
      handler: async ({ params }) => ok(200, await control.revokeKey(params.id!, params.app!)),
    },
  ];
}
