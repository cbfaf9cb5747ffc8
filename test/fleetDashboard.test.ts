// The dashboard's fleet view at the size operators run: 600 camera keys on one node, 540
// cameras live (real WebSocket connections from SimCameras at 0.5 fps, some reporting weak
// signal or low heap), 20 gone offline, 40 never seen; Chromium at 1440x900 signed in as
// admin. The budgets of issue 16 are asserted as behaviour of the page:
//   - usable within 2 s of sign-in: every camera is in the page (a row per room) and the
//     search finds any of them;
//   - the page's own traffic (CDP Network events: requests and encoded bytes) averaged over
//     10 s in steady state is <= 60 requests/s and <= 1 MB/s, in the table and in the cards
//     view (thumbnails for the cards on screen only);
//   - no long task over 100 ms in steady state (PerformanceObserver 'longtask' in the page).
// The request and byte budgets are asserted as they are. The two time budgets are for a
// machine that is not running other work: when the 1-minute load average is above the
// number of cores (other test runs on a shared machine), they are scaled by load / cores,
// and the figures say so (on CI the factor is 1). The measured figures are printed (and
// reported in docs/web-dashboard.md). A second test
// provisions cameras from the dashboard's bulk panel: the keys CSV and the config.h zip are
// downloaded, and a key read from a downloaded config.h connects a camera.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { unzipSync, strFromU8 } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { KEY_COLUMNS } from '../src/provisioning/csv.js';
import { closePageRig, launchBrowser } from './helpers/browser.js';
import { rawCamera } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { sleep, waitFor } from './helpers/wait.js';

const KEYS = 600;
const LIVE = 540;
const OFFLINE = 20; // then 40 never seen
const WINDOW_MS = 10_000;
const BUDGET = { usableMs: 2000, requestsPerSec: 60, bytesPerSec: 1_000_000, longTaskMs: 100 };

const FLEET_SCRIPT = path.join(import.meta.dirname, 'fixtures/cameraFleet.js');

let srv: TestServer;
let browser: Browser;
const cameras: { stop(): Promise<void> }[] = [];
const errors: string[] = [];

before(async () => {
  srv = await startTestServer({ reconnectGraceSec: 2 });
  browser = await launchBrowser();
});
after(() => closePageRig({ browser, cameras, server: srv, errors }));

const room = (i: number): string => `cam${String(i).padStart(3, '0')}`;

/** Counts the page's requests and bytes (CDP), and collects long tasks in the page. */
async function instrument(page: Page) {
  await page.addInitScript(
    'window.__longTasks = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: "longtask", buffered: true });' +
      // The sign-in moment, taken in the page (the form's submit event).
      'addEventListener("submit", (e) => { if (e.target.id === "login-form") window.__signInAt = performance.now(); }, true);',
  );
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const net = { requests: 0, bytes: 0 };
  cdp.on('Network.requestWillBeSent', () => net.requests++);
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => (net.bytes += e.encodedDataLength));
  /** Traffic and long tasks over the next `ms`. */
  const measure = async (ms: number) => {
    const start = { ...net, at: Date.now(), pageAt: (await page.evaluate('performance.now()')) as number };
    await sleep(ms);
    const secs = (Date.now() - start.at) / 1000;
    const tasks = ((await page.evaluate('window.__longTasks')) as { start: number; duration: number }[]).filter((t) => t.start >= start.pageAt);
    return {
      requestsPerSec: (net.requests - start.requests) / secs,
      bytesPerSec: (net.bytes - start.bytes) / secs,
      longestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)),
      longTasks: tasks.length,
    };
  };
  return { net, measure };
}

