// Measured per-room rates (fps, bytes/s) sampled from the frame slots' counters, so the
// streams API and metrics report what actually arrived without any per-frame work.
import type { FrameArena } from '../slots.js';
import type { RoomTable } from './rooms.js';

export interface RoomRates {
  fps: number;
  bytesPerSec: number;
}

interface Sample {
  seq: number;
  bytes: number;
  at: number;
  gen: number;
}

export class StreamRates {
  readonly #arena: FrameArena;
  readonly #rooms: RoomTable;
  readonly #last = new Map<string, Sample>();
  readonly #rates = new Map<string, RoomRates>();

  constructor(arena: FrameArena, rooms: RoomTable) {
    this.#arena = arena;
    this.#rooms = rooms;
  }

  /** Takes a sample of every open room; call every few seconds. */
  sample(now = Date.now()): void {
    const seen = new Set<string>();
    for (const info of this.#rooms.list()) {
      seen.add(info.room);
      const cur: Sample = { seq: this.#arena.latestSeq(info.slot), bytes: this.#arena.bytesPublished(info.slot), at: now, gen: info.gen };
      const prev = this.#last.get(info.room);
      this.#last.set(info.room, cur);
      if (!prev || prev.gen !== cur.gen || now <= prev.at) continue;
      const dt = (now - prev.at) / 1000;
      const frames = cur.seq >= prev.seq ? cur.seq - prev.seq : cur.seq;
      this.#rates.set(info.room, { fps: frames / dt, bytesPerSec: Math.max(0, cur.bytes - prev.bytes) / dt });
    }
    for (const room of this.#last.keys()) {
      if (!seen.has(room)) {
        this.#last.delete(room);
        this.#rates.delete(room);
      }
    }
  }

  get(room: string): RoomRates {
    return this.#rates.get(room) ?? { fps: 0, bytesPerSec: 0 };
  }
}
