// MJPEG viewers: `GET /live/<app>/<room>/mjpeg`, multipart/x-mixed-replace, one part per
// frame with the boundary written right after each JPEG so browsers show it at once.
//
// uWS's res.write buffers without limit and returns false when it had to buffer, so a
// viewer is marked congested until onWritable and skips frames meanwhile; then it gets
// the newest frame. A response that is not written for KEEPALIVE_MS gets the newest
// frame again: uWS ends HTTP responses idle for ~10 s, and this also covers a camera
// that is away within its grace period.
import type { HttpResponse } from 'uWebSockets.js';
import type { RoomInfo } from '../protocol.js';
import type { OutgoingFrame, Viewer } from './hub.js';

export const KEEPALIVE_MS = 5000;
const HEAD = Buffer.from('--frame\r\n', 'latin1');

export class MjpegViewer implements Viewer {
  readonly transport = 'mjpeg' as const;
  lastSeq = 0;
  lastWriteAt = Date.now();
  #congested = false;
  #ended = false;
  readonly #res: HttpResponse;
  readonly #onDrained: () => void;
  readonly #onGone: () => void;
  /** The part deliver() hands to the corked write (bound once: no closure per frame). */
  #part: Uint8Array | null = null;
  #written = true;
  readonly #corkedWrite = (): void => {
    this.#written = this.#res.write(this.#part!);
  };
  readonly #drained = (): boolean => {
    this.#congested = false;
    this.#onDrained();
    return true;
  };

  /**
   * Writes the response head. `onDrained` runs when a congested response drains, `onGone`
   * once when the response ends (room closed, shutdown) or the client goes away.
   */
  constructor(res: HttpResponse, headers: Record<string, string>, onDrained: () => void, onGone: () => void) {
    this.#res = res;
    this.#onDrained = onDrained;
    this.#onGone = onGone;
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

  get ended(): boolean {
    return this.#ended;
  }

  get congested(): boolean {
    return this.#congested;
  }

  deliver(frame: OutgoingFrame): boolean {
    if (this.#ended) return false;
    if (this.#congested) return false;
    this.#part = frame.part;
    this.#res.cork(this.#corkedWrite);
    this.#part = null;
    this.lastSeq = frame.seq;
    this.lastWriteAt = frame.now;
    if (!this.#written) {
      this.#congested = true;
      this.#res.onWritable(this.#drained);
    }
    return true;
  }

  roomState(_state: RoomInfo['state']): void {
    // MJPEG has no side channel: while the camera is away the viewer keeps the last frame.
  }

  /** The stream ended: finish the multipart response. */
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
