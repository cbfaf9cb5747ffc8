// The app settings fields (wsIngest, publicPlayback and the limits), shared by the settings
// form (ids `set-<field>`) and the new-app form (ids `new-<field>`): fill them, read them,
// and put the API's `invalid_field` message ("maxFps: must be <= 120") next to its field.
// Validation is the API's; the page only reads what was typed.
import { $, setText } from './dom.js';

export const BOOLS = ['wsIngest', 'publicPlayback'];
export const NUMBERS = ['maxCameras', 'maxFps', 'maxFrameBytes', 'idleTimeoutSec'];

/** What the API gives an app created without settings (defaultApp in src/keys.ts). */
export const DEFAULTS = Object.freeze({ wsIngest: true, publicPlayback: true, maxCameras: 0, maxFps: null, maxFrameBytes: null, idleTimeoutSec: null });

/** Empties a form's field errors (`.field-error`) and drops its aria-invalid marks. */
export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) setText(el, '');
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

export function fillFields(prefix, app) {
  for (const f of BOOLS) $(`${prefix}-${f}`).checked = app[f];
  for (const f of NUMBERS) $(`${prefix}-${f}`).value = app[f] === null ? '' : String(app[f]);
}

/** The fields that differ from `app`; a number field left empty is null (node default), unreadable text stays text for the API to refuse. */
export function changedFields(prefix, app) {
  const body = {};
  for (const f of BOOLS) if ($(`${prefix}-${f}`).checked !== app[f]) body[f] = $(`${prefix}-${f}`).checked;
  for (const f of NUMBERS) {
    const input = $(`${prefix}-${f}`);
    const raw = input.value.trim();
    let v;
    if (raw === '') v = input.validity.badInput ? '(not a number)' : input.hasAttribute('data-nullable') ? null : '';
    else v = Number(raw);
    if (v !== app[f]) body[f] = v;
  }
  return body;
}

/**
 * Shows an API message that names a field of this form next to it (and focuses it);
 * answers false when it names none (the caller shows it for the whole form).
 */
export function showFieldError(prefix, message) {
  const field = /^(\w+):/.exec(message)?.[1];
  const input = field && $(`${prefix}-${field}`);
  const slot = field && $(`${prefix}-${field}-error`);
  if (!input || !slot) return false;
  setText(slot, message.slice(field.length + 1).trim());
  input.setAttribute('aria-invalid', 'true');
  input.focus();
  return true;
}