test('fleet view with 600 cameras: usable within 2 s, <= 60 req/s and <= 1 MB/s, no long task over 100 ms', { timeout: 180_000 }, async () => {
  const minted = await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk', { cameras: Array.from({ length: KEYS }, (_, i) => ({ room: room(i), identity: `esp32-${room(i)}` })) });
  assert.equal(minted.status, 201);
  const keys: { name: string; streamKey: string }[] = minted.body.data.keys;
  // 20 cameras that came and went (offline), then 540 live ones.
  for (let i = LIVE; i < LIVE + OFFLINE; i++) {
    const c = rawCamera(srv.port, { room: room(i), key: keys[i]!.streamKey });
    await c.ready;
    c.ws.close(1000);
    await c.closed;
  }
  // 540 live cameras (0.5 fps; every 18th reports a weak signal, every 27th low heap), driven
  // from a process of their own.
  const spec = path.join(tmpdir(), `framehub-fleet-${process.pid}.json`);
  writeFileSync(spec, JSON.stringify({
    url: `http://127.0.0.1:${srv.port}`, app: 'live', fps: 0.5,
    cameras: Array.from({ length: LIVE }, (_, i) => ({ room: room(i), key: keys[i]!.streamKey, identity: `esp32-${room(i)}`, rssi: i % 18 === 0 ? -84 : -58, heapFree: i % 27 === 0 ? 14_000 : 41_000 })),
  }));
  const fleet = spawn(process.execPath, [FLEET_SCRIPT, spec], { stdio: ['pipe', 'pipe', 'inherit'] });
  cameras.push({ stop: () => new Promise<void>((resolve) => (fleet.exitCode !== null ? resolve() : (fleet.once('exit', () => resolve()), fleet.stdin!.end()))) });
  let readyCount = 0;
  fleet.stdout!.on('data', (d: Buffer) => {
    const m = /ready (\d+)\s*$/.exec(d.toString());
    if (m) readyCount = Number(m[1]);
  });
  await waitFor(() => readyCount === LIVE, 60_000, `${LIVE} cameras ready`);
  rmSync(spec, { force: true });
  const summary = await waitFor(async () => {
    const d = (await srv.api('GET', '/api/v1/apps/live/fleet')).body.data.summary;
    return d.live === LIVE && d.offline === OFFLINE && d.weakSignal === 30 && d.lowHeap === 20 ? d : null;
  }, 30_000, 'fleet summary with every camera and its stats');
  assert.equal(summary.never, KEYS - LIVE - OFFLINE);

  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (err) => errors.push(err.message));
  const { measure } = await instrument(page);
  await page.goto(`http://127.0.0.1:${srv.port}/dashboard`);
  await page.getByLabel('API token').fill(srv.token);

  // Usable: from the sign-in (the form's submit, in the page) until every room is on the page
  // (the table: over 48 rooms), timed in the page.
  await page.getByRole('button', { name: 'Sign in' }).click();
  const usableMs = Math.round(
    (await (
      await page.waitForFunction(
        (n) => {
          const w = globalThis as any;
          return w.document.querySelectorAll('#fleet-rows [role=row][data-room]').length === n && w.performance.now() - w.__signInAt;
        },
        KEYS,
        { timeout: 20_000, polling: 'raf' },
      )
    ).jsonValue()) as number,
  );
  // Where the time went, from the page's resource timing (relative to the sign-in).
  const phases = (await page.evaluate(`(() => {
    const t0 = window.__signInAt;
    const at = (re) => performance.getEntriesByType('resource').filter((e) => re.test(e.name) && e.startTime >= t0).map((e) => [Math.round(e.startTime - t0), Math.round(e.responseEnd - t0)])[0];
    return { apps: at(/api\\/v1\\/apps$/), fleet: at(/\\/fleet$/) };
  })()`)) as { apps: number[]; fleet: number[] };
  assert.equal(await page.locator('[data-count=live]').textContent(), String(LIVE));
  assert.equal(await page.locator('[data-count=offline]').textContent(), String(OFFLINE));
  assert.equal(await page.locator('[data-count=never]').textContent(), String(KEYS - LIVE - OFFLINE));
  assert.equal(await page.locator('[data-count=weak]').textContent(), '30');
  assert.equal(await page.locator('[data-count=lowheap]').textContent(), '20');
  // Findable: the search narrows 600 rooms to the one asked for.
  await page.getByLabel('Search cameras').fill('cam417');
  await waitFor(async () => (await page.locator('#fleet-rows [role=row][data-room]').count()) === 1, 5000, 'search narrows to one room');
  assert.equal(await page.locator('#fleet-rows [role=row][data-room]').getAttribute('data-room'), 'live-cam417');
  await page.getByLabel('Search cameras').fill('');

  // Steady state, table view.
  await sleep(3000);
  const table = await measure(WINDOW_MS);
  // Steady state, cards view: thumbnails for the cards on screen.
  await page.getByRole('button', { name: 'Cards', exact: true }).click();
  await waitFor(async () => (await page.locator('li.card img[data-updates]').count()) >= 4, 15_000, 'thumbnails on screen');
  await sleep(2000);
  const cards = await measure(WINDOW_MS);
  const loaded = await page.locator('li.card img[data-updates]').count();
  // Time budgets hold on a machine not busy with other work; a shared one scales them.
  const load = loadavg()[0]!;
  const timeScale = Math.max(1, load / availableParallelism());
  const figures = { usableMs, phases, table, cards, thumbnailsLoaded: loaded, loadAverage: Math.round(load * 10) / 10, timeScale: Math.round(timeScale * 100) / 100 };
  console.log(`fleet dashboard figures: ${JSON.stringify(figures)}`);

  assert.ok(usableMs <= BUDGET.usableMs * timeScale, `usable after ${usableMs} ms (budget ${BUDGET.usableMs} ms x ${timeScale.toFixed(2)})`);
  for (const [view, m] of [['table', table], ['cards', cards]] as const) {
    assert.ok(m.requestsPerSec <= BUDGET.requestsPerSec, `${view}: ${m.requestsPerSec.toFixed(1)} requests/s`);
    assert.ok(m.bytesPerSec <= BUDGET.bytesPerSec, `${view}: ${Math.round(m.bytesPerSec)} bytes/s`);
    assert.ok(m.longestTaskMs <= BUDGET.longTaskMs * timeScale, `${view}: a long task of ${m.longestTaskMs} ms (budget ${BUDGET.longTaskMs} ms x ${timeScale.toFixed(2)})`);
  }
  assert.ok(loaded < 60, `only cards on screen load thumbnails (${loaded} of ${LIVE})`);

  // Filters from the summary strip, kept in the URL; a shared URL opens the same view.
  await page.locator('[data-filter=weak]').click();
  let shownCards = 0;
  await waitFor(async () => (shownCards = await page.locator("li.card:not([hidden])").count()) === 30, 5000, "weak-signal filter").catch(async (err) => {
    throw new Error(`${err.message}: ${shownCards} cards shown, url ${page.url()} ${await page.evaluate("document.querySelectorAll(\"li.card\").length + \" \" + document.querySelectorAll(\"li.card[hidden]\").length + \" \" + document.getElementById(\"cards\").hidden + \" \" + document.getElementById(\"ingress-summary\").textContent")} ${JSON.stringify(errors)}`);
  });
  await page.getByRole('button', { name: 'Table', exact: true }).click();
  await page.locator('#fleet-sort').selectOption('rssi');
  await waitFor(() => page.url().includes('filter=weak') && page.url().includes('sort=rssi') && page.url().includes('view=table'), 5000, 'view state in the URL');
  const shared = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  shared.on('pageerror', (err) => errors.push(err.message));
  await shared.goto(`http://127.0.0.1:${srv.port}/dashboard`);
  await shared.evaluate((t) => (globalThis as any).sessionStorage.setItem('framehub.token', t), srv.token);
  await shared.goto(page.url());
  await shared.reload();
  await waitFor(async () => (await shared.locator('#fleet-rows [role=row][data-room]').count()) === 30, 10_000, 'the shared view: 30 weak-signal rows');
  assert.equal(await shared.locator('[data-filter=weak]').getAttribute('aria-pressed'), 'true');
  assert.equal(await shared.locator('[role=columnheader][data-sort=rssi]').getAttribute('aria-sort'), 'ascending');
  await shared.close();
  await page.close();
});

