// The room directory: which rooms have a camera (live) or just lost it (away, within the
// reconnect grace period), and which frame slot each one holds. Rooms are hashed to a
// home shard (rendezvous hashing); the room's slot lives in that shard's arena when it
// has room, else in the emptiest other arena.
import { randomBytes } from 'node:crypto';
import { fullRoom } from '../keys.js';
import type { RoomInfo, ToWorker } from '../protocol.js';
import type { FrameArena } from '../slots.js';

/** FNV-1a, 32 bit. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Rendezvous (highest random weight) hashing of a room onto `n` shards. */
function homeShard(room: string, n: number): number {
  let best = 0;
  let bestScore = -1;
  for (let i = 0; i < n; i++) {
    const score = fnv1a(`${i}:${room}`);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}

interface Room {
  info: RoomInfo;
  grace: NodeJS.Timeout | null;
  /** Connections after the first since the room opened. */
  reconnects: number;
}

export class RoomTable {
  readonly #arena: FrameArena;
  readonly #maxRooms: number;
  readonly #graceMs: number;
  readonly #broadcast: (msg: ToWorker) => void;
  readonly #rooms = new Map<string, Room>();
  /** Free slot indexes per arena, used as a FIFO so a freed slot rests before reuse. */
  readonly #free: number[][];

  constructor(arena: FrameArena, maxRooms: number, graceMs: number, broadcast: (msg: ToWorker) => void) {
    this.#arena = arena;
    this.#maxRooms = maxRooms;
    this.#graceMs = graceMs;
    this.#broadcast = broadcast;
    const { arenas, slotsPerArena } = arena.layout;
    this.#free = Array.from({ length: arenas }, (_, a) => Array.from({ length: slotsPerArena }, (_, i) => arena.slotId(a, i)));
  }

  get(room: string): RoomInfo | undefined {
    return this.#rooms.get(room)?.info;
  }

  reconnects(room: string): number {
    return this.#rooms.get(room)?.reconnects ?? 0;
  }

  list(): RoomInfo[] {
    return [...this.#rooms.values()].map((r) => r.info);
  }

  get size(): number {
    return this.#rooms.size;
  }

  #allocate(room: string): number | null {
    if (this.#rooms.size >= this.#maxRooms) return null;
    const home = homeShard(room, this.#free.length);
    let pool = this.#free[home]!;
    if (pool.length === 0) pool = this.#free.reduce((a, b) => (b.length > a.length ? b : a));
    return pool.shift() ?? null;
  }

  /**
   * Marks the room live for a new camera connection (allocating a slot if the room was
   * not open) and tells every worker. Returns null when the node holds maxRooms rooms.
   */
  goLive(app: string, name: string, connId: number): RoomInfo | null {
    const room = fullRoom(app, name);
    const streamId = `${room}/wscam-${randomBytes(2).toString('hex')}`;
    let entry = this.#rooms.get(room);
    if (entry) {
      if (entry.grace) clearTimeout(entry.grace);
      entry.grace = null;
      entry.reconnects++;
      entry.info = { ...entry.info, state: 'live', streamId, startedAt: Date.now() };
    } else {
      const slot = this.#allocate(room);
      if (slot === null) return null;
      const gen = this.#arena.resetSlot(slot);
      entry = { info: { room, app, name, slot, gen, state: 'live', streamId, startedAt: Date.now() }, grace: null, reconnects: 0 };
      this.#rooms.set(room, entry);
    }
    this.#arena.setOwner(entry.info.slot, connId);
    this.#broadcast({ type: 'room', info: entry.info });
    return entry.info;
  }

  /** The room's camera left: viewers stay attached for the grace period, then it closes. */
  goAway(room: string): void {
    const entry = this.#rooms.get(room);
    if (!entry || entry.info.state === 'away') return;
    this.#arena.setOwner(entry.info.slot, 0);
    entry.info = { ...entry.info, state: 'away' };
    this.#broadcast({ type: 'room', info: entry.info });
    entry.grace = setTimeout(() => this.close(room), this.#graceMs);
    entry.grace.unref();
  }

  /** Ends the room: workers end its viewers; the slot goes back to the free list. */
  close(room: string): void {
    const entry = this.#rooms.get(room);
    if (!entry) return;
    if (entry.grace) clearTimeout(entry.grace);
    this.#rooms.delete(room);
    this.#arena.setOwner(entry.info.slot, 0);
    this.#broadcast({ type: 'room-closed', room, slot: entry.info.slot });
    this.#free[this.#arena.arenaOf(entry.info.slot)]!.push(entry.info.slot);
  }

  closeAll(): void {
    for (const room of [...this.#rooms.keys()]) this.close(room);
  }
}
