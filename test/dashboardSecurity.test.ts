// The dashboard's security controls in a real Chromium against the real server (issue 15):
// the "Rotate play secret" button (POST /api/v1/apps/:app/rotate-play-secret) ends viewers
// that hold old play tokens while the dashboard's own thumbnails carry on with new ones (also after
// a rotation through the API: one new app-wide token for all the refused thumbnails), a
// token without apps:write sees the API's refusal; and the dashboard cannot be framed by
// another page (X-Frame-Options / frame-ancestors) while /embed still can.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SimCamera } from '../src/camera/simulator.js';
import { closePageRig, launchBrowser } from './helpers/browser.js';
import { wsViewer } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

let srv: TestServer;
let browser: Browser;
const cameras: SimCamera[] = [];
const errors: string[] = [];
const WAIT = 20_000;

before(async () => {
  srv = await startTestServer();
  browser = await launchBrowser();
});
after(() => closePageRig({ browser, cameras, server: srv, errors }));

async function signIn(page: Page, token: string, app: string): Promise<void> {
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`http://127.0.0.1:${srv.port}/dashboard#app=${app}`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#dashboard').waitFor({ state: 'visible', timeout: WAIT });
  await waitFor(async () => (await page.locator('#app-picker').inputValue()) === app, WAIT, `app ${app} shown`);
}

test('dashboard: Rotate play secret ends viewers with old tokens; the thumbnails go on with new ones; refused without apps:write', { timeout: 90_000 }, async () => {
  assert.equal((await srv.api('POST', '/api/v1/apps', { name: 'vault', publicPlayback: false })).status, 201);
  const key = (await srv.api('POST', '/api/v1/apps/vault/ws-ingest', { room: 'door' })).body.data;
  const backKey = (await srv.api('POST', '/api/v1/apps/vault/ws-ingest', { room: 'back' })).body.data;
  const cam = new SimCamera({ url: `http://127.0.0.1:${srv.port}`, app: 'vault', room: 'door', key: key.streamKey, fps: 5, reconnectMs: 0 });
  const back = new SimCamera({ url: `http://127.0.0.1:${srv.port}`, app: 'vault', room: 'back', key: backKey.streamKey, fps: 5, reconnectMs: 0 });
  for (const c of [cam, back]) {
    c.on('error', () => {});
    cameras.push(c.start());
  }
  await waitFor(() => cam.ready && back.ready, WAIT, 'cameras ready');
  const oldToken = (await srv.api('GET', '/api/v1/apps/vault/play-token/door?ttl=600')).body.data.token;
  const viewer = wsViewer(srv.port, 'vault', 'door', oldToken);
  await viewer.waitFrames(2);

  const page = await browser.newPage();
  // Every thumbnail answer, with the room and the play token it carried; and the app-wide play-token requests.
  const thumbs: { room: string; token: string; status: number }[] = [];
  let appTokenRequests = 0;
  page.on('response', (r) => {
    const url = new URL(r.url());
    const room = /^\/live\/vault\/(door|back)\/frame\.jpg$/.exec(url.pathname)?.[1];
    if (room) thumbs.push({ room, token: url.searchParams.get('token') ?? '', status: r.status() });
  });
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/v1/apps/vault/play-token') appTokenRequests++;
  });
  /** A thumbnail of `room` requested with a token not in `old` and answered (200, or 304: the picture shown is still the frame). */
  const answeredWithNewToken = (room: string, old: Set<string>) => thumbs.some((t) => t.room === room && (t.status === 200 || t.status === 304) && !old.has(t.token));
  await signIn(page, srv.token, 'vault');
  const card = page.locator('li.card[data-room="vault-door"]');
  await card.waitFor({ timeout: WAIT });
  await waitFor(async () => Number((await card.locator('img').getAttribute('data-updates')) ?? 0) >= 1, WAIT, 'thumbnail with the app-wide play token');

  // Ask, cancel, ask again, confirm.
  await page.getByRole('button', { name: 'Rotate play secret' }).click();
  const question = page.locator('#rotate-confirm');
  assert.equal(await question.isVisible(), true);
  assert.match((await question.textContent()) ?? '', /Disconnect every viewer holding a play token of vault\?/);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  assert.equal(await question.isVisible(), false);
  assert.equal(viewer.ws.readyState, viewer.ws.OPEN, 'nothing happened on cancel');
  await page.getByRole('button', { name: 'Rotate play secret' }).click();
  const tokensBefore = new Set(thumbs.filter((t) => t.room === 'door').map((t) => t.token));
  await page.getByRole('button', { name: 'Rotate now' }).click();

  assert.deepEqual(await viewer.closed, { code: 4401, reason: 'token_revoked' });
  await waitFor(async () => /^Play secret of vault rotated at .+: old play tokens no longer work/.test((await page.locator('#rotate-done').textContent()) ?? ''), WAIT, 'rotation result on the page');
  const refused = await fetch(`http://127.0.0.1:${srv.port}/live/vault/door/frame.jpg?token=${encodeURIComponent(oldToken)}`);
  assert.equal(refused.status, 401);
  await refused.body?.cancel();
  // The page fetched a new play token: its thumbnails load again with it. The fleet view loads
  // thumbnails of cards on screen only, and clicking the button scrolled the cards away: back to them.
  await card.scrollIntoViewIfNeeded();
  await waitFor(() => answeredWithNewToken('door', tokensBefore) && answeredWithNewToken('back', tokensBefore), WAIT, `thumbnails with a new token (${JSON.stringify(thumbs)})`);
  assert.ok(tokensBefore.size >= 1 && [...tokensBefore].every((t) => t !== ''));

  // Rotated elsewhere (the API): the next thumbnails are refused (401); the page fetches ONE new
  // app-wide token (not one per refused card) and the thumbnails go on with it.
  const tokensBeforeApi = new Set(thumbs.map((t) => t.token));
  const appTokenRequestsBefore = appTokenRequests;
  const seenBefore = thumbs.length;
  assert.equal((await srv.api('POST', '/api/v1/apps/vault/rotate-play-secret')).status, 200);
  await waitFor(() => thumbs.slice(seenBefore).some((t) => t.status === 401), WAIT, 'a thumbnail refused with the void token');
  await waitFor(() => answeredWithNewToken('door', tokensBeforeApi) && answeredWithNewToken('back', tokensBeforeApi), WAIT, `thumbnails with a new token after the API rotation (${JSON.stringify(thumbs)})`);
  assert.equal(appTokenRequests - appTokenRequestsBefore, 1, 'one app-wide play-token request for the refused thumbnails');
  assert.ok(thumbs.every((t) => t.status !== 401 || tokensBeforeApi.has(t.token)), 'only void tokens refused');

  // Without apps:write the button shows the API's refusal.
  const reader = (await srv.api('POST', '/api/v1/tokens', { name: 'reader', scopes: ['apps:read', 'ingress:read', 'streams:read'] })).body.data.token;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, reader, 'vault');
  await page.getByRole('button', { name: 'Rotate play secret' }).click();
  await page.getByRole('button', { name: 'Rotate now' }).click();
  await waitFor(async () => /^Not rotated: .*apps:write/.test((await page.locator('#rotate-error').textContent()) ?? ''), WAIT, 'refusal shown');
  await page.close();
});

