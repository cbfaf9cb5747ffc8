// Closing WebSockets the same way everywhere: the `{"type":"error"}` text and the close
// code in one corked write (the close code arrives intact), and the app-level ping rule.
import type { WebSocket } from 'uWebSockets.js';
import { CloseCode, CloseReason, type CloseReasonToken } from '../errors.js';

/** What every socket's user data carries for these helpers. */
export interface SocketState {
  missedPongs: number;
  /** Set when this side closes, so the close handler reports our code and reason. */
  closing: { code: number; reason: string } | null;
}

/** Sends the error message and closes with the reason's code. */
export function closeWithError(ws: WebSocket<SocketState>, reason: CloseReasonToken, detail: string): void {
  const data = ws.getUserData();
  if (data.closing) return;
  const code = CloseReason[reason];
  data.closing = { code, reason };
  ws.cork(() => {
    ws.send(JSON.stringify({ type: 'error', code: String(code), message: reason, detail }), false);
    ws.end(code, reason);
  });
}

/** Sends a ping, or drops a socket that missed two in a row (recorded as 1006). */
export function pingOrDrop(ws: WebSocket<SocketState>): void {
  const data = ws.getUserData();
  if (data.closing) return;
  if (data.missedPongs >= 2) {
    data.closing = { code: CloseCode.abnormal, reason: 'ping_timeout' };
    ws.close();
    return;
  }
  data.missedPongs++;
  ws.ping();
}
