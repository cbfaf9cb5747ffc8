// Playback routes: MJPEG, frame.jpg, stream.json and the WS viewer feed. Each checks access
// through the Directory (public app, or play token) and the viewer limits, then attaches a
// viewer to the hub (which keeps every viewer: their upkeep runs through its sweep) or
// reads the slot.
import { Counter } from 'prom-client';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { FrameArena } from '../slots.js';
import type { Logger, WorkerMetrics } from '../telemetry.js';
import type { AccessResult, Directory } from './directory.js';
import { readRequest, sendError, sendJson, type RequestInfo } from './http.js';
import type { Hub } from './hub.js';
import { MjpegViewer } from './mjpeg.js';
import { upgrade } from './sockets.js';
import type { ViewerLimits } from './viewerLimits.js';
import type { ViewerSessions } from './viewerSessions.js';
import { allowedAtOpen, takePlace, trackSession, viewerSocketClosed, VIEWER_SOCKET_LIVENESS } from './viewerSocket.js';
import { WsViewer, type ViewerSocketData } from './wsViewer.js';

interface PlaybackDeps {
  shard: number;
  arena: FrameArena;
  hub: Hub;
  directory: Directory;
  metrics: WorkerMetrics;
  log: Logger;
  bootId: string;
  trustedProxies: ReadonlySet<string>;
  maxFrameBytes: number;
  limits: ViewerLimits;
  /** Sessions opened with a play token: ended at its expiry or when the app's secret rotates. */
  sessions: ViewerSessions;
  /** An MJPEG viewer backed up (not drained) this long is closed (FRAMEHUB_MJPEG_STALL_SEC). */
  mjpegStallMs: number;
}

type Allowed = Extract<AccessResult, { ok: true }>;

export class Playback {
  readonly #d: PlaybackDeps;
  readonly #snapshot: Buffer;
  readonly #stalledCloses: Counter;
  readonly #shardHeader: Record<string, string>;

