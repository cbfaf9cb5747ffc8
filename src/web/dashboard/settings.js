// App settings: shown from the control plane and edited with PATCH (only the changed
// fields). Validation is the API's: its message goes next to the field (appFields.js).
import { api, seg } from './api.js';
import { changedFields, clearFieldErrors, drawFields, fillFields, showFieldError } from './appFields.js';
import { $, announce, setText } from './dom.js';
import { submitting } from './forms.js';

function clearErrors() {
  setText($('settings-error'), '');
  clearFieldErrors($('settings-form'));
}

export function fillSettings(app) {
  clearErrors();
  setText($('settings-saved'), '');
  fillFields('set', app);
}

/** `getApp()` is the shown app; `saved(app)` gets the updated one. */
export function setupSettings(getApp, saved) {
  drawFields($('set-fields'), 'set', { wsIngest: '(off closes live cameras with 4403)' });
  const form = $('settings-form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    setText($('settings-saved'), '');
    const app = getApp();
    const body = changedFields('set', app);
    if (Object.keys(body).length === 0) {
      setText($('settings-saved'), 'Nothing changed.');
      return;
    }
    try {
      await submitting(form, async () => {
        const next = await api('PATCH', `/api/v1/apps/${seg(app.name)}`, body);
        fillSettings(next);
        setText($('settings-saved'), `Saved at ${new Date().toLocaleTimeString()}.`);
        saved(next);
      });
    } catch (err) {
      showFieldError('set', err.message);
      setText($('settings-error'), `Not saved: ${err.message}`);
      announce('The settings were not saved.');
    }
  });
}
