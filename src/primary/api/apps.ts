// Apps: `/api/v1/apps`. Features (wsIngest, publicPlayback), the camera quota and per-app
// overrides of the protocol limits (they appear in `ready` for the next connection).
// Turning WS ingest off closes the app's live cameras (4403); deleting the app closes them
// with 4401 `unknown_app` and removes its keys and app-restricted tokens.
// Creating is create-if-absent and PATCH is field-level, both decided when the change is
// applied: two creations of one name (on one node or two) give one 201 and one 409, and
// concurrent PATCHes of different fields all stick.
import { CodedError } from '../../errors.js';
import type { App } from '../../keys.js';
import type { ControlService } from '../../control/service.js';
import { appView } from '../../control/views.js';
import type { ApiDeps } from './context.js';
import { ok, type Route } from './router.js';

/** An app as the API shows it: the shared view and its live cameras on this node. */
function apiAppView(deps: ApiDeps, app: App) {
  return { ...appView(app), liveCameras: deps.cameras.countForApp(app.name) };
}

export function appRoutes(deps: ApiDeps, control: ControlService): Route[] {
  return [
    {
      method: 'GET', pattern: '/api/v1/apps', scope: 'apps:read',
      handler: ({ token }) => ok(200, deps.store.listApps().filter((a) => token.app === null || a.name === token.app).map((a) => apiAppView(deps, a))),
    },
    {
      method: 'POST', pattern: '/api/v1/apps', scope: 'apps:write',
      handler: async ({ json, token }) => {
        if (token.app !== null) throw new CodedError('forbidden', `this token is restricted to app ${token.app}`);
        return ok(201, apiAppView(deps, await control.createApp(json())));
      },
    },
    {
      method: 'GET', pattern: '/api/v1/apps/:app', scope: 'apps:read',
      handler: ({ params }) => ok(200, apiAppView(deps, control.requireApp(params.app!))),
    },
    {
      method: 'PATCH', pattern: '/api/v1/apps/:app', scope: 'apps:write',
      handler: async ({ params, json }) => ok(200, apiAppView(deps, await control.updateApp(params.app!, json()))),
    },
    {
      method: 'DELETE', pattern: '/api/v1/apps/:app', scope: 'apps:write',
      handler: async ({ params }) => ok(200, await control.deleteApp(params.app!)),
    },
  ];
}
