// Fleet health: every room of an app with its camera's state (live / away = reconnecting in
// the grace period / offline / never seen), figures and health flags (weak signal, low heap,
// flapping), and the totals the dashboard's summary strip and the per-app gauges show.
// Computed on request from what the primary already holds (keys in LMDB, the room table,
// live cameras with their last stats, the slots' counters, the two histories in
// fleetHistory.ts); nothing here runs per frame.
import type { CameraKey, ControlStore } from '../keys.js';
import { fullRoom } from '../keys.js';
import type { RoomInfo } from '../protocol.js';
import type { FrameArena } from '../slots.js';
import { closeView, statsView, viewersView, type CloseView, type StatsView, type ViewerCounts } from '../control/views.js';
import type { CameraRegistry, LastClose } from './cameras.js';
import { ConnectHistory, DropWindow } from './fleetHistory.js';
import type { RoomTable } from './rooms.js';
import type { StreamRates } from './streamRates.js';

export const FLEET_STATES = ['live', 'away', 'offline', 'never'] as const;
export type FleetState = (typeof FLEET_STATES)[number];

export interface FleetThresholds {
  /** RSSI below this (dBm) is a weak signal. */
  weakRssiDbm: number;
  /** Free heap below this (bytes) is low. */
  lowHeapBytes: number;
  /** This many connections within an hour is flapping. */
  flapConnectsPerHour: number;
}

/** One room of the fleet view (a row of the table, a card). */
export interface FleetRoom {
  room: string;
  name: string;
  state: FleetState;
  /** When the state began: connected, left, last seen, or the key's creation for `never`. */
  since: string | null;
  identity: string | null;
  keys: { id: string; live: boolean }[];
  /** Measured over the last second. */
  fps: number | null;
  /** What the camera's last stats message said. */
  stats: StatsView | null;
  /** Viewers of the room on every worker, by transport. */
  viewers: { mjpeg: number; ws: number; wall: number; total: number };
  lastClose: CloseView | null;
  /** Last frame, else last close, else last handshake; null = never. */
  lastSeenAt: string | null;
  frameAgeMs: number | null;
  bytesPerSec: number;
  droppedLastMinute: number;
  connectsLastHour: number;
  weakSignal: boolean;
  lowHeap: boolean;
  flapping: boolean;
}

export interface FleetCounts {
  rooms: number;
  live: number;
  away: number;
  offline: number;
  never: number;
  weakSignal: number;
  lowHeap: number;
  flapping: number;
  droppedLastMinute: number;
  bytesInPerSec: number;
  viewers: number;
}

const iso = (ms: number | null | undefined): string | null => (ms ? new Date(ms).toISOString() : null);

export interface FleetDeps {
  store: ControlStore;
  rooms: RoomTable;
  /** A getter: the registry is made after the metrics that read this. */
  cameras: () => CameraRegistry;
  arena: FrameArena;
  rates: StreamRates;
  thresholds: FleetThresholds;
}

/** Longest a cached key list is used (changes through the store or admissions end it sooner). */
const KEYS_CACHE_MS = 30_000;

export class FleetHealth {
  readonly connects = new ConnectHistory();
  readonly #drops = new DropWindow();
  readonly #deps: FleetDeps;
  /** Keys by app, read from LMDB once per store revision (a 600-key range read costs ~20 ms). */
  #keys: { rev: number; at: number; connects: number; byApp: Map<string, CameraKey[]> } | null = null;
  #connectsSeen = 0;

  constructor(deps: FleetDeps) {
    this.#deps = deps;
  }

  /** A camera was admitted (its key's lastSeenAt changes: the key cache is renewed). */
  connected(room: string, at = Date.now()): void {
    this.connects.connected(room, at);
    this.#connectsSeen++;
  }

  /** Every key of `app`, from a cache renewed on any store change, admission, or after 30 s. */
  keys(app: string, now = Date.now()): CameraKey[] {
    const rev = this.#deps.store.revision();
    const c = this.#keys;
    if (!c || c.rev !== rev || c.connects !== this.#connectsSeen || now - c.at > KEYS_CACHE_MS) {
      const byApp = new Map<string, CameraKey[]>();
      for (const k of this.#deps.store.listAllKeys()) {
        const list = byApp.get(k.app);
        if (list) list.push(k);
        else byApp.set(k.app, [k]);
      }
      this.#keys = { rev, at: now, connects: this.#connectsSeen, byApp };
    }
    return this.#keys!.byApp.get(app) ?? [];
  }

  get thresholds(): FleetThresholds {
    return this.#deps.thresholds;
  }

  /** Housekeeping tick (every second): drop counters are sampled every 10 s. */
  tick(now = Date.now()): void {
    const { rooms, arena } = this.#deps;
    this.#drops.sample(rooms.list().map((r) => ({ room: r.room, gen: r.gen, drops: arena.drops(r.slot) })), now);
    if (now % 60_000 < 1000) this.connects.sweep(now);
  }

