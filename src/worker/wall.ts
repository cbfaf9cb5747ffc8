// The camera wall feed: `/live/wall?app=<app>[&token=<app-wide play token>]`, one WebSocket
// carrying many rooms, because browsers open at most 6 HTTP/1.1 connections per host.
//
// Client -> server (text):
//   {"type":"subscribe","rooms":["cam1","cam2",...],"fps":1}   the visible tiles (replaces the set)
//   {"type":"focus","room":"cam1"}                              this tile at full rate ({"room":null} clears)
// Server -> client:
//   binary: [1 byte n][n bytes full room name, UTF-8][JPEG]     one frame of one tile
//   text:   {"type":"state","room":"live-cam1","state":"live"|"away"|"offline"}
//
// Each tile is a hub viewer throttled to the wall's fps (full rate when focused); tiles of
// rooms that are not live wait and attach when the room opens. A socket with more than
// WALL_MAX_BUFFERED bytes queued skips frames (latest frame wins).
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { RoomInfo } from '../protocol.js';
import type { Logger, WorkerMetrics } from '../telemetry.js';
import type { Directory, Denied } from './directory.js';
import { readRequest } from './http.js';
import type { Hub, OutgoingFrame, Viewer } from './hub.js';
import { closeWithError, pingOrDrop, type SocketState } from './sockets.js';
import type { ViewerLimits } from './viewerLimits.js';
import type { ViewerSessions } from './viewerSessions.js';

export const WALL_MAX_ROOMS = 1024;
export const WALL_DEFAULT_FPS = 1;
const WALL_MAX_BUFFERED = 1024 * 1024;

interface WallSocketData extends SocketState {
  kind: 'wall';
  /** `expiresAt`: the app-wide play token's expiry (ms), null for a public app. */
  access: { ok: true; app: string; expiresAt: number | null } | Denied;
  session: WallSession | null;
  release: (() => void) | null;
  /** Forgets the play-token session (private apps). */
  forgetSession: (() => void) | null;
}

class WallTile implements Viewer {
  readonly transport = 'wall' as const;
  lastSeq = 0;
  throttled = false;
  #lastSentAt = 0;
  #header: Buffer;
  attached = false;

  constructor(
    readonly session: WallSession,
    readonly room: string,
  ) {
    const name = Buffer.from(room, 'utf8');
    this.#header = Buffer.concat([Buffer.from([name.length]), name]);
  }

