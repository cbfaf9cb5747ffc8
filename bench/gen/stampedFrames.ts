// Ready-to-send WebSocket frames for the sample JPEGs of one size, shared by the cameras
// of a generator thread: the client frame header (all-zero mask, like the ESP32) followed
// by the JPEG with a fixed-width stamp in its COM segment. Sending rewrites the stamp in
// place, so a frame costs no allocation; a template the kernel did not take at once is
// still referenced by its socket and is replaced by a fresh copy.
import { clientFrameHeader } from './rawWs.js';
import { STAMP_OFFSET, stampFrame, stampText } from './stamp.js';

export class StampedFrames {
  readonly #templates: Buffer[];
  readonly #stampAt: number[];

  constructor(samples: Buffer[]) {
    this.#templates = [];
    this.#stampAt = [];
    for (const sample of samples) {
      const jpeg = stampFrame(sample, 0, 0);
      const header = clientFrameHeader(2, jpeg.length);
      this.#templates.push(Buffer.concat([header, jpeg]));
      this.#stampAt.push(header.length + STAMP_OFFSET);
    }
  }

  get count(): number {
    return this.#templates.length;
  }

  /** Template `i` with the stamp set; valid until the next call for the same `i`. */
  next(i: number, seq: number, sentAt: number): Buffer {
    const t = this.#templates[i]!;
    t.write(stampText(seq, sentAt), this.#stampAt[i]!, 'latin1');
    return t;
  }

  /** Bytes of the JPEG inside template `i` (without the WS header). */
  jpegBytes(i: number): number {
    return this.#templates[i]!.length - (this.#stampAt[i]! - STAMP_OFFSET);
  }

  /** Template `i` is still queued in a socket: use a copy from now on. */
  replace(i: number): void {
    this.#templates[i] = Buffer.from(this.#templates[i]!);
  }
}
