// The dense table of the fleet: one row per room (room, state and since when, fps, RSSI,
// heap, last close, viewers, identity, last seen, drops, connections), sortable by its
// column headers (aria-sort). Rows are built once per room and updated in place.
import { describe } from './card.js';
import { $, h, setText } from './dom.js';

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
    const tr = h('tr');
    for (const [key, label] of COLUMNS) {
      const button = h('button', { type: 'button', class: 'sort', onclick: () => this.#sortBy(key) }, label);
      const th = h('th', { scope: 'col', 'aria-sort': 'none', dataset: { sort: key } }, button);
      this.heads.set(key, th);
      tr.append(th);
    }
    $('fleet-head').replaceChildren(tr);
    this.view = { sort: 'name', dir: 'asc' };
  }

  #sortBy(key) {
    const dir = this.view.sort === key && this.view.dir === 'asc' ? 'desc' : 'asc';
    this.actions.sort(key, dir);
  }

  clear() {
    this.body.replaceChildren();
    this.rows.clear();
  }

  #row(model) {
    const cells = {};
    const link = h('a', {
      href: this.actions.href(model.name),
      onclick: async (e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return; // a new tab: the plain link
        e.preventDefault();
        location.href = await this.actions.open(model.name);
      },
    }, model.name);
    const tr = h('tr', { dataset: { room: model.room } });
    for (const [key] of COLUMNS) {
      cells[key] = key === 'name' ? h('th', { scope: 'row' }, link) : h('td', { dataset: { field: key } });
      tr.append(cells[key]);
    }
    return { tr, cells, link };
  }

  render(rooms, view, thresholds) {
    this.view = view;
    for (const [key, th] of this.heads) th.setAttribute('aria-sort', key === view.sort ? (view.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    const now = Date.now();
    const wanted = new Set();
    rooms.forEach((model, i) => {
      wanted.add(model.room);
      let row = this.rows.get(model.room);
      if (!row) this.rows.set(model.room, (row = this.#row(model)));
      const d = describe(model, now);
      row.tr.dataset.state = d.state;
      row.tr.dataset.fleetState = d.fleetState;
      row.tr.classList.toggle('weak', model.weakSignal || model.lowHeap || model.flapping);
      row.link.setAttribute('aria-label', `${model.name}: open the player`);
      setText(row.cells.state, d.texts.state);
      setText(row.cells.fps, d.texts.fps);
      setText(row.cells.rssi, d.texts.rssi);
      setText(row.cells.heap, d.texts.heap);
      setText(row.cells.lastClose, d.texts.lastClose);
      setText(row.cells.viewers, String(model.viewers.total));
      setText(row.cells.identity, d.texts.identity);
      setText(row.cells.lastSeen, d.texts.lastSeen);
      setText(row.cells.drops, String(model.droppedLastMinute ?? 0));
      setText(row.cells.connects, String(model.connectsLastHour ?? 0));
      if (this.body.children[i] !== row.tr) this.body.insertBefore(row.tr, this.body.children[i] ?? null);
    });
    for (const [room, row] of this.rows) {
      if (wanted.has(room)) continue;
      row.tr.remove();
      this.rows.delete(room);
    }
    if (thresholds) setText($('fleet-table-caption'), `Cameras: weak signal below ${thresholds.weakRssiDbm} dBm, low heap below ${thresholds.lowHeapBytes} bytes, flapping from ${thresholds.flapConnectsPerHour} connections an hour`);
  }
}
