// The memory the primary shares with its workers, sized from the config: one frame arena
// per worker (src/slots.ts has every layout), the doorbell that wakes a worker's fan-out,
// and the node-wide counters. Created once at boot; a restarted worker gets the same buffers,
// with the rest of what a worker starts with (workerInit).
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import type { WorkerInit } from '../protocol.js';
import { createArenas, Doorbell, FrameArena, NodeCounters, type ArenaLayout } from '../slots.js';

export interface SharedMemory {
  layout: ArenaLayout;
  arenaBuffers: SharedArrayBuffer[];
  /** The primary's view of every arena (slot states, figures for metrics and the API). */
  arena: FrameArena;
  doorbellBuffer: SharedArrayBuffer;
  doorbell: Doorbell;
  counters: SharedArrayBuffer;
}

export function createSharedMemory(config: Pick<Config, 'workers' | 'maxRooms' | 'maxFrameBytes'>): SharedMemory {
  const layout: ArenaLayout = { arenas: config.workers, slotsPerArena: Math.ceil(config.maxRooms / config.workers), slotBytes: Math.ceil(config.maxFrameBytes / 8) * 8 }; // 8-byte multiples keep every frame buffer aligned (fast copies, see slots.ts)
  const arenaBuffers = createArenas(layout);
  const arena = new FrameArena(arenaBuffers, layout);
  const doorbellBuffer = new SharedArrayBuffer(Doorbell.byteLength(config.workers, arena.totalSlots));
  const doorbell = new Doorbell(doorbellBuffer, arena.totalSlots);
  const counters = new SharedArrayBuffer(NodeCounters.byteLength);
  return { layout, arenaBuffers, arena, doorbellBuffer, doorbell, counters };
}

/** What worker `index` starts with (at every spawn and respawn): its config, the port, the shared memory and the boot id. */
export function workerInit(config: Config, port: number, memory: SharedMemory): (index: number) => WorkerInit {
  const bootId = randomBytes(4).toString('hex');
  // Workers need no cluster secret: it stays on the primary.
  const workerConfig: Config = Object.freeze({ ...config, clusterSecret: undefined });
  const { layout, arenaBuffers: arenas, doorbellBuffer: doorbell, counters } = memory;
  return (index) => {
    memory.doorbell.resetHandover(index);
    return { shard: index, config: workerConfig, port, arenas, layout, doorbell, counters, bootId };
  };
}
