// App settings: shown from the control plane and edited with PATCH. Validation is the
// API's: its `invalid_field` message ("maxFps: must be <= 120") goes next to the field.
import { api, seg } from './api.js';
import { $, announce, setText } from './dom.js';

const BOOLS = ['wsIngest', 'publicPlayback'];
const NUMBERS = ['maxCameras', 'maxFps', 'maxFrameBytes', 'idleTimeoutSec'];

function clearErrors() {
  setText($('settings-error'), '');
  for (const f of NUMBERS) {
    setText($(`set-${f}-error`), '');
    $(`set-${f}`).removeAttribute('aria-invalid');
  }
}

export function fillSettings(app) {
  clearErrors();
  setText($('settings-saved'), '');
  for (const f of BOOLS) $(`set-${f}`).checked = app[f];
  for (const f of NUMBERS) $(`set-${f}`).value = app[f] === null ? '' : String(app[f]);
}

/** The changed fields; a number field left empty is null (node default), unreadable text stays text for the API to refuse. */
function changes(app) {
  const body = {};
  for (const f of BOOLS) if ($(`set-${f}`).checked !== app[f]) body[f] = $(`set-${f}`).checked;
  for (const f of NUMBERS) {
    const input = $(`set-${f}`);
    const raw = input.value.trim();
    let v;
    if (raw === '') v = input.validity.badInput ? '(not a number)' : input.hasAttribute('data-nullable') ? null : '';
    else v = Number(raw);
    if (v !== app[f]) body[f] = v;
  }
  return body;
}

/** `getApp()` is the shown app; `saved(app)` gets the updated one. */
export function setupSettings(getApp, saved) {
  const form = $('settings-form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    setText($('settings-saved'), '');
    const app = getApp();
    const body = changes(app);
    if (Object.keys(body).length === 0) {
      setText($('settings-saved'), 'Nothing changed.');
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const next = await api('PATCH', `/api/v1/apps/${seg(app.name)}`, body);
      fillSettings(next);
      setText($('settings-saved'), `Saved at ${new Date().toLocaleTimeString()}.`);
      saved(next);
    } catch (err) {
      const field = /^(\w+):/.exec(err.message)?.[1];
      if (field && NUMBERS.includes(field)) {
        setText($(`set-${field}-error`), err.message.slice(field.length + 1).trim());
        $(`set-${field}`).setAttribute('aria-invalid', 'true');
        $(`set-${field}`).focus();
      }
      setText($('settings-error'), `Not saved: ${err.message}`);
      announce('The settings were not saved.');
    } finally {
      button.disabled = false;
    }
  });
}
