// API tokens: `/api/v1/tokens`. A token is shown once, at creation; lists never carry
// secrets or hashes. A token can only hand out what it has: scopes it holds, and its own
// app if it is restricted to one; and it can only revoke tokens within those bounds.
import { CodedError } from '../../errors.js';
import type { ApiToken } from '../../keys.js';
import { TokenCreate } from '../../control/bodies.js';
import { hasScope } from '../../control/scopes.js';
import type { ApiDeps } from './context.js';
import { ok, type Route } from './router.js';
import { validate } from '../../control/validate.js';

export function tokenView(t: ApiToken) {
  return { id: t.id, name: t.name, scopes: t.scopes, app: t.app, createdAt: new Date(t.createdAt).toISOString() };
}

export function tokenRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: 'GET', pattern: '/api/v1/tokens', scope: 'tokens:read',
      handler: ({ token }) => ok(200, deps.store.listTokens().filter((t) => token.app === null || t.app === token.app).map(tokenView)),
    },
    {
      method: 'POST', pattern: '/api/v1/tokens', scope: 'tokens:write',
      handler: async ({ json, token }) => {
        const body = validate(TokenCreate, json());
        const app = body.app ?? token.app;
        if (token.app !== null && app !== token.app) throw new CodedError('forbidden', `this token can only create tokens for app ${token.app}`);
        if (app !== null && !deps.store.getApp(app)) throw new CodedError('invalid_field', `app: unknown app ${app}`);
        const beyond = body.scopes.filter((s) => !(s === '*' ? token.scopes.includes('*') : hasScope(token, s)));
        if (beyond.length) throw new CodedError('forbidden', `cannot grant scopes this token lacks: ${beyond.join(', ')}`);
        const { token: created, secret } = await deps.store.createToken({ name: body.name, scopes: [...new Set(body.scopes)], app });
        deps.log.info({ event: 'token_created', tokenId: created.id, scopes: created.scopes, app }, 'API token created');
        return ok(201, { ...tokenView(created), token: secret });
      },
    },
    {
      method: 'DELETE', pattern: '/api/v1/tokens/:id', scope: 'tokens:write',
      handler: async ({ params, token }) => {
        const target = deps.store.getToken(params.id!);
        if (!target || (token.app !== null && target.app !== token.app)) throw new CodedError('not_found', `no token ${params.id}`);
        // Revoking is bounded like granting: a token cannot revoke one that holds scopes it
        // lacks (a delegated tokens:write token cannot lock the operator's admin token out).
        const beyond = target.scopes.filter((s) => !(s === '*' ? token.scopes.includes('*') : hasScope(token, s)));
        if (beyond.length) throw new CodedError('forbidden', `cannot revoke a token with scopes this token lacks: ${beyond.join(', ')}`);
        await deps.store.revokeToken(target.id);
        deps.log.info({ event: 'token_revoked', tokenId: target.id }, 'API token revoked');
        return ok(200, { revoked: target.id });
      },
    },
  ];
}
