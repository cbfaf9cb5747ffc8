// Provision many cameras: paste or load a rooms list, mint every key in one all-or-nothing
// call (POST .../ws-ingest/bulk), then download the keys CSV and a zip of per-camera config.h
// files. The keys are shown once: they live in the two downloads (blob URLs) until "Done",
// signing out or switching apps forgets them. Per-item refusals are listed by line.
import { api, seg } from './api.js';
import { $, announce, h, setText } from './dom.js';
import { configBundle, keysCsv, parseRooms } from './bulkFiles.js';
import { onDone, submitting } from './forms.js';

let urls = [];

export function clearBulk() {
  for (const u of urls) URL.revokeObjectURL(u);
  urls = [];
  $('bulk-result').hidden = true;
  $('bulk-csv').removeAttribute('href');
  $('bulk-zip').removeAttribute('href');
  $('bulk-problems').replaceChildren();
  setText($('bulk-error'), '');
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, 'Z');

/** `getApp()` names the current app; `minted()` runs after keys were made. */
export function setupBulk(getApp, minted) {
  const form = $('bulk-form');
  $('bulk-file').addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    if (file) $('bulk-rooms').value = await file.text();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearBulk();
    const app = getApp();
    let lines = [];
    try {
      await submitting(form, async () => {
        lines = await parseRooms($('bulk-rooms').value);
        if (lines.length === 0) throw new Error('the list is empty: one room per line');
        const body = { cameras: lines.map((l) => l.item), ...($('bulk-existing').checked ? { allowExistingRooms: true } : {}) };
        const result = await api('POST', `/api/v1/apps/${seg(app.name)}/ws-ingest/bulk`, body);
        await show(app, result.keys);
        form.reset();
        minted();
      });
    } catch (err) {
      setText($('bulk-error'), `Not minted: ${err.message}`);
      const items = err.items ?? [];
      $('bulk-problems').replaceChildren(...items.map((i) => h('li', {}, `line ${lines[i.index]?.line ?? i.index + 1}${i.room ? ` (${i.room})` : ''}: ${i.message}`)));
      $('bulk-rooms').focus();
    }
  });
  onDone('bulk-done', clearBulk, 'The minted keys were removed from the page.', 'bulk-rooms');
}

async function show(app, keys) {
  const name = `framehub-${app.name}-keys-${stamp()}`;
  const csv = await keysCsv(app.name, keys);
  const zip = await configBundle(app.name, keys, csv, name);
  const link = (id, blob, file) => {
    const url = URL.createObjectURL(blob);
    urls.push(url);
    $(id).href = url;
    $(id).download = file;
  };
  link('bulk-csv', new Blob([csv], { type: 'text/csv' }), `${name}.csv`);
  link('bulk-zip', new Blob([zip], { type: 'application/zip' }), `${name}.zip`);
  setText($('bulk-result-title'), `${keys.length} keys minted in ${app.name}`);
  $('bulk-result').hidden = false;
  $('bulk-result').focus();
  announce(`${keys.length} keys minted. They are shown once: download the files now.`);
}
