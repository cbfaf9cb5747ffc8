// Every message between the runner and a generator thread, as unions by direction.
// A generator thread is one long piscina task that owns a share of the cameras, viewers
// and snapshot pollers; the runner steers it through a MessagePort.
import type { MessagePort } from 'node:worker_threads';
import type { FrameSize } from '../../src/camera/frames.js';
import type { HistogramData } from '../lib/histogram.js';

export interface TargetAddress {
  host: string;
  port: number;
  app: string;
}

/** The task piscina runs in a generator thread. */
export interface SessionTask {
  thread: number;
  target: TargetAddress;
  port: MessagePort;
}

export interface CameraSpec {
  /** Room number: the room is `cam<index>`. */
  index: number;
  key: string;
  fps: number;
  size: FrameSize;
  /** Reconnect this long after any close, like the firmware (default: no reconnect). */
  reconnectMs?: number;
}

export type ViewerTransport = 'mjpeg' | 'ws';

export interface ViewerSpec {
  index: number;
  transport: ViewerTransport;
  /** MJPEG only: reconnect this long after a close or a refused request, like a player (default: no reconnect). */
  reconnectMs?: number;
}

export interface PollerSpec {
  index: number;
  intervalMs: number;
  /** Revalidate with If-None-Match (304 when the frame did not change). */
  etag: boolean;
}

export interface LoadSlice {
  cameras: CameraSpec[];
  viewers: ViewerSpec[];
  pollers: PollerSpec[];
}

/** Cumulative counters of one thread, sent about every second for the progress display. */
export interface Counters {
  cameras: number;
  viewers: number;
  framesSent: number;
  mjpegParts: number;
  wsFrames: number;
  snapshots: number;
  bytesSent: number;
  bytesReceived: number;
}

/** Per room: frames a camera's schedule offered, frames it sent, bytes sent (all within the window). */
export type CameraRow = [index: number, offered: number, sent: number, bytes: number];
/** Per room and transport: viewers, frames delivered (stamped within the window), bytes. */
export type ViewerRow = [index: number, viewers: number, delivered: number, bytes: number];

export interface SnapshotStats {
  requests: number;
  ok: number;
  notModified: number;
  failed: number;
  bytes: number;
  latency: HistogramData;
}

export interface ErrorCounts {
  /** Parts or messages that were not a complete stamped JPEG. */
  bad: number;
  cameraCloses: number;
  viewerCloses: number;
  /** Frames a camera skipped because its socket still held 256 KiB unsent. */
  cameraStalls: number;
  /** Why sockets closed or requests failed: `<what> <reason>` -> count. */
  reasons: Record<string, number>;
}

export const emptyErrors = (): ErrorCounts => ({ bad: 0, cameraCloses: 0, viewerCloses: 0, cameraStalls: 0, reasons: {} });

export function addErrors(a: ErrorCounts, b: ErrorCounts): ErrorCounts {
  const reasons = { ...a.reasons };
  for (const [k, v] of Object.entries(b.reasons)) reasons[k] = (reasons[k] ?? 0) + v;
  return { bad: a.bad + b.bad, cameraCloses: a.cameraCloses + b.cameraCloses, viewerCloses: a.viewerCloses + b.viewerCloses, cameraStalls: a.cameraStalls + b.cameraStalls, reasons };
}

export interface WindowStats {
  thread: number;
  cameras: CameraRow[];
  mjpeg: ViewerRow[];
  ws: ViewerRow[];
  latency: { mjpeg: HistogramData; ws: HistogramData };
  snapshots: SnapshotStats;
  errors: ErrorCounts;
  /** Event loop utilisation of this thread over the window (0..1). */
  elu: number;
  /** p99 event loop delay of this thread over the window, ms. */
  loopDelayP99Ms: number;
}

/** Per camera: room, connected and `ready` (1) or not (0), connections made so far. */
export type CameraStatus = [index: number, ready: number, connects: number];
/** Per viewer: room, the send time (ms since epoch) of the newest frame it got, 0 if none. */
export type ViewerStatus = [index: number, lastSentAt: number];

export type ToGenerator =
  | { type: 'add'; id: number; slice: LoadSlice }
  | { type: 'status'; id: number }
  | { type: 'window'; id: number; from: number; to: number; settleMs: number }
  | { type: 'quit' };

export type FromGenerator =
  | { type: 'added'; id: number; failed: string[] }
  | { type: 'progress'; counters: Counters }
  | { type: 'status'; id: number; cameras: CameraStatus[]; viewers: ViewerStatus[] }
  | { type: 'window'; id: number; stats: WindowStats };

export const roomName = (index: number): string => `cam${index}`;
