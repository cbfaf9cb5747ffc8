// Camera admission and connection ownership, decided in one place for all workers:
// per-IP handshake limits, key/app/room checks, quotas, and "the newest connection
// wins" (the older socket, on whichever worker, is closed with 4409). Newest is by the time
// a worker accepted the connection, not by when its admission reaches this thread: two
// workers' requests can arrive here in either order.
import type { Config } from '../config.js';
import { CloseCode, type CloseReasonToken } from '../errors.js';
import { fullRoom, type App, type ControlStore } from '../keys.js';
import type { Logger } from '../telemetry.js';
import { IDENTITY_RULE, isAppName, isIdentity, isRoomName } from '../names.js';
import type { AdmitRequest, AdmitResult, CameraStats, Limits } from '../protocol.js';
import { RateLimiter } from './rateLimit.js';
import type { RoomTable } from './rooms.js';

export interface LiveCamera {
  connId: number;
  shard: number;
  keyId: string;
  app: string;
  room: string;
  identity: string | null;
  ip: string;
  connectedAt: number;
  /** AdmitRequest.acceptedAt: orders connections of the same key across workers. */
  acceptedAt: number;
  stats: CameraStats | null;
}

/** How a camera's last connection ended (close code and reason token), kept in memory. */
export interface LastClose {
  code: number;
  reason: string;
  at: number;
}

/** Last closes remembered per key and per room; the oldest are forgotten beyond this. */
const LAST_CLOSE_MAX = 10_000;

export interface CameraHooks {
  /** Ask worker `shard` to close camera `connId` with the code of `reason`. */
  kick(shard: number, connId: number, reason: CloseReasonToken, message: string): void;
  /** A handshake was refused (for metrics). */
  rejected(reason: CloseReasonToken): void;
  /** A camera was admitted (for traces). */
  admitted?(camera: LiveCamera, streamId: string): void;
}

function effectiveLimits(config: Config, app: App): Limits {
  return {
    maxFps: app.maxFps ?? config.maxFps,
    maxFrameBytes: Math.min(app.maxFrameBytes ?? config.maxFrameBytes, config.maxFrameBytes),
    idleTimeoutSec: app.idleTimeoutSec ?? config.idleTimeoutSec,
  };
}

export class CameraRegistry {
  readonly #config: Config;
  readonly #store: ControlStore;
  readonly #rooms: RoomTable;
  readonly #hooks: CameraHooks;
  readonly #log: Logger;
  readonly #byConn = new Map<number, LiveCamera>();
  readonly #byRoom = new Map<string, number>();
  readonly #lastCloseByKey = new Map<string, LastClose>();
  readonly #lastCloseByRoom = new Map<string, LastClose>();
  readonly #perIp: RateLimiter;
  readonly #failures: RateLimiter;
  readonly #sweeper: NodeJS.Timeout;
  #nextConnId = 1;

