// The control API, answered by the primary for requests any worker received: routing,
// authentication (failed attempts rate limited per IP), scope checks, JSON errors.
import { ControlService } from '../../control/service.js';
import { CodedError } from '../../errors.js';
import { isAppName, APP_NAME_RULE } from '../../names.js';
import { RateLimiter } from '../rateLimit.js';
import type { ApiRequest, ApiResponse } from '../../protocol.js';
import { appRoutes } from './apps.js';
import type { ApiDeps } from './context.js';
import { bulkKeyRoutes } from './bulkKeys.js';
import { fleetRoutes } from './fleet.js';
import { authenticate, authorize } from './auth.js';
import { playTokenRoutes } from './playTokens.js';
import { compile, fail, match, parseJson } from './router.js';
import { streamRoutes } from './streams.js';
import { tokenRoutes } from './tokens.js';
import { wsIngestRoutes } from './wsIngest.js';

export type { ApiDeps } from './context.js';


/** Failed API authentications one IP may make at once, and per second after that. */
export const AUTH_FAIL_BURST = 30;
const AUTH_FAIL_PER_SEC = 1;

/** Every route of the control API (the authorisation matrix test walks them all). */
export function apiRoutes(deps: ApiDeps) {
  const control = new ControlService({
    store: deps.store,
    maxFrameBytes: deps.config.maxFrameBytes,
    log: deps.log,
    publicBase: () => deps.publicBase(),
    live: {
      appsChanged: () => deps.appsChanged(),
      kickWhere: (pred, reason, message) => deps.cameras.kickWhere(pred, reason, message),
      streams: deps,
    },
  });
  return [...appRoutes(deps, control), ...wsIngestRoutes(deps, control), ...bulkKeyRoutes(deps, control), ...fleetRoutes(deps, control), ...streamRoutes(deps, control), ...playTokenRoutes(control), ...tokenRoutes(deps, control)];
}

export function createApi(deps: ApiDeps): (req: ApiRequest) => Promise<ApiResponse> {
  const routes = compile(apiRoutes(deps));
  const authFailures = new RateLimiter(AUTH_FAIL_BURST, AUTH_FAIL_PER_SEC);
  setInterval(() => authFailures.sweep(), 60_000).unref();

  const answer = async (req: ApiRequest, seen: { route: string | null; app?: string }): Promise<ApiResponse> => {
    try {
      const found = match(routes, req.method, req.path);
      if (found instanceof CodedError) throw found;
      seen.route = found.route.pattern;
      seen.app = found.params.app;
      // The token is looked up first (by hash); only a failed authentication is charged to,
      // and stopped by, the address's bucket: a valid token is never refused for others' guesses.
      let token;
      try {
        token = authenticate(deps.store, req.headers.authorization);
      } catch (err) {
        if (!authFailures.take(req.ip)) throw new CodedError('rate_limited', 'too many failed authentications from this address; retry later');
        throw err;
      }
      if (found.params.app !== undefined && !isAppName(found.params.app)) throw new CodedError('invalid_field', `app: ${APP_NAME_RULE}`);
      authorize(token, found.route.scope, found.params.app);
      let parsed: unknown;
      let parsedOnce = false;
      return await found.route.handler({
        req, token, params: found.params, query: new URLSearchParams(req.query),
        json: () => {
          if (!parsedOnce) {
            parsed = parseJson(req.body);
            parsedOnce = true;
          }
          return parsed;
        },
      });
    } catch (err) {
      if (err instanceof CodedError) return fail(err);
      deps.log.error({ err: { message: (err as Error).message, stack: (err as Error).stack }, method: req.method, path: req.path }, 'API handler failed');
      return fail(new CodedError('internal', 'internal error'));
    }
  };
  return async (req) => {
    const startMs = Date.now();
    const seen: { route: string | null; app?: string } = { route: null };
    const res = await answer(req, seen);
    deps.observe?.(req, seen.route, seen.app, res, startMs);
    return res;
  };
}
