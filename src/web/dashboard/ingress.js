// The Ingress view: the app's fleet from one request per interval (GET .../fleet: every room
// with state, figures and health flags, and the totals), shown as a summary strip whose
// numbers are filters, and as cards or a dense table, searchable and sortable, the view kept
// in the URL. Cards and rows are refreshed, and thumbnails loaded, only while on screen; off
// screen they cost nothing (not laid out or painted either: content-visibility). A room seen earlier in
// this session stays as an offline card after its key is revoked, until removed.
import { api, seg } from './api.js';
import { Card } from './card.js';
import { $, announce, setAttr, setText } from './dom.js';
import { visibleRooms } from './fleetModel.js';
import { FleetSummary } from './fleetSummary.js';
import { FleetTable } from './fleetTable.js';
import { ThumbnailScheduler } from './thumbnails.js';
import { readViewState, writeViewState } from './viewState.js';

const POLL_MS = 2500;

/** `el.hidden = v`, written only on a change. */
const setHidden = (el, v) => {
  if (el.hidden !== v) el.hidden = v;
};
/** Above this many rooms the table is the default view (the URL can still ask for cards). */
const CARDS_DEFAULT_MAX = 48;
/** Cards built per slice, so a big fleet never blocks the page for long. */
const CARDS_PER_SLICE = 60;

