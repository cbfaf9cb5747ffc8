// What a worker knows of rooms and apps (kept in sync by the primary's broadcasts), and
// the playback access check: public by app, or a play token scoped to the room.
import { isAppName, isRoomName } from '../names.js';
import { checkPlayToken, type PlayTokenCheck } from '../playToken.js';
import type { AppView, RoomInfo } from '../protocol.js';
import { deny, type Denied } from './denied.js';

/** `expiresAt`: when the play token that granted access expires (ms); null for a public app. */
export type AccessResult = { ok: true; app: AppView; room: RoomInfo; expiresAt: number | null } | Denied;
type AuthResult = { ok: true; app: AppView; full: string; expiresAt: number | null } | Denied;
export type AppAuthResult = { ok: true; app: AppView; expiresAt: number | null } | Denied;

/** What a new app table changed for the viewers already connected. */
export interface AppChanges {
  /** Apps deleted or turned private: their viewers are ended (they reconnect, with a play token where one is now needed). */
  lost: Set<string>;
  /** Apps whose play secret changed (rotate-play-secret): every token of theirs is void. */
  rotated: string[];
}

export class Directory {
  readonly rooms = new Map<string, RoomInfo>();
  readonly apps = new Map<string, AppView>();

  setRooms(list: RoomInfo[]): void {
    this.rooms.clear();
    for (const r of list) this.rooms.set(r.room, r);
  }

  /** Replaces the app table (sent after spawn and after every change); says what changed. */
  setApps(list: AppView[]): AppChanges {
    const before = new Map(this.apps);
    this.apps.clear();
    for (const a of list) this.apps.set(a.name, a);
    const lost = new Set<string>();
    for (const a of before.values()) {
      const now = this.apps.get(a.name);
      if (!now || (a.publicPlayback && !now.publicPlayback)) lost.add(a.name);
    }
    const rotated = list.filter((a) => before.has(a.name) && before.get(a.name)!.playSecret !== a.playSecret).map((a) => a.name);
    return { lost, rotated };
  }

  /** Full room name for `/live/<app>/<room>`, where room may be short (`cam1`) or full (`live-cam1`). */
  fullName(app: string, room: string): string {
    const full = `${app}-${room}`;
    if (this.rooms.has(full) || !room.startsWith(`${app}-`)) return full;
    return room;
  }

  /**
   * Checks a playback request: names, app, play token (when the app's playback is not
   * public), then whether the room is live. Auth comes before the room lookup so a
   * denied caller learns nothing about which rooms exist.
   */
  access(appName: string, roomName: string, token: string | null): AccessResult {
    const auth = this.authorize(appName, roomName, token);
    if (!auth.ok) return auth;
    const room = this.rooms.get(auth.full);
    if (!room) return deny('stream_offline', `room ${auth.full} is not live`, 'stream_offline');
    return { ok: true, app: auth.app, room, expiresAt: auth.expiresAt };
  }

  /** Access to every room of an app (the camera wall): public, or an app-wide play token. */
  authorizeApp(appName: string, token: string | null): AppAuthResult {
    if (!isAppName(appName)) return deny('not_found', 'no such app', 'stream_offline');
    const app = this.apps.get(appName);
    if (!app) return deny('not_found', `unknown app ${appName}`, 'stream_offline');
    if (app.publicPlayback) return { ok: true, app, expiresAt: null };
    const result = checkPlayToken(token, app.playSecret, appName, '*');
    if (result.check === 'ok') return { ok: true, app, expiresAt: result.expiresAt };
    return refusedToken(result.check, 'the wall needs an app-wide play token (GET /api/v1/apps/:app/play-token)');
  }

  /** The access check without the liveness lookup (the player page loads for offline rooms too). */
  authorize(appName: string, roomName: string, token: string | null): AuthResult {
    if (!isAppName(appName) || !isRoomName(roomName)) return deny('not_found', 'no such app or room', 'stream_offline');
    const app = this.apps.get(appName);
    if (!app) return deny('not_found', `unknown app ${appName}`, 'stream_offline');
    const full = this.fullName(appName, roomName);
    if (app.publicPlayback) return { ok: true, app, full, expiresAt: null };
    const result = checkPlayToken(token, app.playSecret, appName, full);
    if (result.check === 'ok') return { ok: true, app, full, expiresAt: result.expiresAt };
    return refusedToken(result.check, 'play token is for another room');
  }
}

/** A refused play token, the same for a room and the wall but for the word on a token of the wrong room (`wrongRoom`). */
function refusedToken(check: Exclude<PlayTokenCheck, 'ok'>, wrongRoom: string): Denied {
  switch (check) {
    case 'missing':
      return deny('invalid_play_token', 'this app needs a play token: ?token=', 'invalid_token');
    case 'invalid':
      return deny('invalid_play_token', 'play token is not valid', 'invalid_token');
    case 'expired':
      return deny('invalid_play_token', 'play token has expired', 'invalid_token');
    case 'wrong_room':
      return deny('forbidden', wrongRoom, 'wrong_room');
  }
}