test('the dashboard refuses to be framed (X-Frame-Options, frame-ancestors); the embed page can be', { timeout: 60_000 }, async () => {
  const base = `http://127.0.0.1:${srv.port}`;
  const dash = await fetch(`${base}/dashboard`);
  assert.equal(dash.headers.get('x-frame-options'), 'DENY');
  assert.equal(dash.headers.get('content-security-policy'), "frame-ancestors 'none'");
  await dash.body?.cancel();
  const embed = await fetch(`${base}/embed/live/cam1`);
  assert.equal(embed.status, 200);
  assert.equal(embed.headers.get('x-frame-options'), null);
  assert.equal(embed.headers.get('content-security-policy'), null);
  await embed.body?.cancel();

  // Another origin (localhost vs 127.0.0.1) frames both: Chromium blocks the dashboard only.
  const page = await browser.newPage();
  await page.goto(`http://localhost:${srv.port}/healthz`);
  await page.setContent(`<iframe id="d" src="${base}/dashboard"></iframe><iframe id="e" src="${base}/embed/live/cam1"></iframe>`);
  const frameText = async (id: string) => {
    const handle = await page.locator(`#${id}`).elementHandle();
    const frame = await handle!.contentFrame();
    return frame ? { url: frame.url(), hasLogin: (await frame.locator('#login-form').count()) > 0, body: ((await frame.locator('body').textContent().catch(() => '')) ?? '').slice(0, 80) } : null;
  };
  await waitFor(async () => (await frameText('e'))?.url.includes('/embed/live/cam1'), WAIT, 'embed page framed');
  await new Promise((r) => setTimeout(r, 500));
  const framed = await frameText('d');
  assert.equal(framed?.hasLogin, false, `the dashboard must not render inside a frame: ${JSON.stringify(framed)}`);
  await page.close();
});
