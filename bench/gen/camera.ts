// A bench camera: connects like the firmware (header auth, `arduino` subprotocol), waits
// for `ready`, then sends stamped sample frames on a drift-free schedule at its fps,
// starting at a random phase so a fleet's frames spread over the interval. A camera whose
// socket still holds 256 KiB unsent skips the frame (an ESP32 with CAMERA_GRAB_LATEST
// would send a newer one later): counted as offered, not sent. With `reconnectMs` it
// reconnects after any close, like the firmware; its sequence numbers go on.
import type { TargetAddress, CameraSpec } from './messages.js';
import { roomName } from './messages.js';
import { RawWs } from './rawWs.js';
import type { GeneratorState } from './state.js';
import { nowMs } from './stamp.js';
import type { StampedFrames } from './stampedFrames.js';

const STALL_BYTES = 256 * 1024;

export class BenchCamera {
  readonly spec: CameraSpec;
  readonly #state: GeneratorState;
  readonly #frames: StampedFrames;
  #ws: RawWs | null = null;
  #timer: NodeJS.Timeout | null = null;
  #retry: NodeJS.Timeout | null = null;
  #stopped = false;
  #seq = 0;
  /** Within the current window. */
  offered = 0;
  sent = 0;
  bytes = 0;

  constructor(spec: CameraSpec, frames: StampedFrames, state: GeneratorState) {
    this.spec = spec;
    this.#frames = frames;
    this.#state = state;
  }

  /** Connections made, and whether the current one is `ready` (for failover timing). */
  connects = 0;
  ready = false;

  /**
   * Connects; resolves once `ready` arrived and sending started, rejects on a close before
   * that. With `reconnectMs`, any later close (or failed reconnect) tries again after it.
   */
  start(target: TargetAddress): Promise<void> {
    return new Promise((resolve, reject) => this.#connect(target, resolve, reject));
  }

  #connect(target: TargetAddress, resolve: () => void, reject: (err: Error) => void): void {
    const q = new URLSearchParams({ app: target.app, room: roomName(this.spec.index) });
    const first = this.connects === 0;
    this.connects++;
    this.#ws = new RawWs(
      { host: target.host, port: target.port, path: `/ingest/ws?${q}`, headers: { Authorization: `Bearer ${this.spec.key}`, 'Sec-WebSocket-Protocol': 'arduino', 'User-Agent': 'framehub-bench' } },
      {
        onText: (text) => {
          if (this.ready || !text.includes('"ready"')) return;
          this.ready = true;
          this.#state.counters.cameras++;
          this.#schedule();
          if (first) resolve();
        },
        onClose: (code, reason) => {
          this.#stopTimer();
          const wasReady = this.ready;
          this.ready = false;
          if (wasReady) {
            this.#state.counters.cameras--;
            if (!this.#state.stopping) this.#state.errors.cameraCloses++;
            this.#state.note('camera', `${code} ${reason}`);
          } else if (first) {
            return reject(new Error(`camera ${roomName(this.spec.index)}: closed ${code} ${reason} before ready`));
          }
          if (this.spec.reconnectMs && !this.#stopped && !this.#state.stopping) {
            this.#retry = setTimeout(() => this.#connect(target, resolve, reject), this.spec.reconnectMs);
          }
        },
      },
    );
  }

  #schedule(): void {
    const interval = 1000 / this.spec.fps;
    let next = performance.now() + Math.random() * interval;
    const tick = (): void => {
      this.#send();
      next += interval;
      this.#timer = setTimeout(tick, Math.max(0, next - performance.now()));
    };
    this.#timer = setTimeout(tick, Math.max(0, next - performance.now()));
  }

  #send(): void {
    const ws = this.#ws;
    if (!ws?.open) return;
    const s = this.#state;
    const now = nowMs();
    const counted = s.inWindow(now);
    if (counted) this.offered++;
    if (ws.buffered > STALL_BYTES) {
      if (counted) s.errors.cameraStalls++;
      return;
    }
    this.#seq++;
    const i = this.#seq % this.#frames.count;
    if (!ws.sendFramed(this.#frames.next(i, this.#seq, now))) this.#frames.replace(i);
    const bytes = this.#frames.jpegBytes(i);
    s.counters.framesSent++;
    s.counters.bytesSent += bytes;
    if (counted) {
      this.sent++;
      this.bytes += bytes;
    }
  }

  resetWindow(): void {
    this.offered = 0;
    this.sent = 0;
    this.bytes = 0;
  }

  #stopTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#stopTimer();
    this.#ws?.close(1000);
  }
}
