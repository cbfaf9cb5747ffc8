// Every message between the primary and the shard workers, as unions on `type`, split by
// direction. Requests carry an id and get exactly one `reply` (see channel.ts).
import type { Config } from './config.js';
import type { CloseReasonToken } from './errors.js';
import type { ArenaLayout } from './slots.js';

/** Handed to each worker at spawn (workerData). */
export interface WorkerInit {
  shard: number;
  config: Config;
  /** Port to listen on: the configured one, or the one worker 0 got when it was 0. */
  port: number;
  arenas: SharedArrayBuffer[];
  layout: ArenaLayout;
  doorbell: SharedArrayBuffer;
  /** Node-wide counters shared by the workers (see ViewerLimits). */
  counters: SharedArrayBuffer;
  /** Random per primary start; part of ETags so a restart never reuses one. */
  bootId: string;
}

/** The protocol limits in force for a camera (global config or the app's overrides). */
export interface Limits {
  maxFps: number;
  maxFrameBytes: number;
  idleTimeoutSec: number;
}

/** A room that has (or recently had) a camera, as every worker sees it. */
export interface RoomInfo {
  /** Full room name `<app>-<room>`. */
  room: string;
  app: string;
  /** Short room name as minted (`cam1`). */
  name: string;
  /** Global frame slot id. */
  slot: number;
  /** Slot generation for this room incarnation. */
  gen: number;
  /** `live`: a camera is connected; `away`: it left, within the reconnect grace period. */
  state: 'live' | 'away';
  streamId: string;
  startedAt: number;
}

/** What a worker needs to know of an app to serve playback. */
export interface AppView {
  name: string;
  publicPlayback: boolean;
  /** HMAC secret (hex) to check play tokens. */
  playSecret: string;
}

/** Last `stats` message of a camera, sanitised. */
export interface CameraStats {
  fps?: number;
  rssi?: number;
  heapFree?: number;
  at: number;
}

// ---- requests a worker makes of the primary ----

export interface AdmitRequest {
  kind: 'admit';
  app: string;
  room: string;
  /** sha256 (hex) of the presented key, or null if none was presented. */
  keyHash: string | null;
  identity: string | null;
  ip: string;
  /** When the worker accepted the connection: Date.now(), which every thread reads from the same
   *  clock (a thread's performance.timeOrigin is fixed at its start and would not follow a clock step). */
  acceptedAt: number;
}

export type AdmitResult =
  | { ok: true; connId: number; keyId: string; info: RoomInfo; limits: Limits }
  | { ok: false; reason: CloseReasonToken; message: string };

export interface ApiRequest {
  kind: 'api';
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  ip: string;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export type WorkerRequest = AdmitRequest | ApiRequest;

// ---- requests the primary makes of a worker ----

export type PrimaryRequest =
  | { kind: 'metrics' }
  | { kind: 'inspect' }
  /** Start (`on`) or stop accepting new connections on the public port; replies `{ accepting }`. */
  | { kind: 'accept'; on: boolean };

/** What a worker tells about itself (tests and the streams API). */
export interface WorkerInspect {
  shard: number;
  cameras: { connId: number; room: string; streamId: string }[];
  viewers: { room: string; mjpeg: number; ws: number; wall: number }[];
}

export type ReplyResult = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

// ---- messages by direction ----

export type ToWorker =
  | { type: 'reply'; id: number; result: ReplyResult }
  | { type: 'request'; id: number; body: PrimaryRequest }
  /** Full room table, sent once after spawn. */
  | { type: 'rooms'; rooms: RoomInfo[] }
  /** The app table (sent after spawn and after every change). */
  | { type: 'apps'; apps: AppView[] }
  /** A room opened or changed state (live/away). */
  | { type: 'room'; info: RoomInfo }
  /** A room ended: its viewers are ended and its slot may be reused. */
  | { type: 'room-closed'; room: string; slot: number }
  /** Close this camera connection with the code of `reason`. */
  | { type: 'kick'; connId: number; reason: CloseReasonToken; message: string }
  | { type: 'shutdown' }
  /** Test-only (FRAMEHUB_FAULT_INJECTION): throw outside any handler, as a bug would. */
  | { type: 'fault'; kind: 'uncaught' };

export type ToPrimary =
  | { type: 'reply'; id: number; result: ReplyResult }
  | { type: 'request'; id: number; body: WorkerRequest }
  | { type: 'listening'; port: number }
  /** An uncaught exception: the worker closes everything and exits (others take over accepting now). */
  | { type: 'dying' }
  | { type: 'camera-closed'; connId: number; code: number; reason: string; frames: number; bytes: number }
  | { type: 'camera-stats'; connId: number; stats: CameraStats };
