// Camera keys: `/api/v1/apps/:app/ws-ingest`. A key is shown once, at minting; lists
// never carry the secret.
import { z } from 'zod';
import { CodedError } from '../../errors.js';
import { fullRoom, type CameraKey } from '../../keys.js';
import type { LastClose } from '../cameras.js';
import { IDENTITY, ROOM_NAME, ROOM_NAME_RULE } from '../../names.js';
import type { ApiDeps } from './index.js';
import { ok, type Route } from './router.js';
import { streamUrls } from './urls.js';
import { validate } from './validate.js';

/** Body of key minting (also used by the CLI). */
export const MintBody = z.strictObject({
  room: z.string({ message: 'must be a string' }).regex(ROOM_NAME, ROOM_NAME_RULE),
  identity: z.string({ message: 'must be a string' }).min(1).max(64, 'must be at most 64 characters').regex(IDENTITY, 'must be printable ASCII').optional(),
});

export function requireApp(deps: ApiDeps, name: string) {
  const app = deps.store.getApp(name);
  if (!app) throw new CodedError('not_found', `unknown app ${name}`);
  return app;
}

/** A remembered camera close as the API shows it (null: none since the node started). */
export function closeView(close: LastClose | undefined): { code: number; reason: string; at: string } | null {
  return close ? { code: close.code, reason: close.reason, at: new Date(close.at).toISOString() } : null;
}

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
