// MJPEG viewers: `GET /live/<app>/<room>/mjpeg`, multipart/x-mixed-replace, one part per
// frame with the boundary written right after each JPEG so browsers show it at once.
//
// uWS's res.write buffers without limit and returns false when it had to buffer (it
// has no getter for what it holds), so a viewer is congested from such a write until a
// write goes through whole: after each writable event one frame is written (the newest,
// or the next to arrive if it has the newest already) and the viewer stays congested while
// that write is buffered too. So a backed-up viewer gets at most one frame per writable
// event, skips the rest (counted as slow_viewer drops), never a duplicate; its sweep
// (once a second, through the hub) closes it once it has not drained for
// FRAMEHUB_MJPEG_STALL_SEC (uWS would only end a response that accepts nothing at all,
// ~10 s after the write). A response that is not written for KEEPALIVE_MS gets the newest
// frame again: uWS ends HTTP responses idle for ~10 s, and this also covers a camera that
// is away within its grace period.
import type { HttpResponse } from 'uWebSockets.js';
import type { RoomInfo } from '../protocol.js';
import type { OutgoingFrame, Viewer } from './hub.js';

export const KEEPALIVE_MS = 5000;
const HEAD = Buffer.from('--frame\r\n', 'latin1');

interface MjpegViewerOptions {
  res: HttpResponse;
  /** Extra response headers. */
  headers: Record<string, string>;
  /** A response backed up (not drained) this long is closed (FRAMEHUB_MJPEG_STALL_SEC, in ms). */
  stallMs: number;
  /**
   * Asks the hub for the room's newest frame if this viewer lacks it: on a congested
   * response's writable event, and as the keepalive.
   */
  onDrained(): void;
  /** The sweep closed the response: it had not drained for `seconds`. */
  onStalled(seconds: number): void;
  /** Runs once when the response ends (room closed, shutdown, stalled) or the client goes away. */
  onGone(): void;
}

export class MjpegViewer implements Viewer {
  readonly transport = 'mjpeg' as const;
  lastSeq = 0;
  #lastWriteAt = Date.now();
  #congested = false;
  /** When a write first had to be buffered since the last one that went through whole (null: drained). */
  #backlogSince: number | null = null;
  /** A writable event came since the last write that had to be buffered. */
  #drainable = false;
  #ended = false;
  readonly #res: HttpResponse;
  readonly #stallMs: number;
  readonly #onDrained: () => void;
  readonly #onStalled: (seconds: number) => void;
  readonly #onGone: () => void;
  /** The part deliver() hands to the corked write (bound once: no closure per frame). */
  #part: Uint8Array | null = null;
  #written = true;
  readonly #corkedWrite = (): void => {
    this.#written = this.#res.write(this.#part!);
  };
  /**
   * Still congested: the next write (the newest frame if the viewer lacks it, else the next
   * one to arrive) tells whether uWS's buffer emptied.
   */
  readonly #writable = (): boolean => {
    this.#drainable = true;
    this.#onDrained();
    return true;
  };

  /** Writes the response head. */
  constructor(options: MjpegViewerOptions) {
    const { res, headers } = options;
    this.#res = res;
    this.#stallMs = options.stallMs;
    this.#onDrained = options.onDrained;
    this.#onStalled = options.onStalled;
    this.#onGone = options.onGone;
    res.cork(() => {
      res.writeStatus('200 OK');
      res.writeHeader('Content-Type', 'multipart/x-mixed-replace; boundary=frame');
      res.writeHeader('Cache-Control', 'no-store, no-cache, must-revalidate');
      res.writeHeader('Pragma', 'no-cache');
      res.writeHeader('X-Accel-Buffering', 'no');
      for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
      res.write(HEAD);
    });
  }

  /** Whether a frame may be written now (not backed up, or a writable event came since). */
  get #canWrite(): boolean {
    return !this.#ended && (!this.#congested || this.#drainable);
  }

  /**
   * How long (ms) the response has had a backlog in uWS that no write has cleared; 0 when
   * drained, and while a writable event awaits its probe write (the socket moved).
   */
  #stalledFor(now: number): number {
    return this.#backlogSince === null || this.#drainable ? 0 : now - this.#backlogSince;
  }

  /** Once a second: close the response if it stalled, else keep it alive with the newest frame. */
  sweep(now: number): void {
    if (this.#ended) return;
    const stalled = this.#stalledFor(now);
    if (stalled >= this.#stallMs) {
      this.#close();
      this.#onStalled(Math.round(stalled / 1000));
      return;
    }
    if (this.#canWrite && now - this.#lastWriteAt >= KEEPALIVE_MS) {
      this.lastSeq = 0; // so the hub writes the newest frame again
      this.#onDrained();
      this.#lastWriteAt = now;
    }
  }

  deliver(frame: OutgoingFrame): boolean {
    if (this.#ended) return false;
    // Backed up: skip, unless a writable event came since the last buffered write; then this
    // frame is the drain probe (at most one frame joins the backlog per writable event).
    if (this.#congested && !this.#drainable) return false;
    this.#write(frame);
    return true;
  }

  #write(frame: OutgoingFrame): void {
    this.#part = frame.part;
    this.#res.cork(this.#corkedWrite);
    this.#part = null;
    this.lastSeq = frame.seq;
    this.#lastWriteAt = frame.now;
    this.#drainable = false;
    if (this.#written) {
      // Went through whole: uWS holds nothing for this response any more.
      this.#backlogSince = null;
      this.#congested = false;
      return;
    }
    this.#backlogSince ??= this.#lastWriteAt;
    if (this.#congested) return; // the writable handler is registered already
    this.#congested = true;
    this.#res.onWritable(this.#writable);
  }

  /** Gives up on a client that has not drained: closes the connection. */
  #close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#res.close();
    this.#onGone();
  }

  roomState(_state: RoomInfo['state']): void {
    // MJPEG has no side channel: while the camera is away the viewer keeps the last frame.
  }

  /** The stream ended, or the worker shuts down: finish the multipart response. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#res.cork(() => this.#res.end());
    this.#onGone();
  }

  /** The client went away (onAborted): nothing may be written any more. */
  aborted(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onGone();
  }
}
