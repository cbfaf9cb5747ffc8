// JPEG checks done on every received frame (cheap: a few bytes at each end), and the
// COM-segment helpers the simulator and bench use to carry a sequence number and send
// time inside a frame without changing the wire protocol.

/** SOI at the start and EOI at the end (a few bytes of trailing padding allowed). */
export function isJpeg(b: Uint8Array): boolean {
  const n = b.length;
  if (n < 4 || b[0] !== 0xff || b[1] !== 0xd8) return false;
  for (let i = n - 2; i >= Math.max(2, n - 32); i--) {
    if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
  }
  return false;
}

/** A copy of `jpeg` with a COM segment holding `text` right after SOI. */
export function withComment(jpeg: Uint8Array, text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const len = body.length + 2;
  const out = Buffer.allocUnsafe(jpeg.length + 4 + body.length);
  out[0] = 0xff;
  out[1] = 0xd8;
  out[2] = 0xff;
  out[3] = 0xfe;
  out.writeUInt16BE(len, 4);
  body.copy(out, 6);
  out.set(jpeg.subarray(2), 6 + body.length);
  return out;
}

/** Text of the first COM segment before the image data, or null. */
export function readComment(jpeg: Uint8Array): string | null {
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1]!;
    const len = (jpeg[i + 2]! << 8) | jpeg[i + 3]!;
    if (marker === 0xfe) return Buffer.from(jpeg.buffer, jpeg.byteOffset + i + 4, len - 2).toString('latin1');
    if (marker === 0xda) return null; // start of scan: no comment before the image data
    i += 2 + len;
  }
  return null;
}
