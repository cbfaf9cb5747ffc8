// API tokens: `/api/v1/tokens`. A token is shown once, at creation; lists never carry
// secrets or hashes. A token can only hand out what it has: scopes it holds, and its own
// app if it is restricted to one; and it can only revoke tokens within those bounds.
import type { ControlService } from '../../control/service.js';
import { tokenView } from '../../control/views.js';
import type { ApiDeps } from './context.js';
import { ok, type Route } from './router.js';

export function tokenRoutes(deps: ApiDeps, control: ControlService): Route[] {
  return [
    {
      method: 'GET', pattern: '/api/v1/tokens', scope: 'tokens:read',
      handler: ({ token }) => ok(200, deps.store.listTokens().filter((t) => token.app === null || t.app === token.app).map(tokenView)),
    },
    {
      method: 'POST', pattern: '/api/v1/tokens', scope: 'tokens:write',
      handler: async ({ json, token }) => {
        const { token: created, secret } = await control.createToken(json(), token);
        return ok(201, { ...tokenView(created), token: secret });
      },
    },
    {
      method: 'DELETE', pattern: '/api/v1/tokens/:id', scope: 'tokens:write',
      handler: async ({ params, token }) => ok(200, await control.revokeToken(params.id!, token)),
    },
  ];
}