  constructor(config: Config, store: ControlStore, rooms: RoomTable, hooks: CameraHooks, log: Logger) {
    this.#config = config;
    this.#store = store;
    this.#rooms = rooms;
    this.#hooks = hooks;
    this.#log = log;
    this.#perIp = new RateLimiter(config.handshakeBurst, config.handshakeRatePerSec);
    this.#failures = new RateLimiter(config.authFailBurst, 1 / config.authFailRefillSec);
    this.#sweeper = setInterval(() => {
      this.#perIp.sweep();
      this.#failures.sweep();
    }, 60_000).unref();
  }

  close(): void {
    clearInterval(this.#sweeper);
  }

  list(): LiveCamera[] {
    return [...this.#byConn.values()];
  }

  byRoom(room: string): LiveCamera | undefined {
    const id = this.#byRoom.get(room);
    return id === undefined ? undefined : this.#byConn.get(id);
  }

  countForApp(app: string): number {
    let n = 0;
    for (const c of this.#byConn.values()) if (c.app === app) n++;
    return n;
  }

  #reject(reason: CloseReasonToken, message: string): AdmitResult {
    this.#hooks.rejected(reason);
    return { ok: false, reason, message };
  }

  /** Decides a camera handshake. Synchronous: nothing slow sits on the handshake path. */
  admit(req: AdmitRequest, shard: number): AdmitResult {
    if (!this.#perIp.take(req.ip)) return this.#reject('rate_limited', 'too many handshakes from this address; retry later');
    // Credentials are looked up first (by hash: the time taken does not depend on how much of
    // a key matched); only a failed handshake is charged to, and stopped by, the bucket of
    // its address and room, so someone else's bad keys never lock out the room's camera.
    const failKey = `${req.ip}|${req.app}|${req.room}`;
    const fail = (reason: CloseReasonToken, message: string): AdmitResult => {
      if (!this.#failures.take(failKey)) return this.#reject('rate_limited', 'too many failed handshakes for this room from this address; retry later');
      return this.#reject(reason, message);
    };

    const app = isAppName(req.app) ? this.#store.getApp(req.app) : undefined;
    if (!app) return fail('unknown_app', 'unknown app');
    if (req.keyHash === null) return fail('invalid_key', 'no stream key: send Authorization: Bearer wsk_... or ?key=');
    const key = this.#store.findKeyByHash(req.keyHash);
    if (!key || key.app !== app.name) return fail('invalid_key', 'invalid stream key');
    if (!isRoomName(req.room) || (req.room !== key.room && req.room !== fullRoom(key.app, key.room))) {
      return fail('room_mismatch', `this key is for room ${key.room}`);
    }
    // The same rule as minting an identity through the API; a valid key pays nothing for it.
    if (req.identity !== null && !isIdentity(req.identity)) return this.#reject('invalid_identity', `identity: ${IDENTITY_RULE}`);
    if (!app.wsIngest) return this.#reject('ws_ingest_disabled', 'WS ingest is disabled for this app');

    const room = fullRoom(app.name, key.room);
    const previous = this.byRoom(room);
    // A handshake older than the live connection (say, one abandoned at once and decided late)
    // must not replace it: it is the one that loses. Within the same millisecond the later
    // decided wins, as before.
    if (previous && previous.acceptedAt > req.acceptedAt) return this.#reject('replaced', 'a newer connection with the same key is live');
    if (app.maxCameras > 0 && this.countForApp(app.name) - (previous ? 1 : 0) >= app.maxCameras) {
      return this.#reject('max_cameras', `app ${app.name} allows ${app.maxCameras} live cameras`);
    }

    const connId = this.#nextConnId++;
    const info = this.#rooms.goLive(app.name, key.room, connId);
    if (!info) return this.#reject('node_full', `this node holds at most ${this.#config.maxRooms} live rooms`);
    if (previous) this.#replace(previous);

    const camera: LiveCamera = {
      connId, shard, keyId: key.id, app: app.name, room, identity: req.identity ?? key.identity,
      ip: req.ip, connectedAt: Date.now(), acceptedAt: req.acceptedAt, stats: null,
    };
    this.#byConn.set(connId, camera);
    this.#byRoom.set(room, connId);
    this.#hooks.admitted?.(camera, info.streamId);
    this.#store.touchKey(key.id, camera.connectedAt).catch((err: Error) => this.#log.warn({ err: err.message }, 'could not record key last-seen time'));
    return { ok: true, connId, keyId: key.id, info, limits: effectiveLimits(this.#config, app) };
  }

  #replace(old: LiveCamera): void {
    this.#byConn.delete(old.connId);
    this.#remember(old, CloseCode.replaced, 'replaced');
    this.#hooks.kick(old.shard, old.connId, 'replaced', 'replaced by a new connection with the same key');
  }

  /** The last close of a key's camera, or of a room's, since this node started. */
  lastCloseOfKey(keyId: string): LastClose | undefined {
    return this.#lastCloseByKey.get(keyId);
  }

  lastCloseOfRoom(room: string): LastClose | undefined {
    return this.#lastCloseByRoom.get(room);
  }

  #remember(camera: LiveCamera, code: number, reason: string): void {
    const close: LastClose = { code, reason, at: Date.now() };
    for (const [map, id] of [[this.#lastCloseByKey, camera.keyId], [this.#lastCloseByRoom, camera.room]] as const) {
      map.delete(id); // re-inserted last: the Map's order is the age order
      map.set(id, close);
      if (map.size > LAST_CLOSE_MAX) map.delete(map.keys().next().value!);
    }
  }

  /** A camera socket closed (or its admission was abandoned) with `code`/`reason`. */
  closed(connId: number, code: number, reason: string): void {
    const camera = this.#byConn.get(connId);
    if (!camera) return;
    this.#byConn.delete(connId);
    this.#remember(camera, code, reason);
    if (this.#byRoom.get(camera.room) === connId) {
      this.#byRoom.delete(camera.room);
      this.#rooms.goAway(camera.room);
    }
  }

  /** Every camera of a worker that died. */
  shardGone(shard: number): void {
    for (const c of [...this.#byConn.values()]) if (c.shard === shard) this.closed(c.connId, CloseCode.abnormal, 'worker_died');
  }

  stats(connId: number, stats: CameraStats): void {
    const camera = this.#byConn.get(connId);
    if (camera) camera.stats = stats;
  }

  /** Closes the live connection of a revoked key (4401) or of an app's cameras. */
  kickWhere(pred: (c: LiveCamera) => boolean, reason: CloseReasonToken, message: string): number {
    let n = 0;
    for (const c of this.#byConn.values()) {
      if (!pred(c)) continue;
      this.#hooks.kick(c.shard, c.connId, reason, message);
      n++;
    }
    return n;
  }
}