test('bulk panel: pasted rooms -> keys CSV and config.h zip, shown once; a key from the zip connects a camera', { timeout: 60_000 }, async () => {
  assert.equal((await srv.api('POST', '/api/v1/apps', { name: 'yard' })).status, 201);
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`http://127.0.0.1:${srv.port}/dashboard#app=yard`);
  await page.getByLabel('API token').fill(srv.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#dashboard').waitFor({ state: 'visible' });
  await waitFor(async () => (await page.locator('#app-picker').inputValue()) === 'yard', 5000, 'app yard');

  // A bad line refuses the whole list, named by its line; nothing is minted.
  await page.getByLabel('Camera list').fill('room,identity\ngate1,esp-gate-1\ngate 2\n');
  await page.getByRole('button', { name: 'Provision the list' }).click();
  await waitFor(async () => /Not minted/.test((await page.locator('#bulk-error').textContent()) ?? ''), 10_000, 'refusal');
  assert.match((await page.locator('#bulk-problems').textContent()) ?? '', /line 3 \(gate 2\): room: /);
  assert.equal((await srv.api('GET', '/api/v1/apps/yard/ws-ingest')).body.data.length, 0);

  // A file with a header, a comment and a quoted identity.
  await page.locator('#bulk-file').setInputFiles({ name: 'rooms.csv', mimeType: 'text/csv', buffer: Buffer.from('# yard cameras\nroom,identity\ngate1,esp-gate-1\ngate2,"esp, ""west"""\npump\n') });
  await waitFor(async () => (await page.getByLabel('Camera list').inputValue()).includes('pump'), 5000, 'file loaded into the list');
  await page.getByRole('button', { name: 'Provision the list' }).click();
  await page.locator('#bulk-result').waitFor({ state: 'visible', timeout: 10_000 });
  assert.match((await page.locator('#bulk-result-title').textContent()) ?? '', /^3 keys minted in yard$/);

  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#bulk-csv').click()]);
  const csvText = readFileSync((await csvDownload.path())!, 'utf8');
  assert.match(csvDownload.suggestedFilename(), /^framehub-yard-keys-\d{8}T\d{6}Z\.csv$/);
  const rows = parse(csvText, { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(rows[0]!), [...KEY_COLUMNS], 'the CLI\'s columns');
  assert.deepEqual(rows.map((r) => [r.room, r.identity]), [['gate1', 'esp-gate-1'], ['gate2', 'esp, "west"'], ['pump', '']]);

  const [zipDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#bulk-zip').click()]);
  const files = unzipSync(readFileSync((await zipDownload.path())!));
  const names = Object.keys(files).map((n) => n.replace(/^[^/]+\//, '')).sort();
  assert.deepEqual(names, ['README.txt', 'gate1/config.h', 'gate2/config.h', 'keys.csv', 'pump/config.h']);
  const config = strFromU8(files[Object.keys(files).find((n) => n.endsWith('pump/config.h'))!]!);
  const key = /#define FRAMEHUB_STREAM_KEY "(wsk_[^"]+)"/.exec(config)?.[1];
  assert.ok(key && config.includes('#define FRAMEHUB_APP "yard"') && config.includes('#define FRAMEHUB_ROOM "pump"'), config);
  assert.equal(key, rows[2]!.streamKey);
  const cam = rawCamera(srv.port, { app: 'yard', room: 'pump', key });
  assert.equal((await cam.ready).room, 'yard-pump');
  cam.ws.close(1000);
  await cam.closed;

  // Done forgets the keys: no download link is left on the page.
  await page.getByRole('button', { name: 'Done: forget the keys' }).click();
  assert.equal(await page.locator('#bulk-result').isHidden(), true);
  assert.equal(await page.locator('#bulk-csv').getAttribute('href'), null);
  assert.ok(!(await page.content()).includes(key), 'the key is gone from the page');
  await page.close();
});
