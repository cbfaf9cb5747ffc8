// One camera-wall socket's tiles (wall.ts has the route and the wire format): the rooms it
// subscribed to, each a hub viewer throttled to the wall's fps (full rate when focused),
// and the tiles of rooms that are not live, which wait and attach when the room opens. A
// socket with more than WALL_MAX_BUFFERED bytes queued skips frames (latest frame wins).
import type { RoomInfo } from '../protocol.js';
import type { Directory } from './directory.js';
import type { Hub, OutgoingFrame, Viewer } from './hub.js';

const WALL_MAX_ROOMS = 1024;
const WALL_DEFAULT_FPS = 1;
export const WALL_MAX_BUFFERED = 1024 * 1024;
/** The highest tile rate a subscribe may ask for (and the lowest). */
const WALL_MAX_FPS = 30;
const WALL_MIN_FPS = 0.1;
/** A focused tile is not throttled. */
const FOCUS_FPS = 1000;

/** What a session writes to: the wall's WebSocket. */
export interface WallSocket {
  send(data: Buffer | string, isBinary: boolean): unknown;
  getBufferedAmount(): number;
}

interface WallSessionOptions {
  socket: WallSocket;
  /** The app whose rooms this wall shows (its access was checked at the upgrade). */
  app: string;
  hub: Pick<Hub, 'attach' | 'detach'>;
  directory: Pick<Directory, 'fullName' | 'rooms'>;
}

/** One tile: a hub viewer of one room that writes `[n][room name][JPEG]` to the session's socket. */
class WallTile implements Viewer {
  readonly transport = 'wall' as const;
  lastSeq = 0;
  throttled = false;
  /** Attached to the hub (its room is live); a waiting tile attaches when the room opens. */
  attached = false;
  readonly room: string;
  readonly #session: WallSession;
  readonly #header: Buffer;
  #lastSentAt = 0;

  constructor(session: WallSession, room: string) {
    this.#session = session;
    this.room = room;
    const name = Buffer.from(room, 'utf8');
    this.#header = Buffer.concat([Buffer.from([name.length]), name]);
  }

  deliver(frame: OutgoingFrame): boolean {
    const now = Date.now();
    const fps = this.#session.fpsFor(this.room);
    if (now - this.#lastSentAt < 1000 / fps - 5) {
      this.throttled = true;
      return false;
    }
    this.throttled = false;
    if (!this.#session.send(Buffer.concat([this.#header, frame.jpeg]), true)) return false;
    this.#lastSentAt = now;
    this.lastSeq = frame.seq;
    return true;
  }

  roomState(state: RoomInfo['state']): void {
    this.#session.state(this.room, state);
  }

  /** The room ended (the hub dropped this tile): the tile waits for the room to open again. */
  end(): void {
    this.attached = false;
    this.#session.state(this.room, 'offline');
  }
}

export class WallSession {
  readonly app: string;
  readonly #socket: WallSocket;
  readonly #hub: WallSessionOptions['hub'];
  readonly #directory: WallSessionOptions['directory'];
  readonly #tiles = new Map<string, WallTile>();
  #fps = WALL_DEFAULT_FPS;
  #focus: string | null = null;
  #closed = false;

  constructor(options: WallSessionOptions) {
    this.app = options.app;
    this.#socket = options.socket;
    this.#hub = options.hub;
    this.#directory = options.directory;
  }

  /** The full names of the subscribed rooms. */
  get rooms(): string[] {
    return [...this.#tiles.keys()];
  }

  fpsFor(room: string): number {
    return room === this.#focus ? FOCUS_FPS : this.#fps;
  }

  /** Sends unless the socket is closed or (for frames) backed up; returns whether it sent. */
  send(data: Buffer | string, binary: boolean): boolean {
    if (this.#closed || (binary && this.#socket.getBufferedAmount() > WALL_MAX_BUFFERED)) return false;
    this.#socket.send(data, binary);
    return true;
  }

  state(room: string, state: RoomInfo['state'] | 'offline'): void {
    this.send(JSON.stringify({ type: 'state', room, state }), false);
  }

  /** Replaces the set of tiles. Names may be short or full; rooms of other apps are ignored. */
  subscribe(rooms: string[], fps: number | undefined): void {
    if (fps !== undefined) this.#fps = Math.min(WALL_MAX_FPS, Math.max(WALL_MIN_FPS, fps));
    const wanted = new Set(rooms.slice(0, WALL_MAX_ROOMS).map((r) => this.#directory.fullName(this.app, r)).filter((r) => r.startsWith(`${this.app}-`)));
    for (const [room, tile] of this.#tiles) {
      if (wanted.has(room)) continue;
      this.#tiles.delete(room);
      if (tile.attached) this.#hub.detach(room, tile);
    }
    for (const room of wanted) {
      if (this.#tiles.has(room)) continue;
      const tile = new WallTile(this, room);
      this.#tiles.set(room, tile);
      const info = this.#directory.rooms.get(room);
      if (info) this.#attach(info, tile);
      else this.state(room, 'offline');
    }
  }

  /** This tile at full rate; null clears the focus. */
  focus(room: string | null): void {
    this.#focus = room === null ? null : this.#directory.fullName(this.app, room);
  }

  #attach(info: RoomInfo, tile: WallTile): void {
    tile.attached = true;
    this.state(info.room, info.state);
    this.#hub.attach(info, tile);
  }

  /** A room opened (or changed): attach the tile that waited for it. */
  roomOpened(info: RoomInfo): void {
    const tile = this.#tiles.get(info.room);
    if (tile && !tile.attached) this.#attach(info, tile);
  }

  /** The socket closed: every tile leaves the hub. */
  close(): void {
    this.#closed = true;
    for (const [room, tile] of this.#tiles) if (tile.attached) this.#hub.detach(room, tile);
    this.#tiles.clear();
  }
}
