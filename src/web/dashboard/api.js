// The control API client: the token lives in sessionStorage (this tab only) and goes out
// as `Authorization: Bearer`; a 401 ends the session (the caller shows the sign-in form).
const TOKEN_KEY = 'framehub.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};

/** Called with the API's message when a request with the session's token gets a 401. */
export function whenUnauthorized(fn) {
  onUnauthorized = fn;
}

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

/**
 * Calls `/api/v1/...`; resolves with `data`, throws ApiError. `token` overrides the
 * session's (sign-in checks a candidate without ending anything on 401).
 */
export async function api(method, path, body, token = session.token) {
  const headers = { Authorization: `Bearer ${token ?? ''}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'the server did not answer (network error)');
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    /* not JSON (a proxy's error page) */
  }
  if (res.ok) return json?.data;
  const err = new ApiError(res.status, json?.error?.code ?? `http_${res.status}`, json?.error?.message ?? `HTTP ${res.status}`);
  if (Array.isArray(json?.error?.items)) err.items = json.error.items; // bulk calls: one error per item
  if (res.status === 401 && token === session.token) onUnauthorized(err.message);
  throw err;
}

/** Path segment encoding for app, room and key ids. */
export const seg = (s) => encodeURIComponent(s);
