// Stable, public error codes: the HTTP API's `{"error":{"code","message"}}` bodies and
// the WebSocket close codes with their reason tokens. Errors cross threads as {code, message}.

/** WebSocket close codes (SPEC section 3), plus the viewer-side ones framehub adds. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  /** Not sent on the wire: recorded when a socket vanished (no pong, TCP reset). */
  abnormal: 1006,
  unauthorized: 4401,
  forbidden: 4403,
  /** Viewer side: the room is not live (on connect, or after the reconnect grace period). */
  offline: 4404,
  idleTimeout: 4408,
  replaced: 4409,
  frameTooLarge: 4413,
  rateLimited: 4429,
  /** Camera side: the server could not decide the handshake (the primary did not answer). */
  tryAgainLater: 1013,
} as const;

/**
 * Reason tokens sent in `{"type":"error","code":"44xx","message":"<token>"}` before an
 * abnormal close; compatible with the reference implementation's tokens.
 */
export const CloseReason = {
  invalid_key: CloseCode.unauthorized,
  unknown_app: CloseCode.unauthorized,
  room_mismatch: CloseCode.unauthorized,
  /** `?identity=` breaks the identity rule (1-64 printable ASCII), like a bad room name. */
  invalid_identity: CloseCode.unauthorized,
  key_revoked: CloseCode.unauthorized,
  invalid_token: CloseCode.unauthorized,
  /** Viewer side: the play token that opened the session expired (the session ends then). */
  token_expired: CloseCode.unauthorized,
  /** Viewer side: the app's play secret was rotated, so the session's token is void. */
  token_revoked: CloseCode.unauthorized,
  wrong_room: CloseCode.forbidden,
  ws_ingest_disabled: CloseCode.forbidden,
  quota_exceeded: CloseCode.forbidden,
  max_cameras: CloseCode.forbidden,
  node_full: CloseCode.forbidden,
  stream_offline: CloseCode.offline,
  stream_ended: CloseCode.offline,
  idle_timeout: CloseCode.idleTimeout,
  replaced: CloseCode.replaced,
  frame_too_large: CloseCode.frameTooLarge,
  rate_limited: CloseCode.rateLimited,
  too_many_viewers: CloseCode.rateLimited,
  going_away: CloseCode.goingAway,
  unavailable: CloseCode.tryAgainLater,
} as const;
export type CloseReasonToken = keyof typeof CloseReason;

/** HTTP API error codes with their status. The message is per occurrence. */
export const ApiError = {
  bad_request: 400,
  invalid_json: 400,
  invalid_field: 400,
  unauthorized: 401,
  invalid_play_token: 401,
  forbidden: 403,
  not_found: 404,
  stream_offline: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  too_many_viewers: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ApiErrorCode = keyof typeof ApiError;

/** An error with a stable code; what crosses threads and becomes a JSON error body. */
export class CodedError extends Error {
  constructor(
    readonly code: ApiErrorCode | 'worker_gone' | 'timeout' | 'cluster_node',
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return this.code in ApiError ? ApiError[this.code as ApiErrorCode] : 500;
  }

  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The JSON body of a failed API call. */
export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
