// The camera wall page in real Chromium: 60 simulated cameras through ONE WebSocket (no
// MJPEG), only on-screen tiles subscribed (client and server side), a tile opened large
// at full rate with Enter and closed with Escape; the public room list and its access rule.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SimCamera } from '../src/camera/simulator.js';
import { closePageRig, launchBrowser } from './helpers/browser.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { sleep, waitFor } from './helpers/wait.js';

const ROOMS = Array.from({ length: 60 }, (_, i) => `w${i}`);

interface WallHook { tiles: number; tilesWithFrames: number; sockets: number; status: string; subscribed: string[]; fps: number; focused: string | null; frames: number }

const hook = (page: Page): Promise<WallHook> => page.evaluate(() => {
  const h = (globalThis as any).framehubWall;
  return { tiles: h.tiles, tilesWithFrames: h.tilesWithFrames, sockets: h.sockets, status: h.status, subscribed: h.subscribed, fps: h.fps, focused: h.focused, frames: h.frames };
});
const framesFor = (page: Page, room: string): Promise<number> => page.evaluate((r) => (globalThis as any).framehubWall.framesFor(r), room);

/**
 * Full room names of the tiles that intersect the viewport shrunk by `inset` px (negative:
 * grown), as the page lays them out. The inset keeps edge-touching tiles out of the check.
 */
const onScreen = (page: Page, inset: number): Promise<string[]> => page.evaluate((m) => {
  const doc = (globalThis as any).document;
  const h = (globalThis as any).innerHeight;
  const w = (globalThis as any).innerWidth;
  return [...doc.querySelectorAll('.tile')].filter((el: any) => {
    const r = el.getBoundingClientRect();
    return r.bottom > m && r.top < h - m && r.right > m && r.left < w - m;
  }).map((el: any) => el.dataset.room as string);
}, inset);

