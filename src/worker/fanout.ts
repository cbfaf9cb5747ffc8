// Fan-out: how a frame that ingest accepted reaches every worker with viewers of its room.
// The camera's worker publishes it into the room's slot (src/slots.ts), rings the doorbell
// of each other worker whose bit is set in the slot's VIEWERS mask, and runs its own hub
// after the current loop turn; the other workers wake on their doorbell and hand the
// dirty slots to their hub. The hub (hub.ts) then reads the frame once and writes it to
// its viewers. Ingest sees only the FrameSink side of this.
import type { Doorbell, FrameArena, PublishResult } from '../slots.js';

/** Where ingest puts an accepted frame: the room's slot, then the room's viewers. */
export interface FrameSink {
  /**
   * Copies the frame into the slot and wakes the viewers of it on every worker. Returns
   * 'not_owner' when another connection owns the slot now, 'busy' if another writer holds it.
   */
  publish(slot: number, connId: number, frame: Uint8Array, receivedAt: number): PublishResult;
  /** Counts a frame of the room's camera dropped on ingest (rate limit, not a JPEG). */
  countDrop(slot: number): void;
}

/** What a woken slot is handed to: the hub's fan-out to this worker's viewers. */
export interface FrameReceiver {
  onFrame(slot: number): void;
}

interface FanoutOptions {
  arena: FrameArena;
  doorbell: Doorbell;
  /** This worker's index: its bit in the VIEWERS masks and its doorbell. */
  shard: number;
  hub: FrameReceiver;
}

export class Fanout implements FrameSink {
  readonly #arena: FrameArena;
  readonly #doorbell: Doorbell;
  readonly #shard: number;
  readonly #hub: FrameReceiver;
  /** Slots published by this worker's cameras since the last flush (latest frame wins). */
  readonly #pending = new Set<number>();
  #flushScheduled = false;
  // Bound once: no closure per scheduled flush or per doorbell ring.
  readonly #flush = (): void => {
    this.#flushScheduled = false;
    for (const s of this.#pending) {
      this.#pending.delete(s);
      this.#hub.onFrame(s);
    }
  };
  readonly #onSlot = (slot: number): void => this.#hub.onFrame(slot);
  readonly #onRing = (): void => this.#doorbell.drain(this.#shard, this.#onSlot);

  constructor(options: FanoutOptions) {
    this.#arena = options.arena;
    this.#doorbell = options.doorbell;
    this.#shard = options.shard;
    this.#hub = options.hub;
  }

  publish(slot: number, connId: number, frame: Uint8Array, receivedAt: number): PublishResult {
    const result = this.#arena.publish(slot, connId, frame, receivedAt);
    if (result === 'ok' && this.#doorbell.ringMask(this.#arena.viewersMask(slot), slot, this.#shard)) this.#schedule(slot);
    return result;
  }

  countDrop(slot: number): void {
    this.#arena.countDrop(slot);
  }

  /**
   * This worker's own viewers of a slot one of its cameras published into. The fan-out
   * waits for the next turn of the loop: inside the camera's message handler uWS keeps the
   * camera socket corked, so viewer writes could not be corked and each MJPEG part would
   * leave as several syscalls. Frames arriving meanwhile are coalesced (latest frame wins).
   */
  #schedule(slot: number): void {
    this.#pending.add(slot);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(this.#flush);
  }

  /** Wakes the hub for every slot another worker rang this worker's doorbell for. Returns the stop function. */
  listen(): () => void {
    return this.#doorbell.listen(this.#shard, this.#onRing);
  }
}
