// Keeps a throwing route handler from reaching uWS (an exception escaping into uWS aborts
// the whole process): every HTTP and WebSocket handler registered through guarded() runs
// in a try/catch that logs the error and answers 500, or closes only that socket with 1011.
import type * as UWS from 'uWebSockets.js';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Logger } from '../telemetry.js';
import { sendError } from './http.js';
import { CloseReason } from '../errors.js';

type Handler = (res: HttpResponse, req: HttpRequest) => void;

/** Keeps a throwing handler from reaching uWS: log it and answer 500 if still possible. */
function guard(log: Logger, name: string, handler: Handler): Handler {
  return (res, req) => {
    try {
      handler(res, req);
    } catch (err) {
      log.error({ err: { message: (err as Error).message, stack: (err as Error).stack }, route: name }, 'handler threw');
      try {
        sendError(res, 500, 'internal', 'internal error');
      } catch {
        try {
          res.close();
        } catch {
          /* already answered */
        }
      }
    }
  };
}

/** The same guard for WebSocket handlers; a throw closes only that socket. */
function guardBehavior<T>(log: Logger, pattern: string, behavior: UWS.WebSocketBehavior<T>): UWS.WebSocketBehavior<T> {
  const out: Record<string, unknown> = { ...behavior };
  for (const [name, fn] of Object.entries(behavior)) {
    if (typeof fn !== 'function') continue;
    // Fixed arity (every uWS handler takes at most three arguments): a rest-args wrapper
    // costs an array and a spread call on every camera frame.
    const call = fn as (a: unknown, b: unknown, c: unknown) => unknown;
    out[name] = (a: unknown, b: unknown, c: unknown) => {
      try {
        return call(a, b, c);
      } catch (err) {
        log.error({ err: { message: (err as Error).message, stack: (err as Error).stack }, route: `ws ${pattern} ${name}` }, 'handler threw');
        if (name === 'upgrade') {
          try {
            sendError(a as HttpResponse, 500, 'internal', 'internal error');
          } catch {
            /* already answered */
          }
        } else if (name !== 'close') {
          try {
            (a as UWS.WebSocket<T>).end(CloseReason.internal_error, 'internal_error');
          } catch {
            /* already closed */
          }
        }
      }
    };
  }
  return out as UWS.WebSocketBehavior<T>;
}

/** Wraps every HTTP route and WebSocket registration of the app with the guards. */
export function guarded(app: TemplatedApp, log: Logger): TemplatedApp {
  const methods = ['get', 'post', 'put', 'del', 'patch', 'any', 'options', 'head'] as const;
  const proxy = Object.create(app) as TemplatedApp;
  for (const m of methods) {
    (proxy as unknown as Record<string, unknown>)[m] = (pattern: string, handler: Handler) => {
      app[m](pattern, guard(log, `${m} ${pattern}`, handler));
      return proxy;
    };
  }
  proxy.ws = (pattern, behavior) => {
    app.ws(pattern, guardBehavior(log, String(pattern), behavior));
    return proxy;
  };
  return proxy;
}
