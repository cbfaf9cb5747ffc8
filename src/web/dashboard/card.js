// One camera card of the Ingress view: a room of the fleet with its keys, figures and
// thumbnail. Built once; updated in place while it is on screen (off screen it costs nothing).
import { h, setAttr, setText } from './dom.js';
import { describe, markState, openInPlace, STATE_LABEL } from './fleetRoom.js';
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

export class Card {
  /** `actions`: { revoke(key), remove(room), open(name) -> player URL }. */
  constructor(model, actions) {
    this.room = model.room;
    this.name = model.name;
    this.actions = actions;
    this.img = h('img', { alt: `Latest frame from ${model.name}`, width: 320, height: 240, decoding: 'async' });
    this.img.dataset.room = model.room;
    this.thumbnail = new Thumbnail(this.img);
    this.badge = h('span', { class: 'badge', 'aria-hidden': 'true' });
    this.values = {};
    const dl = h('dl', { class: 'figures' });
    for (const [field, label] of FIELDS) {
      this.values[field] = h('dd', { dataset: { field } });
      dl.append(h('div', {}, h('dt', {}, label), this.values[field]));
    }
    this.player = h('a', {
      class: 'button', href: '#',
      onclick: (e) => openInPlace(e, () => this.actions.open(this.name)),
    }, 'Open player');
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
    markState(this.el, model, d);
    setAttr(this.el, 'data-last-close', d.lastClose ? d.lastClose.code : '');
    setAttr(this.el, 'data-fps', model.state === 'live' ? model.fps : '');
    setText(this.badge, STATE_LABEL[d.fleetState]);
    for (const [field] of FIELDS) setText(this.values[field], d.texts[field]);
    if (this.player.getAttribute('href') !== playerHref) this.player.setAttribute('href', playerHref);
    setAttr(this.player, 'aria-label', `Open the player for ${model.name}`);
    const gone = model.keys.length === 0 && model.state !== 'live' && model.state !== 'away';
    if (this.removeButton.hidden !== !gone) this.removeButton.hidden = !gone;
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