export class IngressView {
  /** `app`: the app object; `tokens`: its PlayTokens; `confirm(text)`: resolves true to go on. */
  constructor(app, tokens, confirm) {
    this.app = app;
    this.tokens = tokens;
    this.confirm = confirm;
    this.cards = new Map();
    this.models = new Map();
    this.states = new Map();
    this.order = [];
    this.timer = null;
    this.stopped = false;
    this.loaded = false;
    this.thumbQuery = app.publicPlayback ? '' : null;
    this.list = $('cards');
    this.modeButtons = [...document.querySelectorAll('[data-view-mode]')];
    const url = readViewState();
    this.view = { ...url, app: app.name, filter: url.app === app.name || !url.app ? url.filter : 'all', q: url.app === app.name || !url.app ? url.q : '' };
    this.summary = new FleetSummary((filter) => this.setView({ filter }), () => this.setView({ sort: 'bytes', dir: 'desc' }));
    this.table = new FleetTable({ sort: (sort, dir) => this.setView({ sort, dir }), href: (name) => `/play/${seg(this.app.name)}/${seg(name)}`, open: (name) => this.#openPlayer(name) });
    this.thumbs = new ThumbnailScheduler(
      (room) => {
        const m = this.models.get(room);
        if (!m || m.state !== 'live' || this.thumbQuery === null) return null;
        return `/live/${seg(this.app.name)}/${seg(m.name)}/frame.jpg${this.thumbQuery}`;
      },
      // Refused with the token in use: it went void (secret rotated elsewhere, or expired). Answers
      // to requests made with an older token, or while a new one is on its way, change nothing.
      (status, src) => {
        if ((status === 401 || status === 403) && this.thumbQuery && src.endsWith(this.thumbQuery)) this.renewTokens();
      },
    );
    // A card coming on screen is refreshed (and gets its player link with a room token, private apps).
    this.thumbs.onVisible = (cards) => cards.forEach((c) => this.#updateCard(c));
  }

  start() {
    this.list.replaceChildren();
    this.table.clear();
    this.#controls();
    const run = async () => {
      if (this.stopped) return;
      if (!document.hidden) await this.refresh();
      if (!this.stopped) this.timer = setTimeout(run, POLL_MS);
    };
    run();
    this.thumbs.start();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.thumbs.stop();
    for (const c of this.cards.values()) c.dispose();
    this.cards.clear();
    this.table.clear();
    this.controlsAbort?.abort();
  }

  /** The app's settings changed (publicPlayback decides whether tokens are needed). */
  setApp(app) {
    this.app = app;
    if (app.publicPlayback) this.thumbQuery = '';
    else this.#thumbToken(true);
  }

  /** Search box, view switch, sort menu: wired to the view state (and the URL). */
  #controls() {
    this.controlsAbort = new AbortController();
    const signal = this.controlsAbort.signal;
    $('fleet-search').value = this.view.q;
    $('fleet-search').addEventListener('input', (e) => this.setView({ q: e.target.value.trim() }), { signal });
    $('fleet-sort').value = this.view.sort;
    $('fleet-sort').addEventListener('change', (e) => this.setView({ sort: e.target.value }), { signal });
    $('fleet-dir').addEventListener('click', () => this.setView({ dir: this.view.dir === 'asc' ? 'desc' : 'asc' }), { signal });
    for (const b of this.modeButtons) b.addEventListener('click', () => this.setView({ view: b.dataset.viewMode }), { signal });
  }

  /** Writes this view's state (app, view, filter, search, sort) to the URL. */
  syncUrl() {
    writeViewState(this.view);
  }

  setView(change) {
    Object.assign(this.view, change);
    writeViewState(this.view);
    this.#render();
  }

  get mode() {
    return this.view.view ?? (this.models.size > CARDS_DEFAULT_MAX ? 'table' : 'cards');
  }

  async refresh() {
    let data;
    try {
      data = await api('GET', `/api/v1/apps/${seg(this.app.name)}/fleet`);
    } catch (err) {
      if (!this.stopped) setText($('ingress-error'), `Could not load the cameras: ${err.message}`);
      return;
    }
    if (this.stopped) return;
    setText($('ingress-error'), '');
    if (!this.app.publicPlayback && this.thumbQuery === null) this.#thumbToken(false);
    const rooms = new Map(data.rooms.map((r) => [r.room, r]));
    // Rooms seen before but now without key or stream (revoked): kept, offline.
    for (const [room, model] of this.models) {
      if (!rooms.has(room)) rooms.set(room, { ...model, state: 'offline', keys: [], fps: null, viewers: { mjpeg: 0, ws: 0, wall: 0, total: 0 }, weakSignal: false, lowHeap: false });
    }
    this.models = rooms;
    this.fleet = data;
    for (const model of rooms.values()) {
      const before = this.states.get(model.room);
      const now = model.state === 'live' ? 'live' : 'offline';
      if (before && before !== now) announce(`${model.name} is ${now}${now !== 'live' && model.lastClose ? ` (close ${model.lastClose.code} ${model.lastClose.reason})` : ''}`);
      this.states.set(model.room, now);
    }
    this.loaded = true;
    this.#render();
  }

  #render() {
    if (!this.loaded || this.stopped) return;
    const models = [...this.models.values()];
    const shown = visibleRooms(models, this.view);
    const mode = this.mode;
    if (document.body.dataset.fleetView !== mode) document.body.dataset.fleetView = mode;
    for (const b of this.modeButtons) setAttr(b, 'aria-pressed', b.dataset.viewMode === mode);
    setText($('fleet-dir'), this.view.dir === 'asc' ? 'Ascending' : 'Descending');
    setAttr($('fleet-dir'), 'aria-label', `Sort direction: ${this.view.dir === 'asc' ? 'ascending' : 'descending'}`);
    if ($('fleet-sort').value !== this.view.sort) $('fleet-sort').value = this.view.sort;
    this.summary.render(this.fleet, models, this.view.filter);
    const n = this.models.size;
    const live = [...this.states.values()].filter((s) => s === 'live').length;
    const filtered = shown.length !== n ? ` (${shown.length} shown)` : '';
    setText($('ingress-summary'), `${n} ${n === 1 ? 'room' : 'rooms'}, ${live} live${filtered}`);
    setHidden($('cards-empty'), n > 0);
    setHidden($('fleet-none'), n === 0 || shown.length > 0);
    setHidden(this.list, mode !== 'cards');
    setHidden($('fleet-table-wrap'), mode !== 'table');
    if (mode === 'table') this.table.render(shown, this.view, this.fleet?.thresholds);
    else this.#renderCards(shown);
  }

  /** Cards in `shown` order; hidden ones stay built (cheap, off screen). New cards come in slices. */
  #renderCards(shown) {
    const wanted = new Set(shown.map((m) => m.room));
    for (const [room, card] of this.cards) setHidden(card.el, !wanted.has(room));
    const missing = shown.filter((m) => !this.cards.has(m.room));
    for (const model of missing.slice(0, CARDS_PER_SLICE)) {
      const card = new Card(model, { revoke: (key, name) => this.revoke(key, name), remove: (room) => this.remove(room), open: (name) => this.#openPlayer(name) });
      this.cards.set(model.room, card);
      this.#updateCard(card);
      this.thumbs.observe(card);
    }
    let i = 0;
    for (const model of shown) {
      const card = this.cards.get(model.room);
      if (!card) continue;
      if (this.list.children[i] !== card.el) this.list.insertBefore(card.el, this.list.children[i] ?? null);
      i++;
      if (this.thumbs.isVisible(card)) this.#updateCard(card); // off screen: refreshed when it comes into view
    }
    // The rest in later slices, unless the view stopped (another app) or left cards meanwhile.
    if (missing.length > CARDS_PER_SLICE) setTimeout(() => { if (!this.stopped && this.mode === 'cards') this.#renderCards(visibleRooms([...this.models.values()], this.view)); }, 0);
  }

  #updateCard(card) {
    const model = this.models.get(card.room);
    if (!model || this.stopped) return;
    card.update(model, this.#playerHref(card, this.thumbs.isVisible(card)));
  }

  /**
   * The player's URL for `card`; for a private app with a room token once one is cached.
   * Tokens are fetched for cards on screen only (`fetch`), and the card is updated when its
   * token comes; a card's link fetches one when clicked.
   */
  #playerHref(card, fetch) {
    const path = `/play/${seg(this.app.name)}/${seg(card.name)}`;
    if (this.app.publicPlayback) return path;
    const token = this.tokens.peek(card.name);
    if (token) return `${path}?token=${encodeURIComponent(token)}`;
    if (!fetch) return path;
    this.tokens.get(card.name).then(
      () => {
        if (this.cards.get(card.room) === card) this.#updateCard(card);
      },
      () => {},
    );
    return path;
  }

  /** Table rows open the player with a room token fetched on click (private apps). */
  async #openPlayer(name) {
    const path = `/play/${seg(this.app.name)}/${seg(name)}`;
    if (this.app.publicPlayback) return path;
    try {
      return `${path}?token=${encodeURIComponent(await this.tokens.get(name))}`;
    } catch {
      return path;
    }
  }

  /**
   * Every play token of the app went void (its play secret was rotated, from this page or
   * elsewhere): forget them all, fetch a new app-wide one, and room tokens for the cards on screen.
   */
  renewTokens() {
    if (this.stopped || this.app.publicPlayback) return;
    this.tokens.clear();
    this.#thumbToken(false);
    for (const card of this.cards.values()) if (this.thumbs.isVisible(card)) this.#updateCard(card);
  }

  /** The app-wide play token for thumbnails of a private app (one request, renewed by PlayTokens). */
  #thumbToken(drop) {
    if (this.stopped) return;
    if (drop) this.tokens.drop('*');
    this.thumbQuery = this.app.publicPlayback ? '' : null;
    if (this.app.publicPlayback) return;
    this.tokens.get('*').then(
      (t) => (this.thumbQuery = `?token=${encodeURIComponent(t)}`),
      () => {}, // no streams:read: no thumbnails; the cards say why
    );
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
    const card = this.cards.get(room);
    if (card) {
      this.thumbs.unobserve(card);
      card.dispose();
    }
    this.cards.delete(room);
    this.models.delete(room);
    this.states.delete(room);
    this.#render();
    const first = this.list.querySelector('button, a');
    if (first) first.focus();
  }
}
