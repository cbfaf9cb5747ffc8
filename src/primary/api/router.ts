// A small router for the control API (run by the primary): routes with `:params`, one
// scope each, JSON in and out, every failure a CodedError -> `{"error":{code,message}}`.
import { CodedError, errorBody } from '../../errors.js';
import type { ApiToken } from '../../keys.js';
import type { ApiRequest, ApiResponse } from '../../protocol.js';

export interface RouteContext {
  req: ApiRequest;
  params: Record<string, string>;
  token: ApiToken;
  query: URLSearchParams;
  /** The parsed JSON body (400 `invalid_json` if it is not JSON). */
  json(): unknown;
}

export type RouteHandler = (ctx: RouteContext) => Promise<ApiResponse> | ApiResponse;

export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  pattern: string;
  /** Permission the caller's token needs. */
  scope: string;
  handler: RouteHandler;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export function compile(routes: Route[]): CompiledRoute[] {
  return routes.map((r) => {
    const names: string[] = [];
    const source = r.pattern.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return { ...r, regex: new RegExp(`^${source}/?$`), names };
  });
}

/** Finds the route for a method and path: the route, 405 (path known) or 404. */
export function match(routes: CompiledRoute[], method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | CodedError {
  let pathKnown = false;
  for (const r of routes) {
    const m = r.regex.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (r.method !== method) continue;
    const params: Record<string, string> = {};
    try {
      r.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
    } catch {
      return new CodedError('bad_request', 'malformed percent-encoding in the path');
    }
    return { route: r, params };
  }
  return pathKnown ? new CodedError('method_not_allowed', `${method} is not allowed on ${path}`) : new CodedError('not_found', `no API route ${method} ${path}`);
}

export function ok(status: number, data: unknown): ApiResponse {
  return { status, body: JSON.stringify({ data }) };
}

export function fail(err: CodedError): ApiResponse {
  return { status: err.status, body: errorBody(err.code, err.message) };
}

export function parseJson(body: string): unknown {
  if (body.trim() === '') throw new CodedError('invalid_json', 'request body must be JSON');
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new CodedError('invalid_json', `request body is not valid JSON: ${(err as Error).message}`);
  }
}
