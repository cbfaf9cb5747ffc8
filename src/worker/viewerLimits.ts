// Viewer limits: per node and per room (shared counters, exact across workers) and per
// client address (counted per worker: each worker allows ceil(limit / workers), and the
// kernel spreads one address's connections over the workers). A refused viewer gets HTTP
// 429 `too_many_viewers` or WS close 4429 with that reason.
import type { Config } from '../config.js';
import type { RoomInfo } from '../protocol.js';
import { NodeCounters, type FrameArena } from '../slots.js';
import { deny, type Denied } from './denied.js';

type ViewerAdmission = { ok: true; release(): void } | Denied;

interface ViewerLimitsOptions {
  /** The limits (FRAMEHUB_MAX_VIEWERS, _PER_ROOM, _PER_IP) and how connections are spread (accept, workers). */
  config: Pick<Config, 'maxViewers' | 'maxViewersPerRoom' | 'maxViewersPerIp' | 'accept' | 'workers'>;
  /** Per-room viewer counts live in the room's slot header. */
  arena: FrameArena;
  /** The node-wide counters (WorkerInit.counters). */
  counters: SharedArrayBuffer;
}

export class ViewerLimits {
  readonly #config: ViewerLimitsOptions['config'];
  readonly #arena: FrameArena;
  readonly #counters: NodeCounters;
  readonly #perIp = new Map<string, number>();
  readonly #perIpLimit: number;

  constructor(options: ViewerLimitsOptions) {
    const { config } = options;
    this.#config = config;
    this.#arena = options.arena;
    this.#counters = new NodeCounters(options.counters);
    // With FRAMEHUB_ACCEPT=all the kernel spreads one address's connections over the
    // workers, so each allows its share. With balanced accepting they mostly land on one
    // worker, so each allows the whole limit (exact while one worker accepts; up to
    // workers x the limit node-wide once a heavy load spreads connections).
    this.#perIpLimit = config.accept === 'all' ? Math.ceil(config.maxViewersPerIp / config.workers) : config.maxViewersPerIp;
  }

  /** Takes a place for a viewer of `room` (null: a wall socket, counted per node and address only). */
  admit(ip: string, room: RoomInfo | null): ViewerAdmission {
    const config = this.#config;
    const fromIp = this.#perIp.get(ip) ?? 0;
    if (fromIp >= this.#perIpLimit) return tooMany(`this address has ${config.maxViewersPerIp} viewer connections (FRAMEHUB_MAX_VIEWERS_PER_IP)`);
    if (!this.#counters.addViewer(config.maxViewers)) {
      return tooMany(`this node serves ${config.maxViewers} viewers (FRAMEHUB_MAX_VIEWERS)`);
    }
    if (room && !this.#arena.addViewer(room.slot, config.maxViewersPerRoom)) {
      this.#counters.removeViewer();
      return tooMany(`room ${room.room} has ${config.maxViewersPerRoom} viewers (FRAMEHUB_MAX_VIEWERS_PER_ROOM)`);
    }
    this.#perIp.set(ip, fromIp + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#counters.removeViewer();
        if (room) this.#arena.removeViewer(room.slot, room.gen);
        const n = (this.#perIp.get(ip) ?? 1) - 1;
        if (n <= 0) this.#perIp.delete(ip);
        else this.#perIp.set(ip, n);
      },
    };
  }
}

function tooMany(message: string): Denied {
  return deny('too_many_viewers', message, 'too_many_viewers');
}
