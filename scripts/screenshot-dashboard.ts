// Takes docs/screenshots/dashboard.png (desktop) and dashboard-phone.png: a throwaway server
// (temp data dir), a few simulated cameras live, one key never used, one camera that left,
// and a key minted through the page. Not a test: run by hand after `npx tsc -p tsconfig.json`:
//   node dist/scripts/screenshot-dashboard.js
import path from 'node:path';
import { SimCamera } from '../src/camera/simulator.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { startTestServer } from '../test/helpers/server.js';
import { sleep, waitFor } from '../test/helpers/wait.js';

const OUT = path.resolve(import.meta.dirname, '../../docs/screenshots');

const srv = await startTestServer();
const url = `http://127.0.0.1:${srv.port}`;
const cameras: SimCamera[] = [];
const start = async (room: string, identity: string, fps: number): Promise<SimCamera> => {
  const key = await srv.api('POST', '/api/v1/apps/live/ws-ingest', { room, identity });
  const cam = new SimCamera({ url, app: 'live', room, key: key.body.data.streamKey, identity, fps, statsIntervalMs: 1000, reconnectMs: 0 });
  cam.on('error', () => {});
  cameras.push(cam.start());
  return cam;
};
try {
  await start('lobby', 'esp32-lobby', 8);
  await start('door', 'esp32-door', 5);
  await start('garage', 'esp32-garage', 8);
  const left = await start('yard', 'esp32-yard', 8);
  await srv.api('POST', '/api/v1/apps/live/ws-ingest', { room: 'attic', identity: 'esp32-attic' });
  await waitFor(() => left.ready, 10_000, 'yard camera ready');
  await sleep(1500);
  await left.stop();
  await srv.api('PATCH', '/api/v1/apps/live', { maxCameras: 50, maxFps: 10 });

  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`${url}/dashboard`);
  await page.getByLabel('API token').fill(srv.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#dashboard').waitFor({ state: 'visible' });
  await page.getByLabel('Room').fill('porch');
  await page.getByLabel(/^Identity/).fill('esp32-porch');
  await page.getByRole('button', { name: 'Mint key' }).click();
  await page.locator('#mint-result').waitFor({ state: 'visible' });
  // Every live card with its stats and a decoded thumbnail.
  await waitFor(async () => (await page.locator('li.card[data-state=live] [data-field=rssi]:text-matches("dBm")').count()) === 3, 20_000, 'three live cards with stats');
  await waitFor(async () => (await page.locator('li.card[data-state=live] img[data-updates]').count()) === 3, 20_000, 'three thumbnails');
  await page.locator('#ingress-title').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(OUT, 'dashboard.png'), fullPage: true });

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await phone.goto(`${url}/dashboard`);
  await phone.getByLabel('API token').fill(srv.token);
  await phone.getByRole('button', { name: 'Sign in' }).click();
  // One column: thumbnails load for the cards on screen only.
  await phone.locator('li.card[data-state=live]').first().waitFor();
  await phone.locator('#fleet-summary').scrollIntoViewIfNeeded();
  await phone.mouse.wheel(0, 250);
  await waitFor(async () => (await phone.locator('li.card[data-state=live] img[data-updates]').count()) >= 1, 20_000, 'phone thumbnails');
  await phone.screenshot({ path: path.join(OUT, 'dashboard-phone.png') });
  await browser.close();
  console.log(`wrote ${path.join(OUT, 'dashboard.png')} and dashboard-phone.png`);
} finally {
  await Promise.all(cameras.map((c) => c.stop()));
  await srv.stop();
}
