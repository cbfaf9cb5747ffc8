// A refused viewer, as one value for every transport: the HTTP routes answer it as an
// error body with its status (`{"error":{"code","message"}}`), the WebSocket feeds send
// `{"type":"error"}` and close with the code of its reason token. Status and close code
// both come from src/errors.ts's tables.
import { ApiError, type CloseReasonToken } from '../errors.js';

type DeniedCode = keyof typeof ApiError;

export interface Denied {
  ok: false;
  /** HTTP status of the error body (the code's, from ApiError). */
  status: number;
  /** Stable API error code. */
  code: DeniedCode;
  message: string;
  /** WebSocket reason token; its close code is CloseReason[reason]. */
  reason: CloseReasonToken;
}

export function deny(code: DeniedCode, message: string, reason: CloseReasonToken): Denied {
  return { ok: false, status: ApiError[code], code, message, reason };
}
