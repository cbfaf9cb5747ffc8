// Minting a camera key: the answer (stream key, URLs and a ready config.h) is shown once,
// with copy buttons, until "Done" (or signing out) removes it from the page.
import { api, seg } from './api.js';
import { $, announce, copyText, h, setText } from './dom.js';
import { endpointOf, firmwareConfig } from './firmware.js';
import { onDone, submitting } from './forms.js';

const SHOWN = [
  ['streamKey', 'Stream key'],
  ['wsUrl', 'WebSocket URL (camera)'],
  ['mjpegUrl', 'MJPEG URL'],
  ['playerUrl', 'Player URL'],
];

export function clearMinted() {
  $('mint-fields').replaceChildren();
  $('mint-config').value = '';
  $('mint-result').hidden = true;
}

/** `getApp()` names the current app; `minted()` runs after a key was made. */
export function setupMint(getApp, minted) {
  const form = $('mint-form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const room = $('mint-room').value.trim();
    const identity = $('mint-identity').value.trim();
    setText($('mint-error'), '');
    $('mint-room').removeAttribute('aria-invalid');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(room)) {
      setText($('mint-error'), 'Room: 1-64 characters of letters, digits, _ and -.');
      $('mint-room').setAttribute('aria-invalid', 'true');
      $('mint-room').focus();
      return;
    }
    const app = getApp();
    try {
      await submitting(form, async () => {
        const key = await api('POST', `/api/v1/apps/${seg(app.name)}/ws-ingest`, identity ? { room, identity } : { room });
        show(app, key);
        form.reset();
        minted();
      });
    } catch (err) {
      setText($('mint-error'), err.message);
    }
  });
  onDone('mint-done', clearMinted, 'The minted key was removed from the page.', 'mint-room');
  // Copy buttons: data-copy-from names the field to copy.
  document.addEventListener('click', async (e) => {
    const button = e.target.closest?.('[data-copy-from]');
    if (!button) return;
    const field = $(button.dataset.copyFrom);
    const ok = await copyText(field.value, field);
    announce(ok ? `Copied ${button.dataset.label ?? 'the text'}.` : 'Copy failed: select the text and copy it by hand.');
  });
}

function show(app, key) {
  setText($('mint-result-room'), `${app.name}/${key.name}`);
  $('mint-fields').replaceChildren(
    ...SHOWN.map(([field, label]) => {
      const id = `mint-${field}`;
      return h(
        'div',
        {},
        h('dt', {}, h('label', { for: id }, label)),
        h('dd', {}, h('input', { id, readonly: true, value: key[field], spellcheck: 'false', dataset: { field } }), h('button', { type: 'button', dataset: { copyFrom: id, label }, 'aria-label': `Copy ${label}` }, 'Copy')),
      );
    }),
  );
  $('mint-config').value = firmwareConfig({ app: app.name, room: key.name, streamKey: key.streamKey, wsUrl: key.wsUrl });
  const notes = endpointOf(key.wsUrl).warnings;
  if (!app.publicPlayback) notes.push('This app has private playback: the MJPEG and player URLs need a play token (?token=).');
  setText($('mint-config-note'), notes.join(' '));
  $('mint-result').hidden = false;
  $('mint-result').focus();
  announce(`Key minted for ${key.name}. It is shown once: copy it now.`);
}
