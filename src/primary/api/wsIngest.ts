// Camera keys: `/api/v1/apps/:app/ws-ingest`. A key is shown once, at minting; lists
// never carry the secret.
import { CodedError } from '../../errors.js';
import { fullRoom, type CameraKey } from '../../keys.js';
import { closeView, requireApp, type ApiDeps } from './context.js';
import { ok, type Route } from './router.js';
import { MintBody } from '../../control/bodies.js';
import { streamUrls } from '../../control/urls.js';
import { validate } from '../../control/validate.js';

export function keyView(deps: ApiDeps, key: CameraKey) {
  const room = fullRoom(key.app, key.room);
  const live = deps.cameras.byRoom(room);
  return {
    id: key.id, app: key.app, room, name: key.room, identity: key.identity,
    createdAt: new Date(key.createdAt).toISOString(),
    lastSeenAt: key.lastSeenAt === null ? null : new Date(key.lastSeenAt).toISOString(),
    live: live?.keyId === key.id,
    lastClose: closeView(deps.cameras.lastCloseOfKey(key.id)),
  };
}

export function wsIngestRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: 'POST', pattern: '/api/v1/apps/:app/ws-ingest', scope: 'ingress:create',
      handler: async ({ params, json }) => {
        const app = requireApp(deps, params.app!);
        const body = validate(MintBody, json());
        const { key, secret } = await deps.store.mintKey({ app: app.name, room: body.room, identity: body.identity ?? null });
        deps.log.info({ event: 'key_minted', app: app.name, room: body.room, keyId: key.id }, 'camera key minted');
        return ok(201, {
          id: key.id,
          streamKey: secret,
          room: fullRoom(app.name, key.room),
          name: key.room,
          identity: key.identity,
          ...streamUrls(deps.publicBase(), app.name, key.room),
        });
      },
    },
    {
      method: 'GET', pattern: '/api/v1/apps/:app/ws-ingest', scope: 'ingress:read',
      handler: ({ params }) => {
        const app = requireApp(deps, params.app!);
        return ok(200, deps.store.listKeys(app.name).map((k) => keyView(deps, k)));
      },
    },
    {
      method: 'DELETE', pattern: '/api/v1/apps/:app/ws-ingest/:id', scope: 'ingress:delete',
      handler: async ({ params }) => {
        const app = requireApp(deps, params.app!);
        const key = deps.store.getKey(params.id!);
        if (!key || key.app !== app.name) throw new CodedError('not_found', `no key ${params.id} in app ${app.name}`);
        await deps.store.revokeKey(key.id);
        const closed = deps.cameras.kickWhere((c) => c.keyId === key.id, 'key_revoked', 'the stream key was revoked');
        deps.log.info({ event: 'key_revoked', app: app.name, room: key.room, keyId: key.id, closedCameras: closed }, 'camera key revoked');
        return ok(200, { revoked: key.id, closedCameras: closed });
      },
    },
  ];
}
