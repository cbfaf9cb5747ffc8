// "Rotate play secret": POST /api/v1/apps/:app/rotate-play-secret (scope apps:write). The
// app gets a new play-token secret; every play token handed out so far stops working and
// the server disconnects the viewers holding one. The button asks first, inline (Rotate
// now / Cancel); a refusal (403 without apps:write) is shown under it.
import { api, seg } from './api.js';
import { $, announce, setText } from './dom.js';

/** `getApp()` is the shown app; `rotated(app)` runs after a rotation (renew cached play tokens). */
export function setupRotateSecret(getApp, rotated) {
  const open = $('rotate-open');
  const confirm = $('rotate-confirm');
  const ok = $('rotate-ok');

  const ask = (on) => {
    confirm.hidden = !on;
    open.setAttribute('aria-expanded', String(on));
  };

  open.addEventListener('click', () => {
    const app = getApp();
    if (!app) return;
    for (const el of confirm.querySelectorAll('[data-app-name]')) setText(el, app.name);
    setText($('rotate-error'), '');
    setText($('rotate-done'), '');
    ask(true);
    ok.focus();
  });

  $('rotate-cancel').addEventListener('click', () => {
    ask(false);
    open.focus();
  });

  ok.addEventListener('click', async () => {
    const app = getApp();
    if (!app) return;
    ok.disabled = true;
    try {
      const result = await api('POST', `/api/v1/apps/${seg(app.name)}/rotate-play-secret`);
      ask(false);
      const when = new Date(result.rotatedAt).toLocaleTimeString();
      setText($('rotate-done'), `Play secret of ${result.app} rotated at ${when}: old play tokens no longer work and their viewers were disconnected.`);
      announce(`Play secret of ${result.app} rotated.`);
      open.focus();
      rotated(app);
    } catch (err) {
      setText($('rotate-error'), `Not rotated: ${err.message}`);
    } finally {
      ok.disabled = false;
    }
  });
}
