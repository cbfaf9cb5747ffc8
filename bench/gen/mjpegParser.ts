// A streaming parser for multipart/x-mixed-replace MJPEG bodies (boundary `frame`),
// fed chunk by chunk without concatenating: every part must be `--frame`, headers with
// `Content-Type: image/jpeg` and `Content-Length`, a blank line, the JPEG, CRLF. It
// accepts both boundary placements: framehub writes the next boundary right after each
// JPEG, the baseline before each part. Only the first STAMP_HEAD_BYTES and last two
// bytes of each JPEG are kept.
import { FrameSample } from './frameSample.js';

const BOUNDARY = '--frame';
const MAX_HEADER_BYTES = 2048;

interface MjpegParserHandlers {
  /** A complete part: the JPEG's first bytes, its length, whether it ends with FF D9. */
  onPart(head: Buffer, length: number, endsWithEoi: boolean): void;
  onError(message: string): void;
}

export class MjpegParser {
  readonly #h: MjpegParserHandlers;
  readonly #header = Buffer.alloc(MAX_HEADER_BYTES);
  #headerLen = 0;
  /** JPEG bytes still expected; -1 while reading boundary + headers. */
  #remaining = -1;
  readonly #sample = new FrameSample();
  #failed = false;
  parts = 0;

  constructor(handlers: MjpegParserHandlers) {
    this.#h = handlers;
  }

  /** Parses chunk[start, end). The bytes are not kept: the caller may reuse the buffer. */
  push(chunk: Buffer, start = 0, end = chunk.length): void {
    let pos = start;
    while (pos < end && !this.#failed) {
      if (this.#remaining < 0) {
        // Copy header bytes until a blank line ends them.
        let found = -1;
        while (pos < end) {
          const b = chunk[pos++]!;
          if (this.#headerLen >= MAX_HEADER_BYTES) return this.#fail('part headers too long');
          this.#header[this.#headerLen++] = b;
          const n = this.#headerLen;
          // Leading CRLF (the end of the previous part) is skipped.
          if (n <= 2 && (b === 0x0d || b === 0x0a)) {
            if (b === 0x0a) this.#headerLen = 0;
            continue;
          }
          if (n >= 4 && b === 0x0a && this.#header[n - 2] === 0x0d && this.#header[n - 3] === 0x0a && this.#header[n - 4] === 0x0d) {
            found = n;
            break;
          }
        }
        if (found < 0) return;
        this.#startPart(this.#header.toString('latin1', 0, found - 4));
        this.#headerLen = 0;
        continue;
      }
      const n = Math.min(this.#remaining, end - pos);
      this.#sample.add(chunk, pos, n);
      pos += n;
      this.#remaining -= n;
      if (this.#remaining === 0) {
        this.#remaining = -1;
        this.parts++;
        this.#h.onPart(this.#sample.head, this.#sample.length, this.#sample.endsWithEoi);
      }
    }
  }

  #startPart(block: string): void {
    const lines = block.split('\r\n');
    if (lines[0] !== BOUNDARY) return this.#fail(`part does not start with the boundary: ${JSON.stringify(block.slice(0, 40))}`);
    let length = -1;
    let type = '';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      if (name === 'content-length') length = Number(line.slice(colon + 1));
      else if (name === 'content-type') type = line.slice(colon + 1).trim();
    }
    if (type !== 'image/jpeg') return this.#fail(`part Content-Type is ${JSON.stringify(type)}`);
    if (!Number.isInteger(length) || length <= 0) return this.#fail('part without a valid Content-Length');
    this.#remaining = length;
    this.#sample.reset();
  }

  #fail(message: string): void {
    this.#failed = true;
    this.#h.onError(message);
  }
}
