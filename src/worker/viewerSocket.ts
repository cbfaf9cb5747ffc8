// What the two WebSocket viewer feeds (`/live/ws` and the camera wall `/live/wall`) share:
// taking a place under the viewer limits at the upgrade, the play-token session that ends
// the socket at its token's expiry or when the app's play secret rotates, and the
// bookkeeping of a close. MJPEG responses do the same through HTTP (playback.ts).
import type { WebSocket } from 'uWebSockets.js';
import type { RoomInfo } from '../protocol.js';
import type { WorkerMetrics } from '../telemetry.js';
import type { Denied } from './denied.js';
import { closeWithError, gotPong, type SocketState } from './sockets.js';
import type { ViewerLimits } from './viewerLimits.js';
import type { SessionEnd, ViewerSessions } from './viewerSessions.js';

/** The user data every viewer socket carries besides its feed's own. */
export interface ViewerSocketState extends SocketState {
  /** Gives back the viewer's place under the viewer limits (null: refused, no place taken). */
  release: (() => void) | null;
  /** Forgets the play-token session (set when the app is private). */
  forgetSession: (() => void) | null;
}

/** uWS options of both viewer feeds: liveness is the app-level ping of the sweep (pingOrDrop), not uWS's. */
export const VIEWER_SOCKET_LIVENESS = { idleTimeout: 0, sendPingsAutomatically: false, pong: gotPong } as const;

/** At `open`: a socket refused at the upgrade gets its error and close code; else its access. */
export function allowedAtOpen<A extends { ok: true }>(ws: WebSocket<SocketState & { access: A | Denied }>): A | null {
  const access = ws.getUserData().access;
  if (access.ok) return access;
  closeWithError(ws, access.reason, access.message);
  return null;
}

/** What the player or wall is told when its session ends (the close code is 4401). */
const SESSION_END_DETAIL: Record<SessionEnd, string> = {
  token_expired: 'the play token expired: get a new one and reconnect',
  token_revoked: "the app's play secret was rotated: get a new play token and reconnect",
};

/**
 * Takes a place under the viewer limits for a viewer the directory allowed (`room` null:
 * a wall socket); when there is none, the refusal becomes the socket's access.
 */
export function takePlace<A extends { ok: true }>(limits: ViewerLimits, ip: string, room: RoomInfo | null, access: A | Denied): { access: A | Denied; release: (() => void) | null } {
  if (!access.ok) return { access, release: null };
  const place = limits.admit(ip, room);
  return place.ok ? { access, release: place.release } : { access: place, release: null };
}

/** Tracks an open socket's play-token session: at expiry or a rotation it closes with 4401. */
export function trackSession(sessions: ViewerSessions, ws: WebSocket<ViewerSocketState>, app: string, expiresAt: number, transport: 'ws' | 'wall'): () => void {
  return sessions.add(app, expiresAt, transport, (reason) => closeWithError(ws, reason, SESSION_END_DETAIL[reason]));
}

/** A viewer socket closed: its place is given back, its session forgotten, the close counted. */
export function viewerSocketClosed(data: ViewerSocketState, code: number, closes: WorkerMetrics['closes']): void {
  data.release?.();
  data.forgetSession?.();
  closes.inc({ side: 'viewer', code: String(data.closing?.code ?? code) });
}
