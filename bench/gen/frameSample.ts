// What a receiver keeps of a frame streaming past: its first STAMP_HEAD_BYTES (where the
// stamp is), its length and its last two bytes (the JPEG's EOI), so every frame can be
// checked and timed without being buffered whole.
import { STAMP_HEAD_BYTES } from './stamp.js';

export class FrameSample {
  readonly #head = Buffer.alloc(STAMP_HEAD_BYTES);
  #headLen = 0;
  #tail0 = 0;
  #tail1 = 0;
  length = 0;

  reset(): void {
    this.#headLen = 0;
    this.length = 0;
  }

  /** Takes note of chunk[pos, pos + n), the next bytes of the frame. */
  add(chunk: Buffer, pos: number, n: number): void {
    if (n <= 0) return;
    this.length += n;
    if (this.#headLen < STAMP_HEAD_BYTES) {
      const take = Math.min(n, STAMP_HEAD_BYTES - this.#headLen);
      chunk.copy(this.#head, this.#headLen, pos, pos + take);
      this.#headLen += take;
    }
    if (n >= 2) {
      this.#tail0 = chunk[pos + n - 2]!;
      this.#tail1 = chunk[pos + n - 1]!;
    } else {
      this.#tail0 = this.#tail1;
      this.#tail1 = chunk[pos]!;
    }
  }

  /** The first bytes; a view that the next frame overwrites. */
  get head(): Buffer {
    return this.#head.subarray(0, this.#headLen);
  }

  get endsWithEoi(): boolean {
    return this.#tail0 === 0xff && this.#tail1 === 0xd9;
  }
}
