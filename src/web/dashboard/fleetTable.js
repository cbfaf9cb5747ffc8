// The dense table of the fleet: one row per room (room, state and since when, fps, RSSI,
// heap, last close, viewers, identity, last seen, drops, connections), sortable by its
// column headers (aria-sort). An ARIA table of CSS-grid rows (not <table>: a row off screen
// is skipped by layout and style with content-visibility, which table rows do not allow), so
// 600-2,000 rows cost what the ~30 on screen cost. Rows are built once per room, in slices so a big fleet never
// blocks the page, and their cells are refreshed only while they are in view (an
// IntersectionObserver on the scrolling table); a row coming into view is refreshed at once.
import { $, h, setAttr, setText } from './dom.js';
import { describe, markState, openInPlace } from './fleetRoom.js';

/** Rows built per slice (one task each). */
const ROWS_PER_SLICE = 300;

const COLUMNS = [
  ['name', 'Room'],
  ['state', 'State'],
  ['fps', 'FPS'],
  ['rssi', 'RSSI'],
  ['heap', 'Free heap'],
  ['lastClose', 'Last close'],
  ['viewers', 'Viewers'],
  ['identity', 'Identity'],
  ['lastSeen', 'Last seen'],
  ['drops', 'Drops / min'],
  ['connects', 'Connects / h'],
];

export class FleetTable {
  /** `sort(column, dir)`; `href(name)`: the player's path; `open(name)` resolves its URL (with a room token for a private app). */
  constructor(actions) {
    this.actions = actions;
    this.body = $('fleet-rows');
    this.rows = new Map();
    this.heads = new Map();
    const tr = h('div', { role: 'row', class: 'frow' });
    for (const [key, label] of COLUMNS) {
      const button = h('button', { type: 'button', class: 'sort', onclick: () => this.#sortBy(key) }, label);
      const th = h('div', { role: 'columnheader', 'aria-sort': 'none', dataset: { sort: key } }, button);
      this.heads.set(key, th);
      tr.append(th);
    }
    $('fleet-head').replaceChildren(tr);
    this.view = { sort: 'name', dir: 'asc' };
    this.visible = new Set();
    this.models = new Map();
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const room = e.target.dataset.room;
        if (!e.isIntersecting) {
          this.visible.delete(room);
          continue;
        }
        this.visible.add(room);
        const row = this.rows.get(room);
        const model = this.models.get(room);
        if (row && model) this.#fill(row, model, Date.now());
      }
    }, { root: $('fleet-table-wrap'), rootMargin: '200px 0px' });
    this.pending = null;
  }

  #sortBy(key) {
    const dir = this.view.sort === key && this.view.dir === 'asc' ? 'desc' : 'asc';
    this.actions.sort(key, dir);
  }

  clear() {
    clearTimeout(this.pending);
    this.pending = null;
    this.observer.disconnect();
    this.visible.clear();
    this.body.replaceChildren();
    this.rows.clear();
  }

  /** One row: a clone of a prototype (much cheaper than building 12 elements per row). */
  #row(model) {
    if (!this.prototype) {
      const proto = h('div', { role: 'row', class: 'frow' });
      for (const [key] of COLUMNS) proto.append(key === 'name' ? h('div', { role: 'rowheader' }, h('a')) : h('div', { role: 'cell', dataset: { field: key } }));
      this.prototype = proto;
    }
    const tr = this.prototype.cloneNode(true);
    tr.dataset.room = model.room;
    const cells = {};
    COLUMNS.forEach(([key], i) => (cells[key] = tr.children[i]));
    const link = tr.firstChild.firstChild;
    link.textContent = model.name;
    link.href = this.actions.href(model.name);
    link.setAttribute('aria-label', `${model.name}: open the player`);
    link.addEventListener('click', (e) => openInPlace(e, () => this.actions.open(model.name)));
    return { tr, cells, link };
  }

  #fill(row, model, now) {
    const d = describe(model, now);
    markState(row.tr, model, d);
    setText(row.cells.state, d.texts.state);
    setText(row.cells.fps, model.state === 'live' ? String(model.fps) : '-'); // the camera's own figure is on its card
    setText(row.cells.rssi, d.texts.rssi);
    setText(row.cells.heap, d.texts.heap);
    setText(row.cells.lastClose, d.texts.lastClose);
    setText(row.cells.viewers, String(model.viewers.total));
    setText(row.cells.identity, d.texts.identity);
    setText(row.cells.lastSeen, d.texts.lastSeen);
    setText(row.cells.drops, String(model.droppedLastMinute ?? 0));
    setText(row.cells.connects, String(model.connectsLastHour ?? 0));
  }

  /** Shows `rooms` in this order; rows not built yet are built ROWS_PER_SLICE at a time. */
  render(rooms, view, thresholds) {
    clearTimeout(this.pending);
    this.pending = null;
    this.view = view;
    for (const [key, th] of this.heads) setAttr(th, 'aria-sort', key === view.sort ? (view.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    if (thresholds) setText($('fleet-table-caption'), `Cameras: weak signal below ${thresholds.weakRssiDbm} dBm, low heap below ${thresholds.lowHeapBytes} bytes, flapping from ${thresholds.flapConnectsPerHour} connections an hour`);
    const now = Date.now();
    const wanted = new Set(rooms.map((m) => m.room));
    for (const [room, row] of this.rows) {
      if (wanted.has(room)) continue;
      this.observer.unobserve(row.tr);
      row.tr.remove();
      this.rows.delete(room);
      this.visible.delete(room);
    }
    this.models = new Map(rooms.map((m) => [m.room, m]));
    let built = 0;
    let i = 0;
    for (const model of rooms) {
      let row = this.rows.get(model.room);
      if (!row) {
        if (built === ROWS_PER_SLICE) break;
        built++;
        // Filled when it comes into view (the observer reports the visible ones at once):
        // building 600 rows costs their clones, not 600 rows of formatting.
        this.rows.set(model.room, (row = this.#row(model)));
        setText(row.cells.identity, model.identity ?? '-');
        this.observer.observe(row.tr);
      } else if (this.visible.has(model.room)) {
        this.#fill(row, model, now);
      }
      if (this.body.children[i] !== row.tr) this.body.insertBefore(row.tr, this.body.children[i] ?? null);
      i++;
    }
    if (i < rooms.length) this.pending = setTimeout(() => this.render(rooms, view, thresholds), 0);
  }
}