describe('camera wall page', () => {
  let srv: TestServer;
  let browser: Browser;
  let base: string;
  const cams: SimCamera[] = [];
  const errors: string[] = [];

  const wallViewers = async (): Promise<Map<string, number>> => {
    const r = await srv.api('GET', '/api/v1/apps/live/streams');
    return new Map(r.body.data.map((s: any) => [s.room, s.viewers.wall]));
  };

  before(async () => {
    srv = await startTestServer();
    base = `http://127.0.0.1:${srv.port}`;
    const keys = await Promise.all(ROOMS.map((room) => srv.mintKey(room)));
    for (const [i, key] of keys.entries()) {
      cams.push(new SimCamera({ url: base, app: 'live', room: ROOMS[i]!, key: key.streamKey, fps: 4, reconnectMs: 0, statsIntervalMs: 3_600_000 }).start());
    }
    await waitFor(() => cams.every((c) => c.ready), 15_000, '60 cameras ready');
    browser = await launchBrowser();
  });
  after(() => closePageRig({ browser, cameras: cams, server: srv, errors }));

  test('the room list: public for public apps, an app-wide play token otherwise', async () => {
    const list = await (await fetch(`${base}/live/live/rooms.json`)).json() as any;
    assert.equal(list.data.rooms.length, 60);
    assert.deepEqual(list.data.rooms.slice(0, 3).map((r: any) => r.name), ['w0', 'w1', 'w2'], 'natural order');
    assert.deepEqual(Object.keys(list.data.rooms[0]).sort(), ['name', 'room', 'startedAt', 'state']);
    assert.equal((await srv.api('POST', '/api/v1/apps', { name: 'vault', publicPlayback: false })).status, 201);
    assert.equal((await fetch(`${base}/live/vault/rooms.json`)).status, 401);
    assert.equal((await fetch(`${base}/wall/vault`)).status, 401);
    const roomToken = (await srv.api('GET', '/api/v1/apps/vault/play-token/door')).body.data.token;
    assert.equal((await fetch(`${base}/live/vault/rooms.json?token=${encodeURIComponent(roomToken)}`)).status, 403);
    const appToken = (await srv.api('GET', '/api/v1/apps/vault/play-token')).body.data.token;
    const ok = await fetch(`${base}/live/vault/rooms.json?token=${encodeURIComponent(appToken)}`);
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as any).data.rooms, []);
    assert.equal((await fetch(`${base}/wall/vault?token=${encodeURIComponent(appToken)}`)).status, 200);
    assert.equal((await fetch(`${base}/live/nosuchapp/rooms.json`)).status, 404);
  });

  test('60 live tiles through one WebSocket; off-screen tiles unsubscribed; focus at full rate', async (t) => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1400 } });
    page.on('pageerror', (e) => errors.push(String(e)));
    const sockets: string[] = [];
    const mjpeg: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    page.on('request', (r) => {
      if (r.url().includes('/mjpeg')) mjpeg.push(r.url());
    });
    const started = Date.now();
    assert.equal((await page.goto(`${base}/wall/live`))?.status(), 200);
    let seen: WallHook | null = null;
    const all = await waitFor(async () => {
      const h = await hook(page).catch(() => null);
      seen = h ?? seen;
      return h && h.tilesWithFrames >= 60 ? h : null;
    }, 30_000, 'a frame on every tile').catch(async (e: Error) => {
      // Say what was missing: tiles, subscriptions, the socket, and the server's view.
      const missing = await page.evaluate((rooms) => rooms.filter((r) => !((globalThis as any).framehubWall.framesFor(r) > 0)), ROOMS.map((r) => `live-${r}`)).catch(() => []);
      const server = await wallViewers().catch(() => new Map());
      throw new Error(`${e.message}: page ${JSON.stringify({ ...(seen ?? {}), subscribed: (seen as WallHook | null)?.subscribed.length })}, no frame on ${JSON.stringify(missing)}, server wall viewers ${JSON.stringify(missing.map((r) => [r, server.get(r)]))}, streams ${server.size}`);
    });
    const allAfter = Date.now() - started;
    assert.equal(all.tiles, 60);
    assert.equal(all.subscribed.length, 60, 'every tile is on screen in a tall window');
    assert.equal((await page.locator('.tile .badge[data-state="live"]').count()), 60);

    // A small window: only the tiles on screen stay subscribed, on the client and the server.
    await page.setViewportSize({ width: 700, height: 500 });
    const small = await waitFor(async () => {
      const [h, inner, outer] = [await hook(page), await onScreen(page, 2), await onScreen(page, -2)];
      const subscribed = new Set(h.subscribed);
      const matches = inner.every((r) => subscribed.has(r)) && h.subscribed.every((r) => outer.includes(r));
      return h.subscribed.length > 0 && h.subscribed.length < 60 && matches ? h : null;
    }, 5000, 'subscribed set = tiles on screen');
    await waitFor(async () => {
      const v = await wallViewers();
      return [...v].every(([room, n]) => n === (small.subscribed.includes(room) ? 1 : 0));
    }, 5000, 'server: wall viewers only for on-screen tiles');
    const last = 'live-w59';
    assert.ok(!small.subscribed.includes(last));
    const before = await framesFor(page, last);
    await sleep(2500);
    assert.equal(await framesFor(page, last), before, 'an off-screen tile gets no frames');
    await page.locator(`.tile[data-room="${last}"]`).scrollIntoViewIfNeeded();
    await waitFor(async () => (await hook(page)).subscribed.includes(last) && (await framesFor(page, last)) > before, 5000, 'the scrolled-to tile subscribed and playing');

    // Open a tile large with the keyboard: full rate for it, 1 fps for the others.
    const tile = page.locator(`.tile[data-room="${last}"]`);
    await tile.focus();
    await page.keyboard.press('Enter');
    await waitFor(async () => (await hook(page)).focused === last && (await page.locator('#focus').evaluate((d: any) => d.open)), 3000, 'large view open');
    const other = (await hook(page)).subscribed.find((r) => r !== last)!;
    const [f0, o0] = [await framesFor(page, last), await framesFor(page, other)];
    await sleep(4000);
    const [focusedFrames, otherFrames] = [(await framesFor(page, last)) - f0, (await framesFor(page, other)) - o0];
    assert.ok(focusedFrames > otherFrames, `focused tile ${focusedFrames} frames in 4 s, another tile ${otherFrames}`);
    assert.ok(await page.locator('#focus-img').evaluate((img: any) => img.naturalWidth > 0), 'large picture shown');
    await page.keyboard.press('Escape');
    await waitFor(async () => (await hook(page)).focused === null, 3000, 'large view closed');
    assert.equal(await page.locator('#focus').evaluate((d: any) => d.open), false);
    assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.dataset?.room), last, 'focus back on the tile');

    // The rate control re-subscribes at the new rate.
    await page.selectOption('#rate', '5');
    await waitFor(async () => (await hook(page)).fps === 5, 3000, 'rate 5');
    assert.match(await page.locator('#summary').textContent() ?? '', /at 5 fps/);

    const line = `wall: 60/60 tiles with frames ${allAfter} ms after page load; ${sockets.length} WebSocket(s), ${mjpeg.length} MJPEG requests; small window ${small.subscribed.length}/60 subscribed; focused tile ${focusedFrames} vs ${otherFrames} frames in 4 s (camera 4 fps, wall 1 fps)`;
    t.diagnostic(line);
    console.log(line);
    assert.deepEqual(sockets.map((u) => new URL(u).pathname), ['/live/wall'], 'exactly one WebSocket, the wall feed');
    assert.equal(mjpeg.length, 0, 'no MJPEG connections');
    assert.equal((await hook(page)).sockets, 1);
    await page.close();
  });
});
