// How apps, API tokens, camera keys and a camera's last close are shown to callers, the
// same in API answers and CLI output: ISO dates, never a secret or a hash (a new secret is
// added by the caller, the one time it is shown). A running node's API adds what only it
// knows (live cameras, the last close) to these.
import { fullRoom, type ApiToken, type App, type CameraKey } from '../keys.js';
import type { CameraStats } from '../protocol.js';

export function appView(app: App) {
  return {
    name: app.name,
    wsIngest: app.wsIngest,
    publicPlayback: app.publicPlayback,
    maxCameras: app.maxCameras,
    maxFps: app.maxFps,
    maxFrameBytes: app.maxFrameBytes,
    idleTimeoutSec: app.idleTimeoutSec,
    createdAt: new Date(app.createdAt).toISOString(),
  };
}

export function tokenView(t: ApiToken) {
  return { id: t.id, name: t.name, scopes: t.scopes, app: t.app, createdAt: new Date(t.createdAt).toISOString() };
}

export function keyView(key: CameraKey) {
  return {
    id: key.id, app: key.app, room: fullRoom(key.app, key.room), name: key.room, identity: key.identity,
    createdAt: new Date(key.createdAt).toISOString(),
    lastSeenAt: key.lastSeenAt === null ? null : new Date(key.lastSeenAt).toISOString(),
  };
}

/** A camera's last close as callers see it. */
export interface CloseView {
  code: number;
  reason: string;
  at: string;
}

/** A remembered camera close (the primary's LastClose) as shown (null: none since the node started). */
export function closeView(close: { code: number; reason: string; at: number } | undefined): CloseView | null {
  return close ? { code: close.code, reason: close.reason, at: new Date(close.at).toISOString() } : null;
}

/** What a camera's last stats message said, as shown (null: none yet). */
export interface StatsView {
  fps: number | null;
  rssi: number | null;
  heapFree: number | null;
  at: string;
}

export function statsView(stats: CameraStats | null | undefined): StatsView | null {
  return stats ? { fps: stats.fps ?? null, rssi: stats.rssi ?? null, heapFree: stats.heapFree ?? null, at: new Date(stats.at).toISOString() } : null;
}

/** Viewers of a room summed over the workers, by transport. */
export interface ViewerCounts {
  mjpeg: number;
  ws: number;
  wall: number;
}

/** Every viewer of a room: by transport and in all. */
export function viewersView(v: ViewerCounts | undefined): ViewerCounts & { total: number } {
  const mjpeg = v?.mjpeg ?? 0;
  const ws = v?.ws ?? 0;
  const wall = v?.wall ?? 0;
  return { mjpeg, ws, wall, total: mjpeg + ws + wall };
}
