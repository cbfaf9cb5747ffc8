// What a card and a table row of one fleet room share: its texts and states (`describe`),
// the state marks on its element, and its player link, which opens in place with a fresh
// room token (private apps) or, asked for a new tab, as the plain link.
import { ago, bytes, clock, setAttr } from './dom.js';

export const STATE_LABEL = { live: 'live', away: 'reconnecting', offline: 'offline', never: 'never seen' };

/** Texts and states of one fleet room (a row of GET /api/v1/apps/:app/fleet). */
export function describe(r, now = Date.now()) {
  // `data-state` stays binary (live / offline); `fleetState` tells away and never apart.
  const state = r.state === 'live' ? 'live' : 'offline';
  const stats = r.state === 'live' ? r.stats : null;
  const since = r.since ? ` since ${clock(r.since)}` : '';
  return {
    state,
    fleetState: r.state,
    lastClose: r.lastClose,
    texts: {
      state: `${STATE_LABEL[r.state]}${since}${r.state === 'away' ? ' (viewers wait for a reconnect)' : ''}${r.flapping ? `, flapping (${r.connectsLastHour} connections in 1 h)` : ''}`,
      fps: r.state === 'live' ? `${r.fps}${stats?.fps != null ? ` (camera says ${stats.fps})` : ''}` : '-',
      rssi: stats?.rssi != null ? `${stats.rssi} dBm${r.weakSignal ? ' (weak)' : ''}` : '-',
      heap: stats?.heapFree != null ? `${bytes(stats.heapFree)}${r.lowHeap ? ' (low)' : ''}` : '-',
      viewers: `${r.viewers.total} (MJPEG ${r.viewers.mjpeg}, WS ${r.viewers.ws}, wall ${r.viewers.wall})`,
      identity: r.identity ?? '-',
      lastSeen: r.lastSeenAt ? `${clock(r.lastSeenAt)} (${ago(r.lastSeenAt, now)})` : 'never',
      lastClose: r.lastClose ? `${r.lastClose.code} ${r.lastClose.reason}, ${clock(r.lastClose.at)}` : '-',
    },
  };
}

/** Marks `el` with the room's states (`d` from describe) and the `weak` class (weak signal, low heap, flapping). */
export function markState(el, model, d) {
  setAttr(el, 'data-state', d.state);
  setAttr(el, 'data-fleet-state', d.fleetState);
  const weak = Boolean(model.weakSignal || model.lowHeap || model.flapping);
  if (el.classList.contains('weak') !== weak) el.classList.toggle('weak', weak);
}

/** A player link's click: a plain one goes to the URL `open()` resolves; one for a new tab (modifier, other button) follows the link. */
export async function openInPlace(e, open) {
  if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  location.href = await open();
}
