// framehub operator dashboard: sign-in with an API token (sessionStorage, this tab only),
// app picker, Ingress view, key minting, app settings and cluster nodes. All data comes
// from the control API; this page is static.
import { api, session, whenUnauthorized } from './api.js';
import { $, announce, setText } from './dom.js';
import { IngressView } from './ingress.js';
import { clearMinted, setupMint } from './mint.js';
import { refreshNodes } from './nodes.js';
import { PlayTokens } from './playTokens.js';
import { fillSettings, setupSettings } from './settings.js';

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

async function enter() {
  try {
    apps = await api('GET', '/api/v1/apps');
  } catch (err) {
    if (err.status !== 401) showLogin(`Could not load the apps: ${err.message}`);
    return;
  }
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('session-bar').hidden = false;
  document.body.dataset.view = 'dashboard';
  const picker = $('app-picker');
  picker.replaceChildren(...apps.map((a) => new Option(a.name, a.name)));
  const wanted = new URLSearchParams(location.hash.slice(1)).get('app') ?? sessionStorage.getItem(APP_KEY);
  const app = apps.find((a) => a.name === wanted) ?? apps[0];
  if (!app) {
    setText($('ingress-error'), 'This token sees no app. Create one with POST /api/v1/apps or `framehub apps create`.');
    return;
  }
  picker.value = app.name;
  selectApp(app);
  const gen = generation;
  const loop = async () => {
    await refreshNodes();
    if (gen === generation) nodesTimer = setTimeout(loop, NODES_MS);
  };
  loop();
}

function selectApp(app) {
  view?.stop(); // not stopViews(): the nodes panel does not depend on the app
  current = app;
  sessionStorage.setItem(APP_KEY, app.name);
  history.replaceState(null, '', `#app=${encodeURIComponent(app.name)}`);
  fillSettings(app);
  clearMinted();
  setText($('ingress-error'), '');
  view = new IngressView(app, new PlayTokens(app.name), confirmDialog);
  view.start();
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
  try {
    await api('GET', '/api/v1/apps', undefined, token);
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
  await enter();
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
