// API tokens: `/api/v1/tokens`. A token is shown once, at creation; lists never carry
// secrets or hashes. A token can only hand out what it has: scopes it holds, and its own
// app if it is restricted to one; and it can only revoke tokens within those bounds.
import { z } from 'zod';
import { CodedError } from '../../errors.js';
import type { ApiToken } from '../../keys.js';
import { APP_NAME, APP_NAME_RULE } from '../../names.js';
import { hasScope, SCOPES } from './auth.js';
import type { ApiDeps } from './index.js';
import { ok, type Route } from './router.js';
import { validate } from './validate.js';

/** Body of token creation (also used by the CLI). */
export const TokenCreate = z.strictObject({
  name: z.string({ message: 'must be a string' }).min(1, 'must not be empty').max(64, 'must be at most 64 characters').regex(/^[\x20-\x7e]+$/, 'must be printable ASCII'),
  scopes: z.array(z.enum(['*', ...SCOPES], { message: `each scope must be * or one of ${SCOPES.join(', ')}` }), { message: 'must be a list of scopes' }).min(1, 'give at least one scope').max(16),
  app: z.string({ message: 'must be a string or null' }).regex(APP_NAME, APP_NAME_RULE).nullable().optional(),
});

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
