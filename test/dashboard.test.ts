// The operator dashboard in a real Chromium against the real server: sign-in (a wrong
// token refused), minting a key in the page, a simulated camera streaming with it (card
// live with fps, RSSI, heap; thumbnail loads, updates and is revalidated with 304s),
// revoking in the page (4401 at the camera, card offline with its last close), an app
// setting changed through the form (API validation shown, then saved), the session
// surviving a reload and sign-out clearing it. Then, on a phone-sized page, an app created
// with the New app form (invalid, taken and unauthorized names refused with the API's
// message) and deleted through the type-the-name dialog, its live camera closed by the server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page, Response } from 'playwright-core';
import { SimCamera } from '../src/camera/simulator.js';
import { defaultApp } from '../src/keys.js';
import { closePageRig, launchBrowser } from './helpers/browser.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

let srv: TestServer;
let browser: Browser;
const cameras: SimCamera[] = [];

before(async () => {
  // A long reconnect grace keeps a revoked room listed (away) for a while even under load.
  srv = await startTestServer({ reconnectGraceSec: 30 });
  browser = await launchBrowser();
});

after(() => closePageRig({ browser, cameras, server: srv }));

const WAIT = 20_000;

/** Polls a page-derived value until `ok` accepts it. */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = WAIT): Promise<T> {
  let last: T | undefined;
  await waitFor(async () => ok((last = await read())), timeoutMs, `${what} (last: ${JSON.stringify(last)})`);
  return last as T;
}

function camera(room: string, key: string, opts: { fps: number; identity?: string; app?: string }): SimCamera {
  const cam = new SimCamera({ url: `http://127.0.0.1:${srv.port}`, app: opts.app ?? 'live', room, key, fps: opts.fps, identity: opts.identity, statsIntervalMs: 1000, reconnectMs: 0 });
  cam.on('error', () => {}); // the `{"type":"error"}` before a close; the close code is asserted
  cameras.push(cam);
  return cam.start();
}

