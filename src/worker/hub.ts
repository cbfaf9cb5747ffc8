// The frame hub of one worker: the registry of the viewers of each room on this worker
// (every transport's viewers live here and nowhere else), and the delivery that reads a
// room's newest frame from its shared slot once and writes the same bytes to every viewer.
// A congested viewer skips frames (latest frame wins) and is caught up with the newest
// frame when its socket drains; nothing queues. Fan-out (fanout.ts) says when a slot has
// a new frame.
import type { RoomInfo } from '../protocol.js';
import type { FrameArena } from '../slots.js';
import type { DropReason, Transport } from '../telemetry.js';
import type { FrameReceiver } from './fanout.js';

/** Space kept before the JPEG in the scratch buffer for the MJPEG part header. */
const PART_HEADER_ROOM = 160;
const PART_TRAILER = Buffer.from('\r\n--frame\r\n', 'latin1');
const PART_HEAD = Buffer.from('Content-Type: image/jpeg\r\nContent-Length: ', 'latin1');
const PART_STAMP = Buffer.from('\r\nX-Timestamp: ', 'latin1');
const PART_END = Buffer.from('\r\n\r\n', 'latin1');
/** performance.timeOrigin is a getter that costs more than the clock read itself: read it once. */
const TIME_ORIGIN = performance.timeOrigin;

/**
 * Writes `n` (a non-negative integer) in decimal so that it ends at `end`, at least
 * `minDigits` long (zero-padded); returns where it starts.
 */
function writeDecimalBefore(buf: Uint8Array, end: number, n: number, minDigits = 1): number {
  let pos = end;
  let digits = 0;
  do {
    const q = Math.floor(n / 10);
    buf[--pos] = 48 + (n - q * 10);
    n = q;
    digits++;
  } while (n > 0 || digits < minDigits);
  return pos;
}

/**
 * Writes the MJPEG part header (`Content-Type`, `Content-Length`, `X-Timestamp` with
 * microseconds) so that it ends at `end`; returns where it starts. The same bytes a
 * template string with toFixed(6) gave, without building a string per frame.
 */
function writePartHeader(buf: Uint8Array, end: number, length: number, receivedAtMs: number): number {
  let pos = end - PART_END.length;
  buf.set(PART_END, pos);
  const micros = Math.round(receivedAtMs * 1000);
  const seconds = Math.floor(micros / 1e6);
  pos = writeDecimalBefore(buf, pos, micros - seconds * 1e6, 6);
  buf[--pos] = 46; // '.'
  pos = writeDecimalBefore(buf, pos, seconds);
  pos -= PART_STAMP.length;
  buf.set(PART_STAMP, pos);
  pos = writeDecimalBefore(buf, pos, length);
  pos -= PART_HEAD.length;
  buf.set(PART_HEAD, pos);
  return pos;
}

/**
 * A frame ready to write. One object per hub, refilled for every fan-out, and its bytes
 * live in the hub's scratch buffer: viewers write them (uWS copies), never keep them.
 */
export interface OutgoingFrame {
  seq: number;
  receivedAt: number;
  /** Date.now() when this fan-out began: viewers stamp their writes with it. */
  now: number;
  jpeg: Uint8Array;
  /** MJPEG part: part headers + JPEG + the next boundary (ustreamer's "advance headers"). */
  part: Uint8Array;
}

/** Why the hub ends a viewer: its room ended (or its app's access changed), or the worker shuts down. */
export type ViewerEnd = 'stream_ended' | 'going_away';

export interface Viewer {
  readonly transport: Exclude<Transport, 'snapshot'>;
  /** Sequence number of the last frame written (0 = none). */
  lastSeq: number;
  /** Writes the frame; returns false when skipped (congested, or throttled by choice). */
  deliver(frame: OutgoingFrame): boolean;
  /** True when the last skip was the viewer's chosen rate (a wall tile), not congestion. */
  readonly throttled?: boolean;
  /** The room changed state (camera away / back). */
  roomState(state: RoomInfo['state']): void;
  /** Finish the response / close the socket (it is already out of the hub). */
  end(reason: ViewerEnd): void;
  /** Once a second, the viewer's own upkeep: MJPEG keepalive and stall check, WS pings on a ping round. */
  sweep?(now: number, pingRound: boolean): void;
}

