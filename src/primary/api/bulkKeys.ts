// Bulk camera keys: `POST /api/v1/apps/:app/ws-ingest/bulk` mints up to BULK_MAX keys in one
// all-or-nothing call (the secrets shown once, in the answer), and
// `POST /api/v1/apps/:app/ws-ingest/bulk-revoke` revokes many keys, closing their live
// cameras with 4401. A refused call answers 400 with one error per item and changes nothing.
import type { ApiResponse } from '../../protocol.js';
import { BulkError, BulkMintBody, BulkRevokeBody, mintedView, BULK_MAX } from '../../control/bulk.js';
import type { ApiDeps } from './context.js';
import type { ControlService } from '../../control/service.js';
import { ok, type Route } from './router.js';
import { validate } from '../../control/validate.js';

/** A BulkError becomes its answer with the per-item list; anything else goes on up. */
async function answer(work: () => Promise<ApiResponse>): Promise<ApiResponse> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof BulkError) return { status: err.status, body: err.body() };
    throw err;
  }
}

export function bulkKeyRoutes(deps: ApiDeps, control: ControlService): Route[] {
  return [
    {
      method: 'POST', pattern: '/api/v1/apps/:app/ws-ingest/bulk', scope: 'ingress:create',
      handler: ({ params, json }) => answer(async () => {
        const app = control.requireApp(params.app!);
        const body = validate(BulkMintBody, json());
        const minted = await control.bulkMint(app.name, body.cameras, { allowExistingRooms: body.allowExistingRooms });
        const base = deps.publicBase();
        return ok(201, { app: app.name, minted: minted.length, limit: BULK_MAX, keys: minted.map(({ key, secret }) => mintedView(base, key, secret)) });
      }),
    },
    {
      method: 'POST', pattern: '/api/v1/apps/:app/ws-ingest/bulk-revoke', scope: 'ingress:delete',
      handler: ({ params, json }) => answer(async () => {
        const app = control.requireApp(params.app!);
        const body = validate(BulkRevokeBody, json());
        const { revoked, closedCameras } = await control.bulkRevoke(app.name, body);
        return ok(200, { revoked: revoked.map((k) => ({ id: k.id, room: k.room })), closedCameras });
      }),
    },
  ];
}
