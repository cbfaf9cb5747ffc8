// Two small per-room histories the fleet view needs and nothing else keeps: when a room's
// camera connected within the last hour (a flapping camera reconnects again and again), and
// the room's ingest drop counter sampled every 10 s (frames dropped in the last minute).
// Both are fed from the primary (admissions, a housekeeping tick), never per frame.

const HOUR_MS = 3_600_000;
/** Connections remembered per room: enough to tell flapping from a few reconnects. */
const CONNECTS_KEPT = 256;

export class ConnectHistory {
  readonly #at = new Map<string, number[]>();

  /** A camera of `room` (full name) was admitted at `at`. */
  connected(room: string, at = Date.now()): void {
    const list = this.#at.get(room) ?? [];
    list.push(at);
    if (list.length > CONNECTS_KEPT) list.splice(0, list.length - CONNECTS_KEPT);
    this.#at.set(room, list);
  }

  /** Connections of `room` within the last hour. */
  lastHour(room: string, now = Date.now()): number {
    const list = this.#at.get(room);
    if (!list) return 0;
    let n = 0;
    for (let i = list.length - 1; i >= 0 && now - list[i]! < HOUR_MS; i--) n++;
    return n;
  }

  /** Forgets connections older than an hour (call now and then). */
  sweep(now = Date.now()): void {
    for (const [room, list] of this.#at) {
      const keep = list.filter((t) => now - t < HOUR_MS);
      if (keep.length) this.#at.set(room, keep);
      else this.#at.delete(room);
    }
  }
}

const DROP_SAMPLE_MS = 10_000;
const DROP_WINDOW_MS = 60_000;

interface DropSample {
  at: number;
  gen: number;
  drops: number;
}

/** Per-room ingest drops over the last minute, from the slots' cumulative DROPS counters. */
export class DropWindow {
  readonly #samples = new Map<string, DropSample[]>();
  #lastSampleAt = 0;

  /** Takes a sample of `rooms` if 10 s passed since the last one. */
  sample(rooms: { room: string; gen: number; drops: number }[], now = Date.now()): void {
    if (now - this.#lastSampleAt < DROP_SAMPLE_MS) return;
    this.#lastSampleAt = now;
    const seen = new Set<string>();
    for (const r of rooms) {
      seen.add(r.room);
      const list = (this.#samples.get(r.room) ?? []).filter((s) => s.gen === r.gen && now - s.at <= DROP_WINDOW_MS + DROP_SAMPLE_MS);
      list.push({ at: now, gen: r.gen, drops: r.drops });
      this.#samples.set(r.room, list);
    }
    for (const room of this.#samples.keys()) if (!seen.has(room)) this.#samples.delete(room);
  }

  /**
   * Drops of `room` in about the last minute, given its counter now: against the newest
   * sample of this incarnation (gen) that is at least a minute old; a room that opened within
   * the minute counts from 0; failing both (sampling began less than a minute ago), against
   * the oldest sample.
   */
  lastMinute(room: string, gen: number, drops: number, startedAt: number, now = Date.now()): number {
    const samples = (this.#samples.get(room) ?? []).filter((s) => s.gen === gen);
    const old = samples.filter((s) => now - s.at >= DROP_WINDOW_MS).at(-1);
    const base = old ? old.drops : now - startedAt <= DROP_WINDOW_MS ? 0 : (samples[0]?.drops ?? 0);
    return Math.max(0, drops - base);
  }
}
