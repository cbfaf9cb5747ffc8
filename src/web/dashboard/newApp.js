// The "New app" form: a name and the app settings (pre-filled with the API's defaults),
// sent with POST /api/v1/apps (scope apps:write). Only the settings that differ from the
// defaults are sent, so an untouched form asks for exactly what the API would pick.
// The API's refusal (400 invalid name, 409 taken, 403 missing scope) is shown by the form.
import { api } from './api.js';
import { changedFields, clearFieldErrors, DEFAULTS, drawFields, fillFields, showFieldError } from './appFields.js';
import { $, announce, setText } from './dom.js';
import { submitting } from './forms.js';

function clearErrors() {
  setText($('new-app-error'), '');
  clearFieldErrors($('new-app-form'));
}

/** Back to an empty name and the default settings (sign-out, or after a creation). */
export function resetNewApp() {
  clearErrors();
  $('new-name').value = '';
  fillFields('new', DEFAULTS);
}

/** `created(app)` gets the new app (the caller lists and selects it). */
export function setupNewApp(created) {
  drawFields($('new-fields'), 'new');
  const form = $('new-app-form');
  resetNewApp();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    const name = $('new-name').value.trim();
    try {
      await submitting(form, async () => {
        const app = await api('POST', '/api/v1/apps', { name, ...changedFields('new', DEFAULTS) });
        resetNewApp();
        announce(`App ${app.name} created and selected.`);
        created(app);
      });
    } catch (err) {
      // The whole message by the button; when it names a field (400), also next to that field.
      if (!showFieldError('new', err.message)) $('new-name').select();
      setText($('new-app-error'), `Not created: ${err.message}`);
    }
  });
}