  /** The rooms of `app`: every room with a key, plus rooms in the room table without one (revoked). */
  rooms(app: string, keys: CameraKey[], viewers: Map<string, ViewerCounts>, now = Date.now()): FleetRoom[] {
    const byRoom = new Map<string, CameraKey[]>();
    for (const k of keys) {
      const room = fullRoom(k.app, k.room);
      const list = byRoom.get(room);
      if (list) list.push(k);
      else byRoom.set(room, [k]);
    }
    const infos = new Map<string, RoomInfo>();
    for (const info of this.#deps.rooms.list()) if (info.app === app) infos.set(info.room, info);
    const names = new Set([...byRoom.keys(), ...infos.keys()]);
    const out: FleetRoom[] = [];
    for (const room of names) out.push(this.#row(room, byRoom.get(room) ?? [], infos.get(room), viewers.get(room), now));
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  #row(room: string, keys: CameraKey[], info: RoomInfo | undefined, v: ViewerCounts | undefined, now: number): FleetRoom {
    const { cameras: getCameras, arena, rates, thresholds } = this.#deps;
    const cameras = getCameras();
    const camera = info?.state === 'live' ? cameras.byRoom(room) : undefined;
    const closes = [cameras.lastCloseOfRoom(room), ...keys.map((k) => cameras.lastCloseOfKey(k.id))].filter((c): c is LastClose => c !== undefined);
    const lastClose = closes.sort((a, b) => b.at - a.at)[0];
    const keySeen = Math.max(0, ...keys.map((k) => k.lastSeenAt ?? 0));
    const lastFrame = info ? arena.lastReceivedAt(info.slot) : 0;
    let state: FleetState;
    let since: number | null;
    if (info?.state === 'live') [state, since] = ['live', camera?.connectedAt ?? info.startedAt];
    else if (info?.state === 'away') [state, since] = ['away', lastClose?.at ?? null];
    else if (lastClose || keySeen) [state, since] = ['offline', lastClose?.at ?? keySeen];
    else [state, since] = ['never', keys.length ? Math.min(...keys.map((k) => k.createdAt)) : null];
    const stats = camera?.stats ?? null;
    const rssi = stats?.rssi ?? null;
    const heapFree = stats?.heapFree ?? null;
    const connectsLastHour = this.connects.lastHour(room, now);
    return {
      room,
      name: info?.name ?? keys[0]?.room ?? room.slice(room.indexOf('-') + 1),
      state,
      since: iso(since),
      identity: camera?.identity ?? keys.find((k) => k.identity)?.identity ?? null,
      keys: keys.map((k) => ({ id: k.id, live: camera?.keyId === k.id })),
      fps: state === 'live' ? Math.round(rates.get(room).fps * 10) / 10 : null,
      stats: statsView(stats),
      viewers: viewersView(v),
      lastClose: closeView(lastClose),
      lastSeenAt: iso(lastFrame ? Math.round(lastFrame) : Math.max(lastClose?.at ?? 0, keySeen) || null),
      frameAgeMs: lastFrame ? Math.max(0, Math.round(now - lastFrame)) : null,
      bytesPerSec: state === 'live' ? Math.round(rates.get(room).bytesPerSec) : 0,
      droppedLastMinute: info ? this.#drops.lastMinute(room, info.gen, arena.drops(info.slot), info.startedAt, now) : 0,
      connectsLastHour,
      weakSignal: state === 'live' && rssi !== null && rssi < thresholds.weakRssiDbm,
      lowHeap: state === 'live' && heapFree !== null && heapFree < thresholds.lowHeapBytes,
      flapping: connectsLastHour >= thresholds.flapConnectsPerHour,
    };
  }

  /** Totals of some rooms (the summary strip, the per-app gauges). */
  static count(rooms: FleetRoom[]): FleetCounts {
    const c: FleetCounts = { rooms: rooms.length, live: 0, away: 0, offline: 0, never: 0, weakSignal: 0, lowHeap: 0, flapping: 0, droppedLastMinute: 0, bytesInPerSec: 0, viewers: 0 };
    for (const r of rooms) {
      c[r.state]++;
      if (r.weakSignal) c.weakSignal++;
      if (r.lowHeap) c.lowHeap++;
      if (r.flapping) c.flapping++;
      c.droppedLastMinute += r.droppedLastMinute;
      c.bytesInPerSec += r.bytesPerSec;
      c.viewers += r.viewers.total;
    }
    return c;
  }

  /** Counts per app for the metrics (viewers left out: no worker round trip per scrape). */
  countsByApp(apps: string[]): Map<string, FleetCounts> {
    const none = new Map<string, ViewerCounts>();
    return new Map(apps.map((app) => [app, FleetHealth.count(this.rooms(app, this.keys(app), none))]));
  }
}
