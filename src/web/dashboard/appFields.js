// The app settings fields (wsIngest, publicPlayback and the limits), shared by the settings
// form (ids `set-<field>`) and the new-app form (ids `new-<field>`): draw them, fill them,
// read them, and put the API's `invalid_field` message ("maxFps: must be <= 120") next to
// its field. Validation is the API's; the page only reads what was typed.
import { $, h, setText } from './dom.js';

/** The on/off settings, each a checkbox. */
const FLAGS = [
  { name: 'wsIngest', label: 'WS ingest enabled' },
  { name: 'publicPlayback', label: 'Public playback', hint: '(off: viewers need a play token)' },
];
/** The limits, each a number input with its error line; `nullable`: empty means the node default. */
const LIMITS = [
  { name: 'maxCameras', label: 'Max cameras', hint: '(0 = unlimited)', min: 0 },
  { name: 'maxFps', label: 'Max fps', hint: '(1-120, empty = node default)', min: 1, max: 120, nullable: true },
  { name: 'maxFrameBytes', label: 'Max frame bytes', hint: '(empty = node default)', min: 1024, nullable: true },
  { name: 'idleTimeoutSec', label: 'Idle timeout, seconds', hint: '(1-3600, empty = node default)', min: 1, max: 3600, nullable: true },
];
const BOOLS = FLAGS.map((f) => f.name);
const NUMBERS = LIMITS.map((f) => f.name);

/** What the API gives an app created without settings (defaultApp in src/keys.ts). */
export const DEFAULTS = Object.freeze({ wsIngest: true, publicPlayback: true, maxCameras: 0, maxFps: null, maxFrameBytes: null, idleTimeoutSec: null });

const labelled = (text, hint) => (hint ? [`${text} `, h('span', { class: 'hint' }, hint)] : [text]);

/**
 * Puts the fields with ids `<prefix>-<field>` in place of the element `placeholder`;
 * `hints` adds a form's own hint to a field (name -> text).
 */
export function drawFields(placeholder, prefix, hints = {}) {
  const fields = [];
  for (const f of FLAGS) {
    const id = `${prefix}-${f.name}`;
    fields.push(h('div', { class: 'check' }, h('input', { type: 'checkbox', id, name: f.name }), h('label', { for: id }, labelled(f.label, hints[f.name] ?? f.hint))));
  }
  for (const f of LIMITS) {
    const id = `${prefix}-${f.name}`;
    const input = { id, name: f.name, type: 'number', inputmode: 'numeric', min: f.min, max: f.max, step: 1, 'data-nullable': f.nullable, 'aria-describedby': `${id}-error` };
    fields.push(h('label', { for: id }, labelled(f.label, f.hint)), h('input', input), h('p', { id: `${id}-error`, class: 'error field-error' }));
  }
  placeholder.replaceWith(...fields);
}

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
