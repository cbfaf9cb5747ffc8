// Every stable, public error code in one table, in the manner of fastify's: each code with
// its HTTP status (API and playback answers), the WebSocket close code it goes with when it
// is also a reason token (`{"type":"error","code":"44xx","message":"<token>"}` then that
// close), the sockets that use it, and a default message. The rest is derived from the table:
// `CloseReason`, `ApiError`, the close codes each side's metrics pre-create, the reasons a
// camera handshake can be refused with. Raise one with `new CodedError(code, message?)`;
// errors cross threads as {code, message}. docs/protocol.md and docs/api.md list the codes
// (test/errors.test.ts holds the table to them). The errors that stop a start live here too,
// with the one way the entry point reports a failure (`describeFailure`).

/** WebSocket close codes framehub sends or records (docs/protocol.md), by name. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  /** Not sent on the wire: recorded when a socket vanished (no pong, TCP reset). */
  abnormal: 1006,
  /** Camera side: the server could not decide the handshake (the primary did not answer). */
  /** A handler threw: the guard closes only that socket (reason `internal_error`, src/worker/guard.ts). */
  internalError: 1011,
  tryAgainLater: 1013,
  unauthorized: 4401,
  forbidden: 4403,
  /** Viewer side: the room is not live (on connect, or after the reconnect grace period). */
  offline: 4404,
  idleTimeout: 4408,
  replaced: 4409,
  frameTooLarge: 4413,
  rateLimited: 4429,
} as const;
export type CloseCodeName = keyof typeof CloseCode;

/**
 * Which sockets use a reason token: `handshake` = a camera handshake the primary refuses
 * (counted in framehub_handshake_rejections_total), `camera` = a camera socket the server
 * closes later, `viewer` = a viewer socket (MJPEG has no close code: it gets the HTTP status).
 */
export type CloseSide = 'handshake' | 'camera' | 'viewer';

export interface ErrorSpec {
  /** HTTP status of an answer carrying this code; absent: never an HTTP answer. */
  readonly status?: number;
  /** Close code sent with this code as the reason token; absent: never a close reason. */
  readonly close?: CloseCodeName;
  /** The sockets that send it (with `close`). */
  readonly on?: readonly CloseSide[];
  /** Default message; most occurrences give a more precise one. */
  readonly message: string;
}

/**
 * The table. Reason tokens are compatible with the reference implementation's where they
 * overlap (`quota_exceeded` is kept for that; framehub refuses with `max_cameras`).
 */
export const ERRORS = {
  // ---- camera and viewer sockets (reason tokens; some are HTTP codes too) ----
  invalid_key: { close: 'unauthorized', on: ['handshake'], message: 'invalid stream key' },
  unknown_app: { close: 'unauthorized', on: ['handshake', 'camera'], message: 'unknown app' },
  room_mismatch: { close: 'unauthorized', on: ['handshake'], message: 'this key is for another room' },
  /** `?identity=` breaks the identity rule (1-64 printable ASCII), like a bad room name. */
  invalid_identity: { close: 'unauthorized', on: ['handshake'], message: 'identity must be 1-64 printable ASCII characters' },
  key_revoked: { close: 'unauthorized', on: ['camera'], message: 'the stream key was revoked' },
  invalid_token: { close: 'unauthorized', on: ['viewer'], message: 'no valid play token' },
  /** Viewer side: the play token that opened the session expired (the session ends then). */
  token_expired: { close: 'unauthorized', on: ['viewer'], message: 'the play token expired' },
  /** Viewer side: the app's play secret was rotated, so the session's token is void. */
  token_revoked: { close: 'unauthorized', on: ['viewer'], message: 'the play token was revoked' },
  wrong_room: { close: 'forbidden', on: ['viewer'], message: 'the play token is for another room' },
  ws_ingest_disabled: { close: 'forbidden', on: ['handshake', 'camera'], message: 'WS ingest is disabled for this app' },
  quota_exceeded: { close: 'forbidden', on: [], message: 'quota exceeded' },
  max_cameras: { close: 'forbidden', on: ['handshake'], message: 'the app has as many live cameras as it allows' },
  node_full: { close: 'forbidden', on: ['handshake'], message: 'this node holds as many live rooms as it can' },
  rate_limited: { status: 429, close: 'rateLimited', on: ['handshake'], message: 'too many attempts from this address; retry later' },
  too_many_viewers: { status: 429, close: 'rateLimited', on: ['viewer'], message: 'viewer limit reached' },
  stream_offline: { status: 404, close: 'offline', on: ['viewer'], message: 'the room is not live' },
  stream_ended: { close: 'offline', on: ['viewer'], message: 'the camera did not come back' },
  idle_timeout: { close: 'idleTimeout', on: ['camera'], message: 'no frame received in time' },
  replaced: { close: 'replaced', on: ['handshake', 'camera'], message: 'replaced by a new connection with the same key' },
  frame_too_large: { close: 'frameTooLarge', on: ['camera'], message: 'frame exceeds maxFrameBytes' },
  going_away: { close: 'goingAway', on: ['camera', 'viewer'], message: 'the server is shutting down' },
  unavailable: { status: 503, close: 'tryAgainLater', on: ['camera'], message: 'not available right now; retry later' },
  /** A handler threw (a bug): src/worker/guard.ts closes only that socket; not pre-created in the close metrics. */
  internal_error: { close: 'internalError', on: [], message: 'internal error' },
  // ---- HTTP answers only ----
  bad_request: { status: 400, message: 'bad request' },
  invalid_json: { status: 400, message: 'request body must be JSON' },
  invalid_field: { status: 400, message: 'invalid field' },
  unauthorized: { status: 401, message: 'missing or unknown API token' },
  invalid_play_token: { status: 401, message: 'no valid play token' },
  forbidden: { status: 403, message: 'not allowed' },
  not_found: { status: 404, message: 'not found' },
  method_not_allowed: { status: 405, message: 'method not allowed' },
  conflict: { status: 409, message: 'conflict' },
  payload_too_large: { status: 413, message: 'request body too large' },
  internal: { status: 500, message: 'internal error' },
  // ---- between threads and in the CLI (an API answer carrying one would be a 500) ----
  worker_gone: { message: 'the other thread has exited' },
  timeout: { message: 'the request timed out' },
  cluster_node: { message: 'refusing to write the store of a cluster node' },
} as const satisfies Record<string, ErrorSpec>;

