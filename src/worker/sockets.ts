// What every WebSocket route (cameras, viewers, the wall) does the same way: the upgrade
// that echoes the client's subprotocol, closing with the `{"type":"error"}` text and the
// close code in one corked write (the close code arrives intact), and the app-level ping
// rule (uWS's own pings never go out on a busy socket).
import type { HttpResponse, us_socket_context_t, WebSocket } from 'uWebSockets.js';
import { CloseCode, CloseReason, type CloseReasonToken } from '../errors.js';
import type { RequestInfo } from './http.js';

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

/** A pong (or the client's own ping) proves the socket alive. */
export function gotPong(ws: WebSocket<SocketState>): void {
  ws.getUserData().missedPongs = 0;
}

/**
 * Upgrades the request to a WebSocket with `data` as its user data, echoing the first
 * requested subprotocol: clients that asked for one fail if none is echoed, and
 * arduinoWebSockets asks for `arduino`.
 */
export function upgrade<T>(res: HttpResponse, info: RequestInfo, data: T, context: us_socket_context_t): void {
  const protocol = (info.headers['sec-websocket-protocol'] ?? '').split(',')[0]!.trim();
  res.upgrade(data, info.headers['sec-websocket-key'] ?? '', protocol, info.headers['sec-websocket-extensions'] ?? '', context);
}
