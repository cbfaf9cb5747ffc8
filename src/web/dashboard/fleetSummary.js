// The summary strip above the cameras: live / reconnecting / offline / never seen, weak
// signal, low heap, flapping, frames dropped in the last minute, and the node's traffic in
// and out against its link. Each count is a button that filters the view (pressed = active;
// pressing it again shows all); the traffic button sorts by bandwidth.
import { $, bytes, h, setAttr, setText } from './dom.js';

const ITEMS = [
  ['live', 'Live', (s) => s.live],
  ['away', 'Reconnecting', (s) => s.away],
  ['offline', 'Offline', (s) => s.offline],
  ['never', 'Never seen', (s) => s.never],
  ['weak', 'Weak signal', (s) => s.weakSignal],
  ['lowheap', 'Low heap', (s) => s.lowHeap],
  ['flapping', 'Flapping', (s) => s.flapping],
  ['drops', 'Dropped / min', (s) => s.droppedLastMinute],
];

const rate = (n) => (n === null || n === undefined ? '-' : `${bytes(n)}/s`);
const share = (n, cap) => (n === null || n === undefined || !cap ? '' : ` (${((100 * n) / cap).toFixed(n / cap < 0.01 ? 2 : 1)} %)`);

export class FleetSummary {
  /** `filter(name)`: show only those rooms ('all' to reset); `byTraffic()`: sort by bandwidth. */
  constructor(filter, byTraffic) {
    this.el = $('fleet-summary');
    this.buttons = new Map();
    this.el.replaceChildren(
      ...ITEMS.map(([name, label]) => {
        const count = h('span', { class: 'count', dataset: { count: name } }, '-');
        const b = h('button', { type: 'button', class: 'stat', dataset: { filter: name }, 'aria-pressed': 'false', onclick: () => filter(b.getAttribute('aria-pressed') === 'true' ? 'all' : name) }, count, h('span', { class: 'label' }, label));
        this.buttons.set(name, { button: b, count, label });
        return h('li', {}, b);
      }),
      h('li', { class: 'traffic' }, (this.traffic = h('button', { type: 'button', class: 'stat', onclick: byTraffic, 'aria-label': 'Traffic against the link; sorts cameras by bandwidth' }, (this.trafficText = h('span', { class: 'count' }, '-')), h('span', { class: 'label' }, 'In / out of the link')))),
    );
  }

  /** `fleet`: the last fleet answer; `rooms`: the rooms shown (with kept revoked ones). */
  render(fleet, rooms, active) {
    const s = { live: 0, away: 0, offline: 0, never: 0, weakSignal: 0, lowHeap: 0, flapping: 0, droppedLastMinute: 0 };
    for (const r of rooms) {
      s[r.state]++;
      if (r.weakSignal) s.weakSignal++;
      if (r.lowHeap) s.lowHeap++;
      if (r.flapping) s.flapping++;
      s.droppedLastMinute += r.droppedLastMinute ?? 0;
    }
    for (const [name, , pick] of ITEMS) {
      const { button, count, label } = this.buttons.get(name);
      const n = pick(s);
      setText(count, String(n));
      setAttr(button, 'data-nonzero', n > 0);
      setAttr(button, 'aria-pressed', active === name);
      setAttr(button, 'aria-label', `${n} ${label.toLowerCase()}${active === name ? ' (filter on: press to show all)' : ': show only these'}`);
    }
    const t = fleet?.traffic;
    const cap = t?.linkCapacityBytesPerSec;
    setText(this.trafficText, t ? `${rate(t.bytesInPerSec)}${share(t.bytesInPerSec, cap)} / ${rate(t.bytesOutPerSec)}${share(t.bytesOutPerSec, cap)}` : '-');
    setAttr(this.traffic, 'title', cap ? `Link capacity ${bytes(cap)}/s each way (FRAMEHUB_LINK_CAPACITY_BPS)` : '');
  }
}
