// Camera ingest: `/ingest/ws`. The socket is upgraded at once, with its handlers, and the
// handshake is decided by the primary (key, app, room, quotas, per-IP limits,
// newest-connection-wins) while it is open: `ready` or `{"type":"error"}` + close follows.
// Not upgrading after an await is deliberate: uWS's `res.cork(() => res.upgrade())` from
// a promise can close the new socket right after `open` (uNetworking/uWebSockets#1928,
// fixed upstream after the build we pin; ~1 in 400 fast reconnects here, every one with a
// `Connection: close` handshake), and an uncorked async upgrade of such a handshake aborts
// the process. A frame sent before `ready` is kept (the newest one) and published on
// admission; a close during the wait hands the admission back (no ghost camera).
// Each binary message is one JPEG: checked (size, SOI/EOI, token bucket at maxFps) and
// handed to the frame sink (fanout.ts), which copies it into the room's shared slot and
// wakes the room's viewers on every worker.
import type { HttpRequest, HttpResponse, us_socket_context_t, WebSocket, WebSocketBehavior } from 'uWebSockets.js';
import type { RequestChannel } from '../channel.js';
import type { Config } from '../config.js';
import { CloseCode, type CloseReasonToken } from '../errors.js';
import { isJpeg } from '../jpeg.js';
import { hashSecret } from '../secretHash.js';
import type { AdmitResult, CameraStats, Limits, ReplyResult, RoomInfo, ToPrimary, WorkerRequest } from '../protocol.js';
import type { AppIngestSeries, Logger, WorkerMetrics } from '../telemetry.js';
import type { FrameSink } from './fanout.js';
import { readRequest } from './http.js';
import { closeWithError, gotPong, pingOrDrop, upgrade, type SocketState } from './sockets.js';

/** performance.timeOrigin is a getter that costs more than the clock read itself: read it once. */
const TIME_ORIGIN = performance.timeOrigin;
/** Largest text message a camera may send (stats); larger ones are ignored and counted. */
const MAX_TEXT_BYTES = 1024;
/** Stats messages are parsed at most this often per camera; the rest are counted and ignored. */
const STATS_MIN_INTERVAL_MS = 1000;
/** How long a handshake waits for the primary's decision before 1013 `unavailable`. */
export const ADMIT_TIMEOUT_MS = 5000;

interface CameraSocketData extends SocketState {
  kind: 'camera';
  /** null while the primary decides the handshake (the socket is already open). */
  admission: AdmitResult | null;
  /** Shared with the pending admission request (uWS copies user data onto the socket). */
  ticket: Ticket;
  /** The newest frame received before admission, published when the camera is admitted. */
  early: ArrayBuffer | null;
  ip: string;
  openedAt: number;
  lastFrameAt: number;
  missedPongs: number;
  /** Token bucket at maxFps. */
  tokens: number;
  refilledAt: number;
  frames: number;
  bytes: number;
  lastStatsAt: number;
  /** The app's frame and byte totals (looked up once, at admission). */
  series: AppIngestSeries | null;
}

interface IngestDeps {
  shard: number;
  /** The payload cap uWS enforces (a multiple of FRAMEHUB_MAX_FRAME_BYTES). */
  config: Pick<Config, 'maxFrameBytes'>;
  /** Where accepted frames go: the room's slot, then its viewers. */
  frames: FrameSink;
  metrics: WorkerMetrics;
  log: Logger;
  primary: RequestChannel<WorkerRequest>;
  notify(msg: ToPrimary): void;
  trustedProxies: ReadonlySet<string>;
}

type CameraSocket = WebSocket<CameraSocketData>;

/** Links a handshake's admission request to its socket: set by `open`, cleared by `close`. */
interface Ticket {
  socket: CameraSocket | null;
  closed: boolean;
  /** An answer that came before `open` (uWS runs `open` inside the upgrade, so not expected). */
  admission: AdmitResult | null;
}

/** Picks the stream key: `Authorization: Bearer wsk_...` first, then `?key=`. */
function presentedKey(headers: Record<string, string>, params: URLSearchParams): string | null {
  const auth = headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (m) return m[1]!;
  return params.get('key') || null;
}

export class Ingest {
  readonly #d: IngestDeps;
  readonly #cameras = new Map<number, CameraSocket>();
  /** Open sockets still waiting for the primary's decision. */
  readonly #pending = new Set<CameraSocket>();

  constructor(deps: IngestDeps) {
    this.#d = deps;
  }