type Table = typeof ERRORS;
export type ErrorCode = keyof Table;
/** Codes that are also WebSocket reason tokens. */
export type CloseReasonToken = { [K in ErrorCode]: Table[K] extends { close: CloseCodeName } ? K : never }[ErrorCode];
/** Codes an HTTP answer can carry. */
export type ApiErrorCode = { [K in ErrorCode]: Table[K] extends { status: number } ? K : never }[ErrorCode];

const rows = Object.entries(ERRORS) as [ErrorCode, ErrorSpec][];

/** Reason token -> close code (derived from the table). */
export const CloseReason = Object.freeze(Object.fromEntries(rows.filter(([, s]) => s.close).map(([code, s]) => [code, CloseCode[s.close!]]))) as {
  readonly [K in CloseReasonToken]: (typeof CloseCode)[Table[K] extends { close: infer C extends CloseCodeName } ? C : never];
};

/** HTTP error code -> status (derived from the table). The message is per occurrence. */
export const ApiError = Object.freeze(Object.fromEntries(rows.filter(([, s]) => s.status).map(([code, s]) => [code, s.status]))) as {
  readonly [K in ApiErrorCode]: Table[K] extends { status: infer S extends number } ? S : never;
};

/** Reason tokens a camera handshake can be refused with, in table order. */
export const HANDSHAKE_REFUSALS = rows.filter(([, s]) => s.on?.includes('handshake')).map(([code]) => code) as CloseReasonToken[];

/**
 * Close codes a side's sockets can end with: 1000 and 1006 (any socket), and the codes of
 * the reason tokens that side's sockets are sent (a refused handshake counts on the camera
 * side). What `framehub_ws_closes_total` pre-creates at 0, so a first occurrence shows in rate().
 */
export function closeCodesOf(side: 'camera' | 'viewer'): number[] {
  const sides: CloseSide[] = side === 'camera' ? ['handshake', 'camera'] : ['viewer'];
  const codes = new Set<number>([CloseCode.normal, CloseCode.abnormal]);
  for (const [, s] of rows) if (s.close && s.on?.some((o) => sides.includes(o))) codes.add(CloseCode[s.close]);
  return [...codes].sort((a, b) => a - b);
}

/** The HTTP status of a code (500 for one the table does not give a status). */
export function statusOf(code: string): number {
  return (ERRORS as Record<string, ErrorSpec>)[code]?.status ?? 500;
}

/** An error with a stable code; what crosses threads and becomes a JSON error body. */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = ERRORS[code].message,
  ) {
    super(message);
  }

  get status(): number {
    return statusOf(this.code);
  }

  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The JSON body of a failed API call. */
export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

// ---- errors that stop a start, and how the entry point reports a failure ----

/** A setting, a file or a port that makes the server (or a command) refuse to start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Errors reported as a refusal to start (one line, exit status 2), by name: a worker's
 * errors reach the primary as plain Errors with their name (structured clone), so a class
 * check would miss them. `UwsFallbackError` is the worker's (src/worker/uws.ts): no native
 * uWebSockets.js build loads.
 */
const REFUSALS = new Set(['ConfigError', 'UwsFallbackError']);

/**
 * How the entry point ends on `err`: the stderr line and the exit status. A coded error
 * names its code (exit 3 for `not_found`, else 2); a refusal to start, or a command line
 * `node:util` parseArgs refused, is its message (2); anything else is a bug (its stack, 1).
 */
export function describeFailure(err: Error): { line: string; status: number } {
  if (err instanceof CodedError) return { line: `framehub: ${err.code}: ${err.message}`, status: err.code === 'not_found' ? 3 : 2 };
  if (REFUSALS.has(err.name) || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return { line: `framehub: ${err.message}`, status: 2 };
  return { line: `framehub: ${err.stack ?? err.message}`, status: 1 };
}
