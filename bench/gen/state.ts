// What one generator thread counts: the measurement window, per-room tallies, latency
// histograms and error counts, shared by its cameras, viewers and pollers. Frames count
// in the window by their stamped send time, so a frame sent just before the window ends
// and delivered just after still counts as delivered.
import { Histogram } from '../lib/histogram.js';
import { emptyErrors, type Counters, type ErrorCounts, type ViewerTransport } from './messages.js';
import { nowMs, readStamp } from './stamp.js';

export interface Tally {
  viewers: number;
  delivered: number;
  bytes: number;
}

export class GeneratorState {
  /** Window bounds, ms since epoch; nothing counts before the first window is set. */
  from = Infinity;
  to = Infinity;
  stopping = false;
  readonly counters: Counters = { cameras: 0, viewers: 0, framesSent: 0, mjpegParts: 0, wsFrames: 0, snapshots: 0, bytesSent: 0, bytesReceived: 0 };
  errors: ErrorCounts = emptyErrors();
  readonly latency = { mjpeg: new Histogram(), ws: new Histogram() };
  readonly tallies = { mjpeg: new Map<number, Tally>(), ws: new Map<number, Tally>() };

  /** Counts why something closed or failed (outside shutdown). */
  note(what: string, reason: string): void {
    if (this.stopping) return;
    const key = `${what} ${reason}`;
    this.errors.reasons[key] = (this.errors.reasons[key] ?? 0) + 1;
  }

  inWindow(t: number): boolean {
    return t >= this.from && t < this.to;
  }

  tally(transport: ViewerTransport, index: number): Tally {
    let t = this.tallies[transport].get(index);
    if (!t) this.tallies[transport].set(index, (t = { viewers: 0, delivered: 0, bytes: 0 }));
    return t;
  }

  /** Starts a new window: clears what the previous one counted. */
  openWindow(from: number, to: number): void {
    this.from = from;
    this.to = to;
    this.errors = emptyErrors();
    this.latency.mjpeg.reset();
    this.latency.ws.reset();
    for (const map of Object.values(this.tallies)) for (const t of map.values()) (t.delivered = 0), (t.bytes = 0);
  }
}

/** One viewer's accounting: every frame it receives, checked, deduplicated, timed. */
export class FrameReceiver {
  lastSeq = 0;
  /** Send time of the newest frame received (ms since epoch), 0 before the first. */
  lastSentAt = 0;
  readonly index: number;
  readonly #state: GeneratorState;
  readonly #transport: ViewerTransport;
  readonly #tally: Tally;

  constructor(state: GeneratorState, transport: ViewerTransport, index: number) {
    this.#state = state;
    this.#transport = transport;
    this.index = index;
    this.#tally = state.tally(transport, index);
    this.#tally.viewers++;
  }

  frame(head: Buffer, length: number, endsWithEoi: boolean): void {
    const now = nowMs();
    const s = this.#state;
    if (this.#transport === 'mjpeg') s.counters.mjpegParts++;
    else s.counters.wsFrames++;
    s.counters.bytesReceived += length;
    const stamp = readStamp(head);
    if (!stamp || !endsWithEoi) {
      s.errors.bad++;
      return;
    }
    // A keepalive re-send of a frame already shown is not a new delivery.
    if (stamp.seq <= this.lastSeq) return;
    this.lastSeq = stamp.seq;
    this.lastSentAt = stamp.sentAt;
    if (!s.inWindow(stamp.sentAt)) return;
    this.#tally.delivered++;
    this.#tally.bytes += length;
    s.latency[this.#transport].record(now - stamp.sentAt);
  }

  detach(): void {
    this.#tally.viewers--;
  }
}