export interface HubMetrics {
  /** `frames` frames of `bytes` bytes in all were written to viewers of one transport. */
  delivered(transport: Viewer['transport'], frames: number, bytes: number): void;
  dropped(reason: DropReason, n?: number): void;
  fanoutLatency(seconds: number): void;
  viewerCount(transport: Viewer['transport'], delta: number): void;
}

interface HubRoom {
  info: RoomInfo;
  viewers: Set<Viewer>;
  /** Last frame fanned out. */
  lastSeq: number;
}

interface HubOptions {
  arena: FrameArena;
  /** This worker's index: its bit in the slots' VIEWERS masks. */
  shard: number;
  metrics: HubMetrics;
}

export class Hub implements FrameReceiver {
  readonly #arena: FrameArena;
  readonly #shard: number;
  readonly #metrics: HubMetrics;
  readonly #rooms = new Map<string, HubRoom>();
  readonly #bySlot = new Map<number, HubRoom>();
  readonly #scratch: Buffer;
  readonly #frame: OutgoingFrame;

  constructor(options: HubOptions) {
    const { arena } = options;
    this.#arena = arena;
    this.#shard = options.shard;
    this.#metrics = options.metrics;
    // Its own ArrayBuffer, so the JPEG lands 8-byte aligned (PART_HEADER_ROOM) and the copy out of the arena is word-wise.
    this.#scratch = Buffer.from(new ArrayBuffer(PART_HEADER_ROOM + arena.layout.slotBytes + PART_TRAILER.length));
    this.#frame = { seq: 0, receivedAt: 0, now: 0, jpeg: this.#scratch.subarray(0, 0), part: this.#scratch.subarray(0, 0) };
  }

