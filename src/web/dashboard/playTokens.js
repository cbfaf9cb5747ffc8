// Play tokens for a private app (publicPlayback off): one app-wide token for the
// thumbnails, and per-room tokens for the player links (an app-wide token in a link
// someone might share would open every room). Renewed well before they expire.
import { api, seg } from './api.js';

const TTL_SEC = 3600;
const RENEW_BEFORE_MS = 10 * 60_000;

export class PlayTokens {
  constructor(app) {
    this.app = app;
    this.cache = new Map(); // room name or '*' -> { token, expiresAt, pending }
    this.generation = 0; // bumped by clear(): an answer to an earlier request is not cached
  }

  #fresh(entry) {
    return entry && entry.token && Date.parse(entry.expiresAt) - Date.now() > RENEW_BEFORE_MS;
  }

  /** The token for `room` ('*' for the app), fetched when missing or about to expire. */
  async get(room = '*') {
    const entry = this.cache.get(room);
    if (this.#fresh(entry)) return entry.token;
    if (entry?.pending) return entry.pending;
    const path = room === '*' ? `/api/v1/apps/${seg(this.app)}/play-token?ttl=${TTL_SEC}` : `/api/v1/apps/${seg(this.app)}/play-token/${seg(room)}?ttl=${TTL_SEC}`;
    const generation = this.generation;
    const pending = api('GET', path).then(
      (d) => {
        if (generation !== this.generation) return this.get(room); // cleared meanwhile: maybe signed with the old secret
        this.cache.set(room, { token: d.token, expiresAt: d.expiresAt });
        return d.token;
      },
      (err) => {
        if (generation === this.generation) this.cache.delete(room);
        throw err;
      },
    );
    this.cache.set(room, { ...entry, pending });
    return pending;
  }

  /** A cached token if still good (no request), else null. */
  peek(room = '*') {
    const entry = this.cache.get(room);
    return this.#fresh(entry) ? entry.token : null;
  }

  /** Forget a token the server refused (401/403), so the next get() fetches a new one. */
  drop(room = '*') {
    this.cache.delete(room);
  }

  /** Forget every token (the app's play secret changed: all of them are void, pending ones too). */
  clear() {
    this.cache.clear();
    this.generation++;
  }
}
