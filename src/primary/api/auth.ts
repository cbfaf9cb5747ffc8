// API token authentication and scope checks. 401 when the token is missing or unknown,
// 403 naming the missing scope or the app the token is restricted to.
import { CodedError } from '../../errors.js';
import { hashSecret, type ApiToken, type ControlStore } from '../../keys.js';
import { hasScope } from '../../control/scopes.js';


export function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

export function authenticate(store: ControlStore, authorization: string | undefined): ApiToken {
  const secret = bearer(authorization);
  if (!secret) throw new CodedError('unauthorized', 'missing API token: send Authorization: Bearer <token>');
  const token = store.findTokenByHash(hashSecret(secret));
  if (!token) throw new CodedError('unauthorized', 'unknown API token');
  return token;
}

/** Throws 403 unless the token has `scope` and may act on `app` (if the route names one). */
export function authorize(token: ApiToken, scope: string, app: string | undefined): void {
  if (!hasScope(token, scope)) throw new CodedError('forbidden', `this token lacks the scope ${scope}`);
  if (token.app !== null && app !== undefined && token.app !== app) throw new CodedError('forbidden', `this token is restricted to app ${token.app}`);
}
