// The Ingress view: one card per room of the app, from the keys list merged with the live
// streams list, polled every few seconds (no per-camera connection). A room seen earlier
// in this session stays as an offline card after its key is revoked, until removed.
import { api, seg } from './api.js';
import { $, announce, setText } from './dom.js';
import { Card } from './card.js';

const POLL_MS = 2500;
const THUMB_MS = 2000;

/** Rooms of the app: keys grouped by room, with the room's stream if any. */
export function mergeRooms(keys, streams) {
  const rooms = new Map();
  const entry = (room, name) => {
    if (!rooms.has(room)) rooms.set(room, { room, name, keys: [], stream: null, lastClose: null });
    return rooms.get(room);
  };
  for (const k of keys) entry(k.room, k.name).keys.push(k);
  for (const s of streams) entry(s.room, s.name).stream = s;
  return rooms;
}

export class IngressView {
  /** `app`: the app object; `tokens`: its PlayTokens; `confirm(text)`: resolves true to go on. */
  constructor(app, tokens, confirm) {
    this.app = app;
    this.tokens = tokens;
    this.confirm = confirm;
    this.cards = new Map();
    this.models = new Map();
    this.states = new Map();
    this.timers = [];
    this.stopped = false;
    this.list = $('cards');
  }

  start() {
    this.list.replaceChildren();
    const loop = (fn, ms) => {
      const run = async () => {
        if (this.stopped) return;
        if (!document.hidden) await fn();
        if (!this.stopped) this.timers.push(setTimeout(run, ms));
      };
      run();
    };
    loop(() => this.refresh(), POLL_MS);
    loop(() => this.refreshThumbnails(), THUMB_MS);
  }

  stop() {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.cards.values()) c.dispose();
    this.cards.clear();
  }

  /** The app's settings changed (publicPlayback decides whether tokens are needed). */
  setApp(app) {
    this.app = app;
  }

  async refresh() {
    const base = `/api/v1/apps/${seg(this.app.name)}`;
    let keys, streams;
    try {
      [keys, streams] = await Promise.all([api('GET', `${base}/ws-ingest`), api('GET', `${base}/streams`)]);
    } catch (err) {
      if (!this.stopped) setText($('ingress-error'), `Could not load the cameras: ${err.message}`);
      return;
    }
    if (this.stopped) return;
    setText($('ingress-error'), '');
    const rooms = mergeRooms(keys, streams);
    // Rooms seen before but now without key or stream (revoked): kept, offline.
    for (const [room, model] of this.models) {
      if (!rooms.has(room)) rooms.set(room, { ...model, keys: [], stream: null });
    }
    this.models = rooms;
    await this.#render(rooms);
  }

  async #render(rooms) {
    const sorted = [...rooms.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const model of sorted) {
      if (this.stopped) return;
      let card = this.cards.get(model.room);
      if (!card) {
        card = new Card(model, { revoke: (key, name) => this.revoke(key, name), remove: (room) => this.remove(room) });
        this.cards.set(model.room, card);
      }
      const href = await this.#playerHref(model.name);
      if (this.stopped) return; // signed out or switched app meanwhile
      const d = card.update(model, href);
      const before = this.states.get(model.room);
      if (before && before !== d.state) {
        announce(`${model.name} is ${d.state}${d.state !== 'live' && d.lastClose ? ` (close ${d.lastClose.code} ${d.lastClose.reason})` : ''}`);
      }
      this.states.set(model.room, d.state);
    }
    // Keep DOM order equal to the sorted order without re-creating cards.
    sorted.forEach((model, i) => {
      const el = this.cards.get(model.room).el;
      if (this.list.children[i] !== el) this.list.insertBefore(el, this.list.children[i] ?? null);
    });
    this.#summary();
  }

  #summary() {
    const live = [...this.states.values()].filter((s) => s === 'live').length;
    const n = this.cards.size;
    setText($('ingress-summary'), `${n} ${n === 1 ? 'room' : 'rooms'}, ${live} live`);
    $('cards-empty').hidden = n > 0;
  }

  async #playerHref(name) {
    const path = `/play/${seg(this.app.name)}/${seg(name)}`;
    if (this.app.publicPlayback) return path;
    try {
      return `${path}?token=${encodeURIComponent(await this.tokens.get(name))}`;
    } catch {
      return path;
    }
  }

  async refreshThumbnails() {
    let query = '';
    if (!this.app.publicPlayback) {
      try {
        query = `?token=${encodeURIComponent(await this.tokens.get('*'))}`;
      } catch {
        return; // no streams:read: no thumbnails; the cards say why
      }
    }
    const jobs = [];
    for (const [room, card] of this.cards) {
      const model = this.models.get(room);
      if (!model?.stream) continue; // offline: keep the last picture
      const src = `/live/${seg(this.app.name)}/${seg(model.name)}/frame.jpg${query}`;
      jobs.push(
        card.thumbnail.refresh(src).then((status) => {
          if (status === 401 || status === 403) this.tokens.drop('*');
        }),
      );
    }
    await Promise.all(jobs);
  }

  async revoke(key, name) {
    const ok = await this.confirm(`Revoke key ${key.id} of room ${name}? A camera using it is disconnected at once (close 4401) and the key stops working for good.`);
    if (!ok) return;
    try {
      const r = await api('DELETE', `/api/v1/apps/${seg(this.app.name)}/ws-ingest/${seg(key.id)}`);
      announce(`Key ${r.revoked} revoked${r.closedCameras ? `; ${r.closedCameras} camera disconnected` : ''}.`);
    } catch (err) {
      setText($('ingress-error'), `Could not revoke ${key.id}: ${err.message}`);
    }
    await this.refresh();
  }

  remove(room) {
    this.cards.get(room)?.dispose();
    this.cards.delete(room);
    this.models.delete(room);
    this.states.delete(room);
    this.#summary();
    const first = this.list.querySelector('button, a');
    if (first) first.focus();
  }
}
