// "Delete app", GitHub-style: a modal dialog where the operator types the app's name
// before the Delete button works. DELETE /api/v1/apps/:app (scope apps:write) also removes
// the app's keys and app-restricted tokens, and the server closes its live cameras
// (4401 unknown_app). A refusal stays in the dialog; success closes it.
import { api, seg } from './api.js';
import { $, setText } from './dom.js';

/** `getApp()` is the shown app; `deleted(result)` gets `{deleted, closedCameras}`. */
export function setupDeleteApp(getApp, deleted) {
  const dialog = $('delete-app');
  const form = $('delete-app-form');
  const input = $('delete-app-confirm');
  const ok = $('delete-app-ok');
  let opener = null;

  const matches = () => input.value === getApp()?.name;
  input.addEventListener('input', () => {
    ok.disabled = !matches();
  });

  $('delete-app-open').addEventListener('click', () => {
    const app = getApp();
    if (!app) return;
    for (const el of dialog.querySelectorAll('[data-app-name]')) setText(el, app.name);
    setText($('delete-app-error'), '');
    input.value = '';
    ok.disabled = true;
    opener = document.activeElement;
    dialog.showModal();
    input.focus();
  });

  $('delete-app-cancel').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => opener?.isConnected && opener.focus());

  // Enter in the name field submits too; a disabled Delete button blocks that (implicit submission).
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const app = getApp();
    if (!app || !matches()) return;
    setText($('delete-app-error'), '');
    ok.disabled = true;
    try {
      const result = await api('DELETE', `/api/v1/apps/${seg(app.name)}`);
      opener = null; // the caller moves the focus (the app is gone)
      dialog.close();
      deleted(result);
    } catch (err) {
      setText($('delete-app-error'), `Not deleted: ${err.message}`);
      ok.disabled = !matches();
      input.focus();
    }
  });
}