test('dashboard: sign in, mint, live card with stats and revalidated thumbnail, revoke, settings, session', { timeout: 90_000 }, async () => {
  const page: Page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const frameStatuses = new Map<string, number[]>();
  const tokenFrames: number[] = [];
  page.on('response', (res: Response) => {
    const m = /\/live\/live\/([^/]+)\/frame\.jpg/.exec(res.url());
    if (!m) return;
    const list = frameStatuses.get(m[1]!) ?? [];
    list.push(res.status());
    frameStatuses.set(m[1]!, list);
    if (res.url().includes('?token=')) tokenFrames.push(res.status());
  });
  const base = `http://127.0.0.1:${srv.port}`;
  await page.goto(`${base}/dashboard`);

  // Sign-in: a wrong token is refused with a message, the admin token opens the dashboard.
  await page.getByLabel('API token').fill('fht_wrong-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await until(() => page.locator('#login-error').textContent(), (t) => /not accepted/.test(t ?? ''), 'error for a wrong token');
  assert.equal(await page.locator('#dashboard').isHidden(), true);
  await page.getByLabel('API token').fill(srv.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#dashboard').waitFor({ state: 'visible', timeout: WAIT });
  assert.equal(await page.locator('#app-picker').inputValue(), 'live');
  assert.equal(await page.evaluate('sessionStorage.getItem("framehub.token")'), srv.token);

  // Mint a key in the page; the key and a config.h for the firmware are shown once.
  await page.getByLabel('Room').fill('door1');
  await page.getByLabel(/^Identity/).fill('esp32-door1');
  await page.getByRole('button', { name: 'Mint key' }).click();
  await page.locator('#mint-result').waitFor({ state: 'visible', timeout: WAIT });
  const streamKey = await page.locator('#mint-streamKey').inputValue();
  assert.match(streamKey, /^wsk_/);
  assert.match(await page.locator('#mint-wsUrl').inputValue(), /^ws:\/\/.+\/ingest\/ws$/);
  assert.match(await page.locator('#mint-playerUrl').inputValue(), /\/play\/live\/door1$/);
  const config = await page.locator('#mint-config').inputValue();
  assert.ok(config.includes(`#define FRAMEHUB_STREAM_KEY "${streamKey}"`), config);
  assert.ok(config.includes('#define FRAMEHUB_APP "live"') && config.includes('#define FRAMEHUB_ROOM "door1"'));
  assert.ok(config.includes(`#define FRAMEHUB_PORT ${srv.port}`) && config.includes('#define FRAMEHUB_USE_TLS 0'));
  assert.match(config, /#define FRAMEHUB_HOST "[^"]+"/);
  assert.match(config, /#define WIFI_SSID "your-wifi"/);

  const card = page.locator('li.card[data-room="live-door1"]');
  await card.waitFor({ timeout: WAIT });
  // Cards are refreshed (and load thumbnails) while on screen: the page scrolled to the minted key.
  await card.scrollIntoViewIfNeeded();
  assert.equal(await card.getAttribute('data-state'), 'offline', 'no camera yet');

  // A camera streams with the key read from the page; a slow one (a frame every 5 s) shows revalidation.
  const cam = camera('door1', streamKey, { fps: 8, identity: 'esp32-door1' });
  const slowKey = await srv.mintKey('slow1');
  camera('slow1', slowKey.streamKey, { fps: 0.2 });

  await until(() => card.getAttribute('data-state'), (s) => s === 'live', 'card live');
  await until(() => card.getAttribute('data-fps'), (f) => Number(f) > 0, 'measured fps on the card');
  await until(() => card.locator('[data-field=rssi]').textContent(), (t) => /^-\d+ dBm$/.test(t ?? ''), 'RSSI from stats');
  await until(() => card.locator('[data-field=heap]').textContent(), (t) => /KiB$/.test(t ?? ''), 'free heap from stats');
  assert.equal(await card.locator('[data-field=identity]').textContent(), 'esp32-door1');
  assert.match((await card.locator('[data-field=viewers]').textContent()) ?? '', /^\d+ \(MJPEG/);
  assert.equal(await card.getByRole('link', { name: /Open the player/ }).getAttribute('href'), '/play/live/door1');

  const img = card.locator('img');
  await until(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), (w) => w > 0, 'thumbnail decoded');
  const firstUpdates = Number(await img.getAttribute('data-updates'));
  await until(async () => Number(await img.getAttribute('data-updates')), (n) => n >= firstUpdates + 2, 'thumbnail updated');
  await until(async () => frameStatuses.get('slow1') ?? [], (s) => s.includes(304) && s.includes(200), 'a 304 revalidation on the slow camera');

  // Revoke in the page, through the confirm dialog: the camera gets 4401, the card goes offline with it.
  const closed = new Promise<number>((resolve) => cam.once('close', (code) => resolve(code)));
  await card.getByRole('button', { name: /^Revoke key wsi_/ }).click();
  const dialog = page.locator('dialog#confirm');
  await dialog.waitFor({ state: 'visible', timeout: WAIT });
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  assert.equal(await closed, 4401);
  await until(() => card.getAttribute('data-state'), (s) => s === 'offline', 'card offline after revoke');
  await until(() => card.getAttribute('data-last-close'), (c) => c === '4401', 'last close 4401 on the card');
  assert.match((await card.locator('[data-field=lastClose]').textContent()) ?? '', /^4401 key_revoked/);
  const keys = (await srv.api('GET', '/api/v1/apps/live/ws-ingest')).body.data;
  assert.equal(keys.some((k: { room: string }) => k.room === 'live-door1'), false, 'the key is gone');

  // App settings: the API's validation error shows next to the field, then a good value is saved.
  const settings = page.locator('#settings-form'); // the New app form has the same fields
  await settings.getByLabel(/^Max fps/).fill('500');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await until(() => page.locator('#set-maxFps-error').textContent(), (t) => /<= 120/.test(t ?? ''), 'validation error next to maxFps');
  assert.equal(await settings.getByLabel(/^Max fps/).getAttribute('aria-invalid'), 'true');
  await settings.getByLabel(/^Max fps/).fill('6');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await until(() => page.locator('#settings-saved').textContent(), (t) => /Saved/.test(t ?? ''), 'saved');
  assert.equal((await srv.api('GET', '/api/v1/apps/live')).body.data.maxFps, 6);
  assert.equal(await page.locator('#set-maxFps-error').textContent(), '');

  // Private playback: thumbnails go on with an app-wide play token, player links carry a room token.
  await settings.getByLabel(/^Public playback/).uncheck();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await until(async () => (await srv.api('GET', '/api/v1/apps/live')).body.data.publicPlayback, (p) => p === false, 'publicPlayback off');
  await until(async () => tokenFrames, (s) => s.includes(200), 'a thumbnail fetched with a play token');
  const slowCard = page.locator('li.card[data-room="live-slow1"]');
  await slowCard.scrollIntoViewIfNeeded(); // room tokens are fetched for cards on screen
  await until(() => slowCard.getByRole('link', { name: /Open the player/ }).getAttribute('href'), (h) => /^\/play\/live\/slow1\?token=/.test(h ?? ''), 'player link with a token');

  // Cluster panel: a single node lists itself.
  await until(() => page.locator('#nodes tbody').textContent(), (t) => /this node/.test(t ?? ''), 'this node in the nodes panel');

  // The session survives a reload; sign-out clears it.
  await page.reload();
  await page.locator('#dashboard').waitFor({ state: 'visible', timeout: WAIT });
  await page.locator('li.card[data-room="live-slow1"]').waitFor({ timeout: WAIT });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#login').waitFor({ state: 'visible', timeout: WAIT });
  assert.equal(await page.evaluate('sessionStorage.getItem("framehub.token")'), null);
  assert.equal(await page.locator('#cards li').count(), 0, 'no camera data left on the page');
  await page.reload();
  await page.locator('#login').waitFor({ state: 'visible', timeout: WAIT });
  assert.equal(await page.locator('#dashboard').isHidden(), true);

  assert.deepEqual(pageErrors, []);
  const statuses = [...frameStatuses.values()].flat();
  console.log(`frame.jpg responses: ${statuses.length} (${statuses.filter((s) => s === 304).length} x 304)`);
  await page.close();
});

/** Signs in on the dashboard's form with `token`. */
async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#dashboard').waitFor({ state: 'visible', timeout: WAIT });
}

test('dashboard: create an app from the form, errors from the API, delete it with its live camera', { timeout: 60_000 }, async () => {
  const page: Page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`http://127.0.0.1:${srv.port}/dashboard`);
  await signIn(page, srv.token);
  const form = page.locator('#new-app-form');
  const createError = page.locator('#new-app-error');

  // The settings start at the API's defaults (src/keys.ts), so an untouched form sends none.
  await form.locator('summary').click();
  const nullable = async (label: RegExp) => ((await form.getByLabel(label).inputValue()) === '' ? null : Number(await form.getByLabel(label).inputValue()));
  const shown = {
    wsIngest: await form.getByLabel(/^WS ingest/).isChecked(),
    publicPlayback: await form.getByLabel(/^Public playback/).isChecked(),
    maxCameras: Number(await form.getByLabel(/^Max cameras/).inputValue()),
    maxFps: await nullable(/^Max fps/),
    maxFrameBytes: await nullable(/^Max frame bytes/),
    idleTimeoutSec: await nullable(/^Idle timeout/),
  };
  const { wsIngest, publicPlayback, maxCameras, maxFps, maxFrameBytes, idleTimeoutSec } = defaultApp('x');
  assert.deepEqual(shown, { wsIngest, publicPlayback, maxCameras, maxFps, maxFrameBytes, idleTimeoutSec });

  // An invalid name: the API's 400 by the button and next to the field.
  await form.getByLabel('Name').fill('Yard-1');
  await form.getByRole('button', { name: 'Create app' }).click();
  await until(() => createError.textContent(), (t) => /^Not created: name: 1-32 characters/.test(t ?? ''), 'invalid name refused');
  assert.equal(await form.getByLabel('Name').getAttribute('aria-invalid'), 'true');
  assert.match((await page.locator('#new-name-error').textContent()) ?? '', /^1-32 characters/);

  // Created with one setting changed: selected at once, with its (empty) card list.
  await form.getByLabel('Name').fill('yard');
  await form.getByLabel(/^Max fps/).fill('10');
  await form.getByRole('button', { name: 'Create app' }).click();
  await until(() => page.locator('#app-picker').inputValue(), (v) => v === 'yard', 'new app selected');
  assert.equal(await createError.textContent(), '');
  assert.equal(await form.getByLabel('Name').inputValue(), '', 'form reset after creation');
  assert.equal(await page.locator('#settings-form').getByLabel(/^Max fps/).inputValue(), '10');
  await until(() => page.locator('#ingress-summary').textContent(), (t) => t === '0 rooms, 0 live', 'empty card list');
  assert.equal(await page.locator('#cards-empty').isVisible(), true);
  assert.equal(await page.locator('#cards li').count(), 0);
  const created = (await srv.api('GET', '/api/v1/apps/yard')).body.data;
  assert.equal(created.maxFps, 10);
  assert.equal(created.wsIngest, true);

  // The same name again: 409 from the API, the selection stays.
  await form.getByLabel('Name').fill('yard');
  await form.getByRole('button', { name: 'Create app' }).click();
  await until(() => createError.textContent(), (t) => t === 'Not created: app yard exists', 'duplicate name refused');
  assert.equal(await page.locator('#app-picker').inputValue(), 'yard');

  // A key minted in the new app, a camera streaming with it.
  await page.getByLabel('Room').fill('gate');
  await page.getByRole('button', { name: 'Mint key' }).click();
  await page.locator('#mint-result').waitFor({ state: 'visible', timeout: WAIT });
  assert.match(await page.locator('#mint-playerUrl').inputValue(), /\/play\/yard\/gate$/);
  const cam = camera('gate', await page.locator('#mint-streamKey').inputValue(), { fps: 5, app: 'yard' });
  await waitFor(() => cam.ready, WAIT, 'camera admitted in the new app');
  await page.locator('li.card[data-room="yard-gate"]').waitFor({ timeout: WAIT });

  // Delete through the dialog, by keyboard: Enter does nothing until the name is typed in full.
  const closed = new Promise<[number, string]>((resolve) => cam.once('close', (code, reason) => resolve([code, reason])));
  await page.getByRole('button', { name: 'Delete app', exact: true }).click();
  const dialog = page.locator('dialog#delete-app');
  await dialog.waitFor({ state: 'visible', timeout: WAIT });
  const confirm = dialog.getByRole('button', { name: 'Delete this app' });
  assert.equal(await confirm.isDisabled(), true);
  await page.keyboard.type('yar'); // the dialog puts the focus in its name field
  await page.keyboard.press('Enter');
  assert.equal(await dialog.isVisible(), true, 'not deleted with a partial name');
  assert.equal(await confirm.isDisabled(), true);
  await page.keyboard.type('d');
  assert.equal(await confirm.isEnabled(), true);
  await page.keyboard.press('Enter');
  const [code, reason] = await closed;
  assert.equal(code, 4401);
  assert.match(reason, /unknown_app/);
  await dialog.waitFor({ state: 'hidden', timeout: WAIT });
  await until(() => page.locator('#status').textContent(), (t) => /^App yard deleted; 1 live camera disconnected \(close 4401 unknown_app\)\. Showing live\.$/.test(t ?? ''), 'delete result on the page');
  assert.equal(await page.locator('#app-picker').inputValue(), 'live');
  assert.deepEqual(await page.locator('#app-picker option').allTextContents(), ['live']);
  const apps = (await srv.api('GET', '/api/v1/apps')).body.data as { name: string }[];
  assert.deepEqual(apps.map((a) => a.name), ['live']);

  // A token without apps:write sees the forms, and the API's 403 in them.
  const reader = (await srv.api('POST', '/api/v1/tokens', { name: 'reader', scopes: ['apps:read', 'ingress:read', 'streams:read'] })).body.data.token;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, reader);
  await form.getByLabel('Name').fill('other');
  await form.getByRole('button', { name: 'Create app' }).click();
  await until(() => createError.textContent(), (t) => t === 'Not created: this token lacks the scope apps:write', '403 by the New app form');
  await page.getByRole('button', { name: 'Delete app', exact: true }).click();
  await page.keyboard.type('live');
  await page.keyboard.press('Enter');
  await until(() => page.locator('#delete-app-error').textContent(), (t) => t === 'Not deleted: this token lacks the scope apps:write', '403 in the delete dialog');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden', timeout: WAIT });

  // One column on a phone: nothing wider than the screen (innerWidth would grow with the page here).
  assert.equal(await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth'), true);
  assert.deepEqual(pageErrors, []);
  await page.close();
});
