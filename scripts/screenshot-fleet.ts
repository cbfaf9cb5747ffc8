// Takes the fleet view's pictures for the docs: docs/screenshots/fleet-table.png (the dense
// table, 150 rooms), fleet-cards.png (cards with thumbnails, the weak-signal filter),
// fleet-offline.png (the Offline filter, sorted by last close) and bulk.png (the bulk panel
// after provisioning a list). A throwaway server (temp data dir) with simulated cameras:
// most live, some with weak WiFi or low heap, a few flapping, some gone, some never seen.
// Not a test: run by hand after `npx tsc -p tsconfig.json`:
//   node dist/scripts/screenshot-fleet.js
import path from 'node:path';
import { loadFrames } from '../src/camera/frames.js';
import { SimCamera } from '../src/camera/simulator.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { startTestServer } from '../test/helpers/server.js';
import { sleep, waitFor } from '../test/helpers/wait.js';

const OUT = path.resolve(import.meta.dirname, '../../docs/screenshots');
const SITES = ['north-gate', 'south-gate', 'dock', 'hall-a', 'hall-b', 'yard', 'office', 'parking', 'roof', 'lab'];
const ROOMS = Array.from({ length: 150 }, (_, i) => `${SITES[i % SITES.length]}-${String(Math.floor(i / SITES.length) + 1).padStart(2, '0')}`);
const OFFLINE = new Set(ROOMS.filter((_, i) => i % 23 === 5));
const NEVER = new Set(ROOMS.slice(-8));
const FLAPPING = new Set([ROOMS[12]!, ROOMS[47]!]);

const srv = await startTestServer({ flapConnectsPerHour: 3, reconnectGraceSec: 1 });
const url = `http://127.0.0.1:${srv.port}`;
const cameras: SimCamera[] = [];
const samples = loadFrames('qvga');
try {
  const keys = (await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk', { cameras: ROOMS.map((room) => ({ room, identity: `esp32-${room}` })) })).body.data.keys as { name: string; streamKey: string }[];
  for (const [i, k] of keys.entries()) {
    if (NEVER.has(k.name)) continue;
    const frames = [...samples.slice(i % 16), ...samples.slice(0, i % 16)];
    const rssi = i % 9 === 0 ? -82 - (i % 7) : -52 - (i % 14);
    const heapFree = i % 13 === 0 ? 15_500 + (i % 5) * 700 : 38_000 + (i % 11) * 600;
    const cam = new SimCamera({ url, app: 'live', room: k.name, key: k.streamKey, identity: `esp32-${k.name}`, fps: 2, frames, reconnectMs: 0, statsIntervalMs: 3_600_000 });
    cam.on('error', () => {});
    cam.on('ready', () => cam.sendStats({ rssi, heapFree, fps: 2 }));
    cameras.push(cam.start());
    if (OFFLINE.has(k.name) || FLAPPING.has(k.name)) {
      await waitFor(() => cam.ready, 10_000, `${k.name} ready`);
      for (let n = 0; n < (FLAPPING.has(k.name) ? 3 : 1); n++) {
        await cam.stop();
        if (OFFLINE.has(k.name)) break;
        cam.start();
        await waitFor(() => cam.ready, 10_000, `${k.name} back`);
      }
    }
  }
  await waitFor(() => cameras.filter((c) => c.ready).length >= ROOMS.length - NEVER.size - OFFLINE.size, 30_000, 'cameras ready');
  await sleep(3000);

  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`${url}/dashboard`);
  await page.getByLabel('API token').fill(srv.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitFor(async () => (await page.locator('#fleet-rows [role=row][data-room]').count()) === ROOMS.length, 20_000, 'table rows');
  await sleep(3000);
  await page.locator('#ingress-title').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(OUT, 'fleet-table.png') });

  await page.locator('[data-filter=offline]').click();
  await page.locator('#fleet-sort').selectOption('lastClose');
  await sleep(500);
  await page.screenshot({ path: path.join(OUT, 'fleet-offline.png') });

  await page.locator('[data-filter=weak]').click();
  await page.locator('#fleet-sort').selectOption('rssi');
  await page.getByRole('button', { name: 'Cards', exact: true }).click();
  await waitFor(async () => (await page.locator('li.card:not([hidden]) img[data-updates]').count()) >= 8, 20_000, 'thumbnails');
  await sleep(2500);
  await page.screenshot({ path: path.join(OUT, 'fleet-cards.png') });

  await page.locator('[data-filter=weak]').click();
  await page.locator('#bulk-title').scrollIntoViewIfNeeded();
  await page.getByLabel('Camera list').fill('room,identity\nwest-01,esp32-west-01\nwest-02,esp32-west-02\nwest-03,esp32-west-03\nwest-04,esp32-west-04\n');
  await page.getByRole('button', { name: 'Provision the list' }).click();
  await page.locator('#bulk-result').waitFor({ state: 'visible' });
  await page.locator('#bulk-title').scrollIntoViewIfNeeded();
  await page.locator('#bulk-title').locator('xpath=..').screenshot({ path: path.join(OUT, 'bulk.png') });
  await browser.close();
  console.log(`wrote ${OUT}/fleet-table.png, fleet-offline.png, fleet-cards.png and bulk.png`);
} finally {
  await Promise.all(cameras.map((c) => c.stop()));
  await srv.stop();
}
