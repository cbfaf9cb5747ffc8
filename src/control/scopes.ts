// API token scopes: what each may do is the route's `scope` (src/primary/api); a token
// holds a list of them, `*` for all. Shared by the API, the CLI and cluster replication.
import type { ApiToken } from '../keys.js';

/** Every scope a token may carry; `*` means all of them. */
export const SCOPES = ['ingress:create', 'ingress:read', 'ingress:delete', 'streams:read', 'apps:read', 'apps:write', 'tokens:read', 'tokens:write'] as const;

export function hasScope(token: Pick<ApiToken, 'scopes'>, scope: string): boolean {
  return token.scopes.includes('*') || token.scopes.includes(scope);
}

/** The scopes of `scopes` that `holder` lacks (`*` only counts as held when it holds `*`): what it may not grant or revoke. */
export function scopesBeyond(holder: Pick<ApiToken, 'scopes'>, scopes: readonly string[]): string[] {
  return scopes.filter((s) => !(s === '*' ? holder.scopes.includes('*') : hasScope(holder, s)));
}
