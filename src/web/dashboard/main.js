// framehub operator dashboard: sign-in with an API token (sessionStorage, this tab only),
// app picker, Ingress view, key minting, app settings, creating and deleting apps, and
// cluster nodes. All data comes from the control API; this page is static.
import { api, session, whenUnauthorized } from './api.js';
import { setupDeleteApp } from './deleteApp.js';
import { $, announce, setText } from './dom.js';
import { IngressView } from './ingress.js';
import { clearMinted, setupMint } from './mint.js';
import { resetNewApp, setupNewApp } from './newApp.js';
import { refreshNodes } from './nodes.js';
import { PlayTokens } from './playTokens.js';
import { setupRotateSecret } from './rotateSecret.js';
import { fillSettings, setupSettings } from './settings.js';
import { setupBulk, clearBulk } from './bulk.js';

const APP_KEY = 'framehub.app';
const NODES_MS = 10_000;

let apps = [];
let current = null;
let view = null;
let nodesTimer = null;
/** Bumped when views stop, so a loop from an earlier session ends. */
let generation = 0;

function showLogin(message = '') {
  stopViews();
  clearMinted();
  clearBulk();
  resetNewApp();
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
  $('dashboard').hidden = true;
  $('session-bar').hidden = true;
  $('login').hidden = false;
  setText($('login-error'), message);
  $('login-token').value = '';
  $('login-token').focus();
  document.body.dataset.view = 'login';
}

function stopViews() {
  view?.stop();
  view = null;
  clearTimeout(nodesTimer);
  nodesTimer = null;
  generation++;
}

/** Opens the dashboard; `known`: the apps list the sign-in check just fetched. */
async function enter(known = null) {
  try {
    apps = known ?? (await api('GET', '/api/v1/apps'));
  } catch (err) {
    if (err.status !== 401) showLogin(`Could not load the apps: ${err.message}`);
    return;
  }
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('session-bar').hidden = false;
  document.body.dataset.view = 'dashboard';
  const wanted = new URLSearchParams(location.hash.slice(1)).get('app') ?? sessionStorage.getItem(APP_KEY);
  selectApp(apps.find((a) => a.name === wanted) ?? apps[0] ?? null);
  const gen = generation;
  const loop = async () => {
    await refreshNodes();
    if (gen === generation) nodesTimer = setTimeout(loop, NODES_MS);
  };
  loop();
}

/** Fills the picker from `apps` (sorted by name, like the API lists them). */
function renderPicker() {
  apps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  $('app-picker').replaceChildren(...apps.map((a) => new Option(a.name, a.name)));
}

/** Shows `app` (null: the token sees no app; only the New app form and the nodes are left). */
function selectApp(app) {
  view?.stop(); // not stopViews(): the nodes panel does not depend on the app
  view = null;
  current = app;
  renderPicker();
  clearMinted();
  clearBulk();
  setText($('ingress-error'), '');
  for (const el of document.querySelectorAll('[data-needs-app]')) el.hidden = !app;
  if (!app) {
    sessionStorage.removeItem(APP_KEY);
    history.replaceState(null, '', location.pathname);
    setText($('ingress-summary'), '');
    $('cards-empty').hidden = true;
    setText($('ingress-error'), 'This token sees no app. Create one with the New app form below (scope apps:write), POST /api/v1/apps or `framehub apps create`.');
    return;
  }
  $('app-picker').value = app.name;
  sessionStorage.setItem(APP_KEY, app.name);
  view = new IngressView(app, new PlayTokens(app.name), confirmDialog);
  view.start(); // the fleet request goes out first
  fillSettings(app);
  // Then the URL (history.replaceState can take a while on a busy machine).
  const shown = view;
  setTimeout(() => shown === view && shown.syncUrl(), 0);
}

/** A modal confirm (native <dialog>); resolves true when confirmed. */
function confirmDialog(text) {
  const dialog = $('confirm');
  setText($('confirm-text'), text);
  if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(text));
  const opener = document.activeElement;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        opener?.focus?.();
        resolve(dialog.returnValue === 'confirm');
      },
      { once: true },
    );
  });
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const token = $('login-token').value.trim();
  setText($('login-error'), '');
  let known;
  try {
    known = await api('GET', '/api/v1/apps', undefined, token);
  } catch (err) {
    const why = err.status === 401 ? 'The token was not accepted.' : err.status === 403 ? 'This token cannot list apps (it needs apps:read).' : err.message;
    setText($('login-error'), why);
    $('login-token').focus();
    $('login-token').select();
    return;
  }
  session.token = token;
  $('login-token').value = '';
  announce('Signed in.');
  await enter(known);
});

$('sign-out').addEventListener('click', () => {
  session.token = null;
  sessionStorage.removeItem(APP_KEY);
  showLogin('');
  announce('Signed out.');
});

$('app-picker').addEventListener('change', (e) => {
  const app = apps.find((a) => a.name === e.target.value);
  if (app) selectApp(app);
});

whenUnauthorized((message) => {
  session.token = null;
  showLogin(`Signed out: the API refused the token (${message}). Sign in again.`);
});

setupMint(() => current, () => view?.refresh());
setupBulk(() => current, () => view?.refresh());
setupNewApp((app) => {
  apps = [...apps.filter((a) => a.name !== app.name), app];
  selectApp(app);
});
setupDeleteApp(
  () => current,
  ({ deleted, closedCameras }) => {
    apps = apps.filter((a) => a.name !== deleted);
    selectApp(apps[0] ?? null);
    const cameras = closedCameras ? `; ${closedCameras} live camera${closedCameras === 1 ? '' : 's'} disconnected (close 4401 unknown_app)` : '; no camera was connected';
    announce(`App ${deleted} deleted${cameras}.${current ? ` Showing ${current.name}.` : ''}`);
    (current ? $('app-picker') : $('new-name')).focus();
  },
);
// After a rotation the cached play tokens are void: the view fetches new ones, keeping its cards.
setupRotateSecret(() => current, (app) => current?.name === app.name && view?.renewTokens());
setupSettings(
  () => current,
  (next) => {
    current = next;
    apps = apps.map((a) => (a.name === next.name ? next : a));
    view?.setApp(next);
  },
);

if (session.token) enter();
else showLogin();