  /** Viewer counts per room (for inspection and metrics). */
  viewerCounts(): { room: string; mjpeg: number; ws: number; wall: number }[] {
    return [...this.#rooms.values()].map((r) => {
      const n = { mjpeg: 0, ws: 0, wall: 0 };
      for (const v of r.viewers) n[v.transport]++;
      return { room: r.info.room, ...n };
    });
  }

  get viewerTotal(): number {
    let n = 0;
    for (const r of this.#rooms.values()) n += r.viewers.size;
    return n;
  }

  /** Adds a viewer and writes it the room's newest frame at once (if there is one). */
  attach(info: RoomInfo, viewer: Viewer): void {
    let room = this.#rooms.get(info.room);
    if (!room) {
      room = { info, viewers: new Set(), lastSeq: this.#arena.latestSeq(info.slot) };
      this.#rooms.set(info.room, room);
      this.#bySlot.set(info.slot, room);
      this.#arena.setViewing(info.slot, this.#shard, true);
    }
    room.viewers.add(viewer);
    this.#metrics.viewerCount(viewer.transport, 1);
    this.catchUp(info.room, viewer);
  }

  detach(roomName: string, viewer: Viewer): void {
    const room = this.#rooms.get(roomName);
    if (!room || !room.viewers.delete(viewer)) return;
    this.#metrics.viewerCount(viewer.transport, -1);
    if (room.viewers.size === 0) this.#forget(room);
  }

  #forget(room: HubRoom): void {
    this.#rooms.delete(room.info.room);
    if (this.#bySlot.get(room.info.slot) === room) this.#bySlot.delete(room.info.slot);
    this.#arena.setViewing(room.info.slot, this.#shard, false);
  }

  /** Writes the newest frame to one viewer if it has not had it (new or drained viewer). */
  catchUp(roomName: string, viewer: Viewer): void {
    const room = this.#rooms.get(roomName);
    if (!room) return;
    const frame = this.#read(room.info.slot);
    if (frame && frame.seq !== viewer.lastSeq) {
      if (viewer.deliver(frame)) this.#metrics.delivered(viewer.transport, 1, viewer.transport === 'mjpeg' ? frame.part.length : frame.jpeg.length);
    }
  }

  /** The room's newest frame, copied out of the slot into the hub's scratch buffer. */
  #read(slot: number): OutgoingFrame | null {
    const meta = this.#arena.readLatest(slot, this.#scratch, PART_HEADER_ROOM);
    if (!meta) return null;
    const scratch = this.#scratch;
    const start = writePartHeader(scratch, PART_HEADER_ROOM, meta.length, meta.receivedAt);
    const end = PART_HEADER_ROOM + meta.length;
    scratch.set(PART_TRAILER, end);
    const frame = this.#frame;
    frame.seq = meta.seq;
    frame.receivedAt = meta.receivedAt;
    frame.now = Date.now();
    frame.jpeg = scratch.subarray(PART_HEADER_ROOM, end);
    frame.part = scratch.subarray(start, end + PART_TRAILER.length);
    return frame;
  }

  /** A slot has a new frame (doorbell or local publish, see fanout.ts): write it to this worker's viewers. */
  onFrame(slot: number): void {
    const room = this.#bySlot.get(slot);
    if (!room) return;
    const frame = this.#read(slot);
    if (!frame || frame.seq === room.lastSeq) return;
    room.lastSeq = frame.seq;
    let skipped = 0;
    let mjpeg = 0;
    let ws = 0;
    let wall = 0;
    for (const v of room.viewers) {
      if (v.deliver(frame)) {
        if (v.transport === 'mjpeg') mjpeg++;
        else if (v.transport === 'ws') ws++;
        else wall++;
      } else if (!v.throttled) skipped++;
    }
    if (mjpeg) this.#metrics.delivered('mjpeg', mjpeg, mjpeg * frame.part.length);
    if (ws) this.#metrics.delivered('ws', ws, ws * frame.jpeg.length);
    if (wall) this.#metrics.delivered('wall', wall, wall * frame.jpeg.length);
    if (skipped) this.#metrics.dropped('slow_viewer', skipped);
    this.#metrics.fanoutLatency((TIME_ORIGIN + performance.now() - frame.receivedAt) / 1000);
  }

  /** Room table changes from the primary. */
  onRoom(info: RoomInfo): void {
    const room = this.#rooms.get(info.room);
    if (!room) return;
    const stateChanged = room.info.state !== info.state;
    room.info = info;
    if (stateChanged) for (const v of room.viewers) v.roomState(info.state);
  }

  onRoomClosed(roomName: string, reason: ViewerEnd = 'stream_ended'): void {
    const room = this.#rooms.get(roomName);
    if (!room) return;
    this.#forget(room);
    for (const v of [...room.viewers]) {
      this.#metrics.viewerCount(v.transport, -1);
      v.end(reason);
    }
    room.viewers.clear();
  }

  /** Ends the viewers of every room matching `pred` (app gone private or deleted; shutdown: 'going_away'). */
  endWhere(pred: (info: RoomInfo) => boolean, reason: ViewerEnd = 'stream_ended'): void {
    for (const room of [...this.#rooms.values()]) if (pred(room.info)) this.onRoomClosed(room.info.room, reason);
  }

  /**
   * Every viewer's upkeep, once a second (the worker's sweep). A viewer may leave the hub
   * during its own sweep (a stalled MJPEG viewer, a WS viewer that missed its pongs): Map
   * and Set iteration goes on past an entry deleted meanwhile.
   */
  sweep(now: number, pingRound: boolean): void {
    for (const room of this.#rooms.values()) for (const v of room.viewers) v.sweep?.(now, pingRound);
  }
}
