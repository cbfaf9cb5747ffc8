// The control API, answered by the primary for requests any worker received.
import type { Config } from '../config.js';
import { CodedError } from '../errors.js';
import type { ControlStore } from '../keys.js';
import type { CameraRegistry } from '../primary/cameras.js';
import type { RoomTable } from '../primary/rooms.js';
import type { ApiRequest, ApiResponse } from '../protocol.js';
import type { Logger } from '../telemetry.js';
import { authenticate, authorize } from './auth.js';
import { compile, fail, match, parseJson } from './router.js';
import { wsIngestRoutes } from './wsIngest.js';

export interface ApiDeps {
  config: Config;
  store: ControlStore;
  cameras: CameraRegistry;
  rooms: RoomTable;
  log: Logger;
  /** Base URL for returned links. */
  publicBase(): string;
  /** The app table changed: tell the workers. */
  appsChanged(): void;
}

export function createApi(deps: ApiDeps): (req: ApiRequest) => Promise<ApiResponse> {
  const routes = compile([...wsIngestRoutes(deps)]);
  return async (req) => {
    try {
      const found = match(routes, req.method, req.path);
      if (found instanceof CodedError) throw found;
      const token = authenticate(deps.store, req.headers.authorization);
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
}
