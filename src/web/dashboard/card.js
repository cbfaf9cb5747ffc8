// One camera card of the Ingress view: a room with its keys and, when a camera is (or just
// was) connected, its stream. Built once, then updated in place on every poll.
import { ago, bytes, clock, h, setText } from './dom.js';
import { Thumbnail } from './thumbnail.js';

const FIELDS = [
  ['state', 'State'],
  ['fps', 'FPS'],
  ['rssi', 'RSSI'],
  ['heap', 'Free heap'],
  ['viewers', 'Viewers'],
  ['identity', 'Identity'],
  ['lastSeen', 'Last seen'],
  ['lastClose', 'Last close'],
];

/** The newest of some `{code, reason, at}` closes. */
function newest(closes) {
  return closes.filter(Boolean).sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0] ?? null;
}

/** State (live/offline), figures and texts of a merged room model ({room, name, keys, stream, lastClose}). */
export function describe(model, now = Date.now()) {
  const s = model.stream;
  // `away`: the camera left, viewers are held for the reconnect grace period; offline all the same.
  const state = s?.state === 'live' ? 'live' : 'offline';
  const lastClose = newest([s?.lastClose, model.lastClose, ...model.keys.map((k) => k.lastClose)]);
  const since = state === 'live' ? s.startedAt : lastClose?.at ?? null;
  const stats = state === 'live' ? s.stats : null;
  const lastSeen = s?.lastFrameAt ?? lastClose?.at ?? model.keys.map((k) => k.lastSeenAt).filter(Boolean).sort().at(-1) ?? null;
  return {
    state,
    lastClose,
    texts: {
      state: `${state}${since ? ` since ${clock(since)}` : ''}${s?.state === 'away' ? ' (viewers wait for a reconnect)' : ''}`,
      fps: state === 'live' ? `${s.fps}${stats?.fps != null ? ` (camera says ${stats.fps})` : ''}` : '-',
      rssi: stats?.rssi != null ? `${stats.rssi} dBm` : '-',
      heap: stats?.heapFree != null ? bytes(stats.heapFree) : '-',
      viewers: s ? `${s.viewers.total} (MJPEG ${s.viewers.mjpeg}, WS ${s.viewers.ws}, wall ${s.viewers.wall})` : '-',
      identity: s?.identity ?? model.keys.find((k) => k.identity)?.identity ?? '-',
      lastSeen: lastSeen ? `${clock(lastSeen)} (${ago(lastSeen, now)})` : 'never',
      lastClose: lastClose ? `${lastClose.code} ${lastClose.reason}, ${clock(lastClose.at)}` : '-',
    },
  };
}

export class Card {
  /** `actions`: { revoke(key), remove(room) }. */
  constructor(model, actions) {
    this.room = model.room;
    this.name = model.name;
    this.actions = actions;
    this.img = h('img', { alt: `Latest frame from ${model.name}`, width: 320, height: 240, decoding: 'async' });
    this.thumbnail = new Thumbnail(this.img);
    this.badge = h('span', { class: 'badge', 'aria-hidden': 'true' });
    this.values = {};
    const dl = h('dl', { class: 'figures' });
    for (const [field, label] of FIELDS) {
      this.values[field] = h('dd', { dataset: { field } });
      dl.append(h('div', {}, h('dt', {}, label), this.values[field]));
    }
    this.player = h('a', { class: 'button', href: '#' }, 'Open player');
    this.keyList = h('ul', { class: 'keys', 'aria-label': `Keys of ${model.name}` });
    this.note = h('p', { class: 'hint' });
    this.removeButton = h('button', { type: 'button', hidden: true, onclick: () => this.actions.remove(this.room) }, 'Remove card');
    this.el = h(
      'li',
      { class: 'card', dataset: { room: model.room, name: model.name }, 'aria-labelledby': `card-${model.room}` },
      h('div', { class: 'thumb' }, this.img, h('span', { class: 'no-picture', 'aria-hidden': 'true' }, 'No picture yet'), this.badge),
      h('h3', { id: `card-${model.room}` }, model.name),
      dl,
      this.keyList,
      this.note,
      h('div', { class: 'row' }, this.player, this.removeButton),
    );
    this.renderedKeys = '';
  }

  update(model, playerHref) {
    const d = describe(model);
    model.lastClose = d.lastClose; // remembered if the room later drops out of both lists
    this.el.dataset.state = d.state;
    this.el.dataset.lastClose = d.lastClose ? String(d.lastClose.code) : '';
    this.el.dataset.fps = model.stream?.state === 'live' ? String(model.stream.fps) : '';
    setText(this.badge, d.state);
    for (const [field] of FIELDS) setText(this.values[field], d.texts[field]);
    if (this.player.getAttribute('href') !== playerHref) this.player.setAttribute('href', playerHref);
    this.player.setAttribute('aria-label', `Open the player for ${model.name}`);
    const gone = model.keys.length === 0 && !model.stream;
    this.removeButton.hidden = !gone;
    setText(this.note, model.keys.length === 0 ? 'No key for this room (revoked): a camera cannot connect.' : '');
    this.#renderKeys(model.keys);
    return d;
  }

  #renderKeys(keys) {
    const sig = keys.map((k) => `${k.id}:${k.live}`).join(',');
    if (sig === this.renderedKeys) return;
    this.renderedKeys = sig;
    this.keyList.replaceChildren(
      ...keys.map((k) =>
        h(
          'li',
          { dataset: { keyId: k.id } },
          h('code', {}, k.id),
          k.live ? h('span', { class: 'hint' }, ' (connected)') : null,
          ' ',
          h('button', { type: 'button', class: 'danger small', 'aria-label': `Revoke key ${k.id} of ${this.name}`, onclick: () => this.actions.revoke(k, this.name) }, 'Revoke'),
        ),
      ),
    );
  }

  dispose() {
    this.thumbnail.dispose();
    this.el.remove();
  }
}
