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
// The tiles of one socket are its WallSession (wallSession.ts); this file is the route:
// access (public app or app-wide play token), the viewer limits, and the socket's life.
import type { TemplatedApp, WebSocket } from 'uWebSockets.js';
import type { RoomInfo } from '../protocol.js';
import type { Logger, WorkerMetrics } from '../telemetry.js';
import type { AppAuthResult, Directory } from './directory.js';
import { readRequest } from './http.js';
import type { Hub } from './hub.js';
import { closeWithError, pingOrDrop, upgrade } from './sockets.js';
import { allowedAtOpen, takePlace, trackSession, viewerSocketClosed, VIEWER_SOCKET_LIVENESS, type ViewerSocketState } from './viewerSocket.js';
import type { ViewerLimits } from './viewerLimits.js';
import type { ViewerSessions } from './viewerSessions.js';
import { WALL_MAX_BUFFERED, WallSession } from './wallSession.js';

interface WallSocketData extends ViewerSocketState {
  kind: 'wall';
  /** The directory's answer (`expiresAt`: the app-wide play token's, null for a public app), or the viewer limits' refusal. */
  access: AppAuthResult;
  session: WallSession | null;
}

interface WallOptions {
  hub: Hub;
  directory: Directory;
  metrics: WorkerMetrics;
  log: Logger;
  trustedProxies: ReadonlySet<string>;
  limits: ViewerLimits;
  /** Sessions opened with a play token: ended at its expiry or when the app's secret rotates. */
  sessions: ViewerSessions;
}

export class Wall {
  readonly #d: WallOptions;
  readonly #sockets = new Set<WebSocket<WallSocketData>>();

  constructor(options: WallOptions) {
    this.#d = options;
  }

  routes(app: TemplatedApp): void {
    app.ws<WallSocketData>('/live/wall', {
      maxPayloadLength: 64 * 1024,
      maxBackpressure: 2 * WALL_MAX_BUFFERED,
      ...VIEWER_SOCKET_LIVENESS,
      upgrade: (res, req, context) => {
        const info = readRequest(res, req, this.#d.trustedProxies);
        const checked = this.#d.directory.authorizeApp(info.params.get('app') ?? '', info.params.get('token'));
        const { access, release } = takePlace(this.#d.limits, info.ip, null, checked);
        const data: WallSocketData = { kind: 'wall', access, session: null, missedPongs: 0, closing: null, release, forgetSession: null };
        upgrade(res, info, data, context);
      },
      open: (ws) => {
        const access = allowedAtOpen(ws);
        if (!access) return;
        const data = ws.getUserData();
        const app = access.app.name;
        data.session = new WallSession({ socket: ws, app, hub: this.#d.hub, directory: this.#d.directory });
        this.#sockets.add(ws);
        if (access.expiresAt !== null) data.forgetSession = trackSession(this.#d.sessions, ws, app, access.expiresAt, 'wall');
        this.#d.log.debug({ event: 'viewer_open', transport: 'wall', app }, 'wall connected');
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
      close: (ws, code) => {
        const data = ws.getUserData();
        this.#sockets.delete(ws);
        viewerSocketClosed(data, code, this.#d.metrics.closes);
        data.session?.close();
      },
    });
  }

  /** A room opened or changed: the walls of its app attach the tile that waited for it. */
  onRoom(info: RoomInfo): void {
    for (const ws of this.#sockets) {
      const s = ws.getUserData().session;
      if (s && s.app === info.app) s.roomOpened(info);
    }
  }

  /** Apps turned private or deleted: their wall sockets are closed (they reconnect with a token). */
  endApps(apps: ReadonlySet<string>): void {
    for (const ws of [...this.#sockets]) {
      const app = ws.getUserData().session?.app;
      if (app !== undefined && apps.has(app)) closeWithError(ws, 'stream_ended', 'access to this app changed');
    }
  }

  /** A ping round: the two-missed-pongs rule for every wall socket. */
  ping(): void {
    for (const ws of this.#sockets) pingOrDrop(ws);
  }

  /** Shutdown: every wall socket closes with 1001. */
  closeAll(): void {
    for (const ws of [...this.#sockets]) closeWithError(ws, 'going_away', 'server shutting down');
  }
}
