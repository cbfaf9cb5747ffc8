// The stamp a bench camera puts in each frame's JPEG COM segment, `fh:<seq>:<sendTimeMs>`
// (the simulator's format, fixed width here so it can be rewritten in place), and its
// parser. The send time is performance.timeOrigin + performance.now(), comparable across
// threads and processes on one machine.
import { readComment, withComment } from '../../src/jpeg.js';

/** Bytes of a frame a receiver keeps to read the stamp (SOI + COM header + text). */
export const STAMP_HEAD_BYTES = 64;

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** `fh:` + 10-digit sequence + `:` + send time in ms with 3 decimals, 17 characters. */
export function stampText(seq: number, sentAt: number): string {
  return `fh:${String(seq).padStart(10, '0')}:${sentAt.toFixed(3).padStart(17, '0')}`;
}

/** Offset of the stamp text in a stamped JPEG (after SOI and the COM marker and length). */
export const STAMP_OFFSET = 6;

export function stampFrame(jpeg: Uint8Array, seq: number, sentAt: number): Buffer {
  return withComment(jpeg, stampText(seq, sentAt));
}

interface Stamp {
  seq: number;
  sentAt: number;
}

/** Reads the stamp from the first bytes of a frame; null if it has none. */
export function readStamp(head: Uint8Array): Stamp | null {
  if (head.length < 8 || head[2] !== 0xff || head[3] !== 0xfe) return null;
  const len = (head[4]! << 8) | head[5]!;
  if (len + 4 > head.length) return null;
  const text = readComment(head);
  if (!text?.startsWith('fh:')) return null;
  const colon = text.indexOf(':', 3);
  const seq = Number(text.slice(3, colon));
  const sentAt = Number(text.slice(colon + 1));
  return colon > 3 && Number.isFinite(seq) && Number.isFinite(sentAt) ? { seq, sentAt } : null;
}