  list(): { connId: number; room: string; streamId: string }[] {
    return [...this.#cameras.entries()].map(([connId, ws]) => {
      const a = ws.getUserData().admission;
      return { connId, room: a?.ok ? a.info.room : '', streamId: a?.ok ? a.info.streamId : '' };
    });
  }

  behavior(): WebSocketBehavior<CameraSocketData> {
    const { config } = this.#d;
    return {
      // Frames between maxFrameBytes and this cap get 4413; above it uWS drops the TCP
      // connection from the frame header alone (the client sees 1006).
      maxPayloadLength: config.maxFrameBytes * 4,
      maxBackpressure: 64 * 1024,
      idleTimeout: 0, // liveness (pings, 4408) is app code, the sweep: docs/deploy.md, supported platforms
      sendPingsAutomatically: false,
      upgrade: (res, req, context) => this.#upgrade(res, req, context),
      open: (ws) => this.#open(ws),
      message: (ws, message, isBinary) => this.#message(ws, message, isBinary),
      pong: gotPong,
      ping: gotPong,
      close: (ws, code) => this.#close(ws, code),
    };
  }

  #upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
    const info = readRequest(res, req, this.#d.trustedProxies);
    const key = presentedKey(info.headers, info.params);
    const now = Date.now();
    const request: WorkerRequest = {
      kind: 'admit',
      app: info.params.get('app') ?? '',
      room: info.params.get('room') ?? '',
      keyHash: key === null ? null : hashSecret(key),
      // Checked by the primary (printable ASCII, 1-64); capped here only to bound the message.
      identity: info.params.get('identity')?.slice(0, 256) || null,
      ip: info.ip,
      acceptedAt: now,
    };
    const ticket: Ticket = { socket: null, closed: false, admission: null };
    const data: CameraSocketData = {
      kind: 'camera', admission: null, ticket, early: null, ip: info.ip, openedAt: now, lastFrameAt: now,
      missedPongs: 0, tokens: 0, refilledAt: now, frames: 0, bytes: 0, lastStatsAt: 0, closing: null, series: null,
    };
    upgrade(res, info, data, context);
    // Past the timeout the camera got 1013; an admission the primary still grants after that
    // is handed straight back, or it would hold the room and count against maxCameras.
    const handBack = (late: ReplyResult): void => {
      const admission = late.ok ? (late.value as AdmitResult) : null;
      if (!admission?.ok) return;
      this.#d.log.warn({ event: 'late_admission', room: admission.info.room, connId: admission.connId }, 'camera admitted after the handshake timed out; handed back');
      this.#d.notify({ type: 'camera-closed', connId: admission.connId, code: CloseCode.tryAgainLater, reason: 'admission_timeout', frames: 0, bytes: 0 });
    };
    this.#d.primary.request<AdmitResult>(request, ADMIT_TIMEOUT_MS, handBack).then(
      (admission) => this.#decided(ticket, admission),
      (err: Error) => {
        this.#d.log.error({ err: err.message }, 'camera admission failed');
        this.#decided(ticket, { ok: false, reason: 'unavailable', message: 'the server could not decide this handshake; retry' });
      },
    );
  }

  #open(ws: CameraSocket): void {
    const { ticket } = ws.getUserData();
    ticket.socket = ws;
    this.#pending.add(ws);
    if (ticket.admission) this.#decided(ticket, ticket.admission);
  }

  /** The primary's answer. The socket may have closed meanwhile: then an admission is handed back. */
  #decided(ticket: Ticket, admission: AdmitResult): void {
    if (ticket.closed) {
      if (admission.ok) this.#d.notify({ type: 'camera-closed', connId: admission.connId, code: CloseCode.abnormal, reason: 'aborted_handshake', frames: 0, bytes: 0 });
      return;
    }
    const ws = ticket.socket;
    if (!ws) {
      ticket.admission = admission;
      return;
    }
    ticket.admission = null;
    this.#pending.delete(ws);
    const data = ws.getUserData();
    const now = Date.now();
    data.admission = admission;
    data.openedAt = now;
    data.lastFrameAt = now;
    data.refilledAt = now;
    data.tokens = admission.ok ? admission.limits.maxFps : 0;
    data.series = admission.ok ? this.#d.metrics.ingestSeries(admission.info.app) : null;
    ws.cork(() => this.#start(ws, data));
  }

  /** Admitted or refused: `ready` (and the frame that came early), or the error and close. */
  #start(ws: CameraSocket, data: CameraSocketData): void {
    const a = data.admission!;
    if (!a.ok) {
      data.early = null;
      closeWithError(ws, a.reason, a.message);
      return;
    }
    this.#cameras.set(a.connId, ws);
    this.#d.metrics.cameras.inc({ shard: String(this.#d.shard) });
    ws.send(JSON.stringify(readyMessage(a.info, a.limits)), false);
    this.#d.log.info({ event: 'camera_open', room: a.info.room, streamId: a.info.streamId, keyId: a.keyId, connId: a.connId, ip: data.ip }, 'camera connected');
    const early = data.early;
    data.early = null;
    if (early) this.#message(ws, early, true);
  }

  #message(ws: CameraSocket, message: ArrayBuffer, isBinary: boolean): void {
    const data = ws.getUserData();
    const a = data.admission;
    if (!a) {
      // Before `ready`: keep the newest frame (uWS reuses `message` after this callback).
      if (isBinary) {
        if (data.early) this.#d.metrics.dropped('not_ready');
        data.early = message.slice(0);
      }
      return;
    }
    if (!a.ok || data.closing) return;
    data.missedPongs = 0;
    if (!isBinary) {
      this.#text(ws, data, message);
      return;
    }
    const { metrics } = this.#d;
    const frame = new Uint8Array(message);
    if (frame.length > a.limits.maxFrameBytes) {
      metrics.dropped('oversize');
      closeWithError(ws, 'frame_too_large', `frame of ${frame.length} bytes exceeds maxFrameBytes ${a.limits.maxFrameBytes}`);
      return;
    }
    if (!isJpeg(frame)) {
      metrics.dropped('not_jpeg');
      this.#d.frames.countDrop(a.info.slot);
      return;
    }
    const now = Date.now();
    data.tokens = Math.min(a.limits.maxFps, data.tokens + ((now - data.refilledAt) / 1000) * a.limits.maxFps);
    data.refilledAt = now;
    if (data.tokens < 1) {
      metrics.dropped('rate_limit');
      this.#d.frames.countDrop(a.info.slot);
      return;
    }
    data.tokens -= 1;
    const result = this.#d.frames.publish(a.info.slot, a.connId, frame, TIME_ORIGIN + performance.now());
    if (result !== 'ok') {
      metrics.dropped(result === 'not_owner' ? 'replaced' : 'writer_busy');
      return;
    }
    data.lastFrameAt = now;
    data.frames++;
    data.bytes += frame.length;
    const series = data.series!;
    series.frames.value++;
    series.bytes.value += frame.length;
  }

  /** Optional `stats` messages: small, rate limited, numbers only. */
  #text(ws: CameraSocket, data: CameraSocketData, message: ArrayBuffer): void {
    const { metrics } = this.#d;
    const now = Date.now();
    if (message.byteLength > MAX_TEXT_BYTES) {
      metrics.statsMessages.inc({ result: 'too_large' });
      return;
    }
    if (now - data.lastStatsAt < STATS_MIN_INTERVAL_MS) {
      metrics.statsMessages.inc({ result: 'rate_limited' });
      return;
    }
    data.lastStatsAt = now;
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(message).toString('utf8'));
    } catch {
      metrics.statsMessages.inc({ result: 'invalid' });
      return;
    }
    const msg = parsed as Record<string, unknown> | null;
    if (!msg || typeof msg !== 'object' || msg.type !== 'stats') {
      metrics.statsMessages.inc({ result: 'invalid' });
      return;
    }
    const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    const stats: CameraStats = { fps: num(msg.fps), rssi: num(msg.rssi), heapFree: num(msg.heapFree), at: now };
    metrics.statsMessages.inc({ result: 'ok' });
    const a = data.admission;
    if (a?.ok) this.#d.notify({ type: 'camera-stats', connId: a.connId, stats });
    void ws;
  }

  #close(ws: CameraSocket, code: number): void {
    const data = ws.getUserData();
    const a = data.admission;
    data.ticket.closed = true;
    data.ticket.socket = null;
    data.early = null;
    this.#pending.delete(ws);
    const closeCode = data.closing?.code ?? code;
    const reason = data.closing?.reason ?? (code === CloseCode.normal ? 'normal' : code === CloseCode.abnormal ? 'connection_lost' : 'client_close');
    this.#d.metrics.closes.inc({ side: 'camera', code: String(closeCode) });
    if (!a?.ok) return; // undecided: #decided hands the admission back
    this.#cameras.delete(a.connId);
    this.#d.metrics.cameras.dec({ shard: String(this.#d.shard) });
    this.#d.notify({ type: 'camera-closed', connId: a.connId, code: closeCode, reason, frames: data.frames, bytes: data.bytes });
    this.#d.log.info(
      { event: 'camera_close', room: a.info.room, streamId: a.info.streamId, connId: a.connId, code: closeCode, reason, frames: data.frames, bytes: data.bytes, seconds: Math.round((Date.now() - data.openedAt) / 1000) },
      'camera disconnected',
    );
  }

  /** The primary closes a camera (replaced by a newer connection, key revoked...). */
  kick(connId: number, reason: CloseReasonToken, message: string): void {
    const ws = this.#cameras.get(connId);
    if (ws) closeWithError(ws, reason, message);
  }

  /** Runs every second: idle timeout (4408) and, on ping rounds, the two-missed-pongs rule. */
  sweep(now: number, pingRound: boolean): void {
    for (const ws of this.#cameras.values()) {
      const data = ws.getUserData();
      if (data.closing || !data.admission?.ok) continue;
      if (now - data.lastFrameAt > data.admission.limits.idleTimeoutSec * 1000) {
        closeWithError(ws, 'idle_timeout', `no frame for ${data.admission.limits.idleTimeoutSec} s`);
        continue;
      }
      if (pingRound) pingOrDrop(ws);
    }
  }

  /** Shutdown: every camera gets 1001 with a going-away message. */
  closeAll(): void {
    for (const ws of [...this.#cameras.values(), ...this.#pending]) closeWithError(ws, 'going_away', 'server shutting down');
  }
}

function readyMessage(info: RoomInfo, limits: Limits): Record<string, unknown> {
  return { type: 'ready', room: info.room, streamId: info.streamId, maxFps: limits.maxFps, maxFrameBytes: limits.maxFrameBytes, idleTimeoutSec: limits.idleTimeoutSec };
}