  constructor(deps: PlaybackDeps) {
    this.#d = deps;
    this.#snapshot = Buffer.from(new ArrayBuffer(deps.maxFrameBytes)); // its own ArrayBuffer: aligned, so the copy out of the arena is word-wise
    this.#stalledCloses = new Counter({
      name: 'framehub_mjpeg_stalled_closes_total',
      help: 'MJPEG viewers closed by framehub because they did not drain for FRAMEHUB_MJPEG_STALL_SEC',
      registers: [deps.metrics.registry],
    });
    this.#shardHeader = { 'X-Framehub-Shard': String(deps.shard) };
  }

  routes(app: TemplatedApp): void {
    app.get('/live/:app/:room/mjpeg', (res, req) => this.#mjpegRoute(res, req));
    app.get('/live/:app/:room/frame.jpg', (res, req) => this.#frameRoute(res, req));
    app.get('/live/:app/:room/stream.json', (res, req) => this.#infoRoute(res, req));
    app.ws<ViewerSocketData>('/live/ws', {
      maxPayloadLength: 4096,
      maxBackpressure: 4 * this.#d.maxFrameBytes,
      ...VIEWER_SOCKET_LIVENESS,
      upgrade: (res, req, context) => {
        const info = readRequest(res, req, this.#d.trustedProxies);
        const checked = this.#d.directory.access(info.params.get('app') ?? '', info.params.get('room') ?? '', info.params.get('token'));
        const { access, release } = takePlace(this.#d.limits, info.ip, checked.ok ? checked.room : null, checked);
        const data: ViewerSocketData = { kind: 'viewer', access, ip: info.ip, viewer: null, missedPongs: 0, closing: null, openedAt: Date.now(), release, forgetSession: null };
        upgrade(res, info, data, context);
      },
      open: (ws) => {
        const access = allowedAtOpen(ws);
        if (!access) return;
        const data = ws.getUserData();
        const viewer = new WsViewer(ws);
        data.viewer = viewer;
        if (access.expiresAt !== null) data.forgetSession = trackSession(this.#d.sessions, ws, access.app.name, access.expiresAt, 'ws');
        viewer.hello(access.room);
        this.#d.hub.attach(access.room, viewer);
        this.#d.log.debug({ event: 'viewer_open', transport: 'ws', room: access.room.room, ip: data.ip }, 'viewer connected');
      },
      message: () => {
        // Viewers have nothing to say; ignored.
      },
      drain: (ws) => {
        const data = ws.getUserData();
        if (data.viewer && data.access.ok && ws.getBufferedAmount() === 0) this.#d.hub.catchUp(data.access.room.room, data.viewer);
      },
      close: (ws, code) => {
        const data = ws.getUserData();
        viewerSocketClosed(data, code, this.#d.metrics.closes);
        if (data.viewer && data.access.ok) {
          data.viewer.closed();
          this.#d.hub.detach(data.access.room.room, data.viewer);
          this.#d.log.debug({ event: 'viewer_close', transport: 'ws', room: data.access.room.room, code: data.closing?.code ?? code, reason: data.closing?.reason, seconds: Math.round((Date.now() - data.openedAt) / 1000) }, 'viewer disconnected');
        }
      },
    });
  }

  /**
   * The access check of the `/live/:app/:room/*` routes: the request's copy and the allowed
   * access, or null once the refusal is answered (`onDenied` sees its status first).
   */
  #allowed(res: HttpResponse, req: HttpRequest, onDenied?: (status: number) => void): { info: RequestInfo; access: Allowed } | null {
    const info = readRequest(res, req, this.#d.trustedProxies);
    const access = this.#d.directory.access(req.getParameter(0), req.getParameter(1), info.params.get('token'));
    if (access.ok) return { info, access };
    onDenied?.(access.status);
    sendError(res, access.status, access.code, access.message);
    return null;
  }

  #mjpegRoute(res: HttpResponse, req: HttpRequest): void {
    const allowed = this.#allowed(res, req);
    if (!allowed) return;
    const { info, access } = allowed;
    const place = this.#d.limits.admit(info.ip, access.room);
    if (!place.ok) {
      sendError(res, place.status, place.code, place.message);
      return;
    }
    const { hub, log } = this.#d;
    const room = access.room.room;
    const openedAt = Date.now();
    let forgetSession = (): void => {};
    const viewer: MjpegViewer = new MjpegViewer({
      res,
      headers: this.#shardHeader,
      stallMs: this.#d.mjpegStallMs,
      onDrained: () => hub.catchUp(room, viewer),
      onStalled: (seconds) => {
        this.#stalledCloses.inc();
        log.info({ event: 'viewer_stalled', transport: 'mjpeg', room, seconds }, 'MJPEG viewer closed: it did not drain its backlog');
      },
      onGone: () => {
        forgetSession();
        place.release();
        hub.detach(room, viewer);
        log.debug({ event: 'viewer_close', transport: 'mjpeg', room, seconds: Math.round((Date.now() - openedAt) / 1000) }, 'viewer disconnected');
      },
    });
    res.onAborted(() => viewer.aborted());
    log.debug({ event: 'viewer_open', transport: 'mjpeg', room, ip: info.ip }, 'viewer connected');
    // MJPEG has no close code: at token expiry (or a secret rotation) the multipart response ends.
    if (access.expiresAt !== null) forgetSession = this.#d.sessions.add(access.app.name, access.expiresAt, 'mjpeg', () => viewer.end());
    hub.attach(access.room, viewer);
  }

  /** What a player needs to pick its transport: type, state, frame age. Same access rules as playback. */
  #infoRoute(res: HttpResponse, req: HttpRequest): void {
    const allowed = this.#allowed(res, req);
    if (!allowed) return;
    const r = allowed.access.room;
    const last = this.#d.arena.lastReceivedAt(r.slot);
    sendJson(
      res,
      200,
      JSON.stringify({
        data: {
          type: 'ws-mjpeg', app: r.app, room: r.room, name: r.name, state: r.state, streamId: r.streamId,
          startedAt: new Date(r.startedAt).toISOString(),
          lastFrameAt: last ? new Date(Math.round(last)).toISOString() : null,
          frameAgeMs: last ? Math.max(0, Math.round(Date.now() - last)) : null,
          feeds: { ws: `/live/ws?app=${encodeURIComponent(r.app)}&room=${encodeURIComponent(r.name)}`, mjpeg: `/live/${r.app}/${r.name}/mjpeg`, frame: `/live/${r.app}/${r.name}/frame.jpg` },
        },
      }),
    );
  }

  #frameRoute(res: HttpResponse, req: HttpRequest): void {
    const { arena, metrics } = this.#d;
    const allowed = this.#allowed(res, req, (status) => metrics.snapshot(status));
    if (!allowed) return;
    const { info, access } = allowed;
    const slot = access.room.slot;
    const etagOf = (seq: number): string => `"${this.#d.bootId}-${access.room.gen}-${seq}"`;
    const seq = arena.latestSeq(slot);
    if (seq !== 0 && info.headers['if-none-match'] === etagOf(seq)) {
      res.cork(() => {
        res.writeStatus('304 Not Modified');
        res.writeHeader('ETag', etagOf(seq));
        res.writeHeader('Cache-Control', 'no-store');
        res.end();
      });
      metrics.snapshot(304);
      return;
    }
    const meta = arena.readLatest(slot, this.#snapshot);
    if (!meta) {
      metrics.snapshot(404);
      sendError(res, 404, 'stream_offline', `room ${access.room.room} has no frame yet`);
      return;
    }
    const body = this.#snapshot.subarray(0, meta.length);
    res.cork(() => {
      res.writeStatus('200 OK');
      res.writeHeader('Content-Type', 'image/jpeg');
      res.writeHeader('Cache-Control', 'no-store');
      res.writeHeader('ETag', etagOf(meta.seq));
      res.writeHeader('X-Frame-Timestamp', String(Math.round(meta.receivedAt)));
      res.writeHeader('X-Frame-Age-Ms', String(Math.max(0, Math.round(Date.now() - meta.receivedAt))));
      res.writeHeader('X-Stream-State', access.room.state);
      res.writeHeader('X-Framehub-Shard', String(this.#d.shard));
      res.end(body);
    });
    metrics.snapshot(200);
    metrics.sent('snapshot', 1, meta.length);
  }
}
