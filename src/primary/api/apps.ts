// Apps: `/api/v1/apps`. Features (wsIngest, publicPlayback), the camera quota and per-app
// overrides of the protocol limits (they appear in `ready` for the next connection).
// Turning WS ingest off closes the app's live cameras (4403); deleting the app closes them
// with 4401 `unknown_app` and removes its keys and app-restricted tokens.
// Creating is create-if-absent and PATCH is field-level, both decided when the change is
// applied: two creations of one name (on one node or two) give one 201 and one 409, and
// concurrent PATCHes of different fields all stick.
import { CodedError } from '../../errors.js';
import { defaultApp, type App } from '../../keys.js';
import { requireApp, type ApiDeps } from './context.js';
import { ok, type Route } from './router.js';
import { appCreateSchema, appUpdateSchema } from '../../control/bodies.js';
import { validate } from '../../control/validate.js';

export function appView(deps: ApiDeps, app: App) {
  return {
    name: app.name,
    wsIngest: app.wsIngest,
    publicPlayback: app.publicPlayback,
    maxCameras: app.maxCameras,
    maxFps: app.maxFps,
    maxFrameBytes: app.maxFrameBytes,
    idleTimeoutSec: app.idleTimeoutSec,
    createdAt: new Date(app.createdAt).toISOString(),
    liveCameras: deps.cameras.countForApp(app.name),
  };
}

export function appRoutes(deps: ApiDeps): Route[] {
  const Create = appCreateSchema(deps.config.maxFrameBytes);
  const Update = appUpdateSchema(deps.config.maxFrameBytes);
  return [
    {
      method: 'GET', pattern: '/api/v1/apps', scope: 'apps:read',
      handler: ({ token }) => ok(200, deps.store.listApps().filter((a) => token.app === null || a.name === token.app).map((a) => appView(deps, a))),
    },
    {
      method: 'POST', pattern: '/api/v1/apps', scope: 'apps:write',
      handler: async ({ json, token }) => {
        if (token.app !== null) throw new CodedError('forbidden', `this token is restricted to app ${token.app}`);
        const body = validate(Create, json());
        if (deps.store.getApp(body.name)) throw new CodedError('conflict', `app ${body.name} exists`);
        const app: App = { ...defaultApp(body.name), ...body };
        if (!(await deps.store.createApp(app))) throw new CodedError('conflict', `app ${body.name} exists (created at the same time elsewhere)`);
        deps.appsChanged();
        deps.log.info({ event: 'app_created', app: app.name }, 'app created');
        return ok(201, appView(deps, app));
      },
    },
    {
      method: 'GET', pattern: '/api/v1/apps/:app', scope: 'apps:read',
      handler: ({ params }) => ok(200, appView(deps, requireApp(deps, params.app!))),
    },
    {
      method: 'PATCH', pattern: '/api/v1/apps/:app', scope: 'apps:write',
      handler: async ({ params, json }) => {
        const app = requireApp(deps, params.app!);
        const body = validate(Update, json());
        const next = await deps.store.updateApp(app.name, body);
        if (!next) throw new CodedError('not_found', `unknown app ${app.name} (deleted meanwhile)`);
        deps.appsChanged();
        if (app.wsIngest && !next.wsIngest) deps.cameras.kickWhere((c) => c.app === app.name, 'ws_ingest_disabled', 'WS ingest was disabled for this app');
        deps.log.info({ event: 'app_updated', app: app.name, changed: Object.keys(body) }, 'app updated');
        return ok(200, appView(deps, next));
      },
    },
    {
      method: 'DELETE', pattern: '/api/v1/apps/:app', scope: 'apps:write',
      handler: async ({ params }) => {
        const app = requireApp(deps, params.app!);
        await deps.store.deleteApp(app.name);
        deps.appsChanged();
        const closed = deps.cameras.kickWhere((c) => c.app === app.name, 'unknown_app', 'the app was deleted');
        deps.log.info({ event: 'app_deleted', app: app.name, closedCameras: closed }, 'app deleted');
        return ok(200, { deleted: app.name, closedCameras: closed });
      },
    },
  ];
}