  deliver(frame: OutgoingFrame): boolean {
    const now = Date.now();
    const fps = this.session.fpsFor(this.room);
    if (now - this.#lastSentAt < 1000 / fps - 5) {
      this.throttled = true;
      return false;
    }
    this.throttled = false;
    if (!this.session.send(Buffer.concat([this.#header, frame.jpeg]), true)) return false;
    this.#lastSentAt = now;
    this.lastSeq = frame.seq;
    return true;
  }

  roomState(state: RoomInfo['state']): void {
    this.session.state(this.room, state);
  }

  end(): void {
    this.attached = false;
    this.session.state(this.room, 'offline');
  }
}

class WallSession {
  readonly #ws: WebSocket<WallSocketData>;
  readonly #hub: Hub;
  readonly #directory: Directory;
  readonly app: string;
  readonly tiles = new Map<string, WallTile>();
  #fps = WALL_DEFAULT_FPS;
  #focus: string | null = null;
  closed = false;

  constructor(ws: WebSocket<WallSocketData>, app: string, hub: Hub, directory: Directory) {
    this.#ws = ws;
    this.app = app;
    this.#hub = hub;
    this.#directory = directory;
  }

  fpsFor(room: string): number {
    return room === this.#focus ? 1000 : this.#fps;
  }

  /** Sends unless the socket is backed up; returns whether it sent. */
  send(data: Buffer | string, binary: boolean): boolean {
    if (this.closed || (binary && this.#ws.getBufferedAmount() > WALL_MAX_BUFFERED)) return false;
    this.#ws.send(data, binary);
    return true;
  }

  state(room: string, state: RoomInfo['state'] | 'offline'): void {
    this.send(JSON.stringify({ type: 'state', room, state }), false);
  }

  /** Replaces the set of tiles. Names may be short or full. */
  subscribe(rooms: string[], fps: number | undefined): void {
    if (fps !== undefined) this.#fps = Math.min(30, Math.max(0.1, fps));
    const wanted = new Set(rooms.slice(0, WALL_MAX_ROOMS).map((r) => this.#directory.fullName(this.app, r)).filter((r) => r.startsWith(`${this.app}-`)));
    for (const [room, tile] of this.tiles) {
      if (wanted.has(room)) continue;
      this.tiles.delete(room);
      if (tile.attached) this.#hub.detach(room, tile);
    }
    for (const room of wanted) {
      if (this.tiles.has(room)) continue;
      const tile = new WallTile(this, room);
      this.tiles.set(room, tile);
      const info = this.#directory.rooms.get(room);
      if (info) this.attach(info, tile);
      else this.state(room, 'offline');
    }
  }

  focus(room: string | null): void {
    this.#focus = room === null ? null : this.#directory.fullName(this.app, room);
  }

  attach(info: RoomInfo, tile: WallTile): void {
    tile.attached = true;
    this.state(info.room, info.state);
    this.#hub.attach(info, tile);
  }

  /** A room opened: attach the tile that waited for it. */
  roomOpened(info: RoomInfo): void {
    const tile = this.tiles.get(info.room);
    if (tile && !tile.attached) this.attach(info, tile);
  }

  close(): void {
    this.closed = true;
    for (const [room, tile] of this.tiles) if (tile.attached) this.#hub.detach(room, tile);
    this.tiles.clear();
  }
}

export class Wall {
  readonly #sessions = new Set<WebSocket<WallSocketData>>();

  constructor(
    private readonly hub: Hub,
    private readonly directory: Directory,
    private readonly metrics: WorkerMetrics,
    private readonly log: Logger,
    private readonly trusted: ReadonlySet<string>,
    private readonly limits: ViewerLimits,
    private readonly sessions: ViewerSessions,
  ) {}

  routes(app: TemplatedApp): void {
    app.ws<WallSocketData>('/live/wall', {
      maxPayloadLength: 64 * 1024,
      maxBackpressure: 2 * WALL_MAX_BUFFERED,
      idleTimeout: 0,
      sendPingsAutomatically: false,
      upgrade: (res, req, context) => {
        const info = readRequest(res, req, this.trusted);
        const auth = this.directory.authorizeApp(info.params.get('app') ?? '', info.params.get('token'));
        let access: WallSocketData['access'] = auth.ok ? { ok: true, app: auth.app.name, expiresAt: auth.expiresAt } : auth;
        let release: (() => void) | null = null;
        if (access.ok) {
          const place = this.limits.admit(info.ip, null);
          if (place.ok) release = place.release;
          else access = { ok: false, status: 429, code: 'too_many_viewers', message: place.message, close: 4429, reason: 'too_many_viewers' };
        }
        const data: WallSocketData = { kind: 'wall', access, session: null, missedPongs: 0, closing: null, release, forgetSession: null };
        res.upgrade(data, info.headers['sec-websocket-key'] ?? '', (info.headers['sec-websocket-protocol'] ?? '').split(',')[0]!.trim(), info.headers['sec-websocket-extensions'] ?? '', context);
      },
      open: (ws) => {
        const data = ws.getUserData();
        if (!data.access.ok) {
          closeWithError(ws, data.access.reason, data.access.message);
          return;
        }
        data.session = new WallSession(ws, data.access.app, this.hub, this.directory);
        this.#sessions.add(ws);
        if (data.access.expiresAt !== null) {
          data.forgetSession = this.sessions.add(data.access.app, data.access.expiresAt, 'wall', (reason) =>
            closeWithError(ws, reason, reason === 'token_expired' ? 'the play token expired: get a new one and reconnect' : "the app's play secret was rotated: get a new play token and reconnect"),
          );
        }
        this.log.debug({ event: 'viewer_open', transport: 'wall', app: data.access.app }, 'wall connected');
      },
      message: (ws, message, isBinary) => {
        const session = ws.getUserData().session;
        if (!session || isBinary) return;
        let msg: { type?: unknown; rooms?: unknown; fps?: unknown; room?: unknown };
        try {
          msg = JSON.parse(Buffer.from(message).toString('utf8'));
        } catch {
          return;
        }
        if (msg.type === 'subscribe' && Array.isArray(msg.rooms)) {
          session.subscribe(msg.rooms.filter((r): r is string => typeof r === 'string'), typeof msg.fps === 'number' && Number.isFinite(msg.fps) ? msg.fps : undefined);
        } else if (msg.type === 'focus') {
          session.focus(typeof msg.room === 'string' ? msg.room : null);
        }
      },
      pong: (ws) => {
        ws.getUserData().missedPongs = 0;
      },
      close: (ws, code) => {
        const data = ws.getUserData();
        this.#sessions.delete(ws);
        data.release?.();
        data.forgetSession?.();
        this.metrics.closes.inc({ side: 'viewer', code: String(data.closing?.code ?? code) });
        data.session?.close();
      },
    });
  }

  onRoom(info: RoomInfo): void {
    for (const ws of this.#sessions) {
      const s = ws.getUserData().session;
      if (s && s.app === info.app) s.roomOpened(info);
    }
  }

  /** App turned private or deleted: its wall sockets are closed (they reconnect with a token). */
  endApp(app: string): void {
    for (const ws of [...this.#sessions]) if (ws.getUserData().session?.app === app) closeWithError(ws, 'stream_ended', 'access to this app changed');
  }

  ping(): void {
    for (const ws of this.#sessions) pingOrDrop(ws);
  }

  closeAll(): void {
    for (const ws of [...this.#sessions]) closeWithError(ws, 'going_away', 'server shutting down');
  }
}
