// Sample JPEG frames shipped in assets/frames (real JPEGs; see its README).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type FrameSize = 'qvga' | 'vga';

export const FRAMES_DIR = path.resolve(import.meta.dirname, '../../../assets/frames');

const cache = new Map<FrameSize, Buffer[]>();

/** The 16 sample frames of a size, in order. */
export function loadFrames(size: FrameSize): Buffer[] {
  let frames = cache.get(size);
  if (!frames) {
    const dir = path.join(FRAMES_DIR, size);
    frames = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => readFileSync(path.join(dir, f)));
    if (frames.length === 0) throw new Error(`no sample frames in ${dir}`);
    cache.set(size, frames);
  }
  return frames;
}
