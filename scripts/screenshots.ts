// Regenerates docs/screenshots/player.png and wall.png: starts a server on port 0 with
// simulated cameras and photographs the pages in Chromium. Run: `npm run screenshots`.
// Not part of the test suite (the committed pictures only change when the pages do).
import path from 'node:path';
import { loadFrames } from '../src/camera/frames.js';
import { SimCamera } from '../src/camera/simulator.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { startTestServer } from '../test/helpers/server.js';
import { sleep, waitFor } from '../test/helpers/wait.js';

const OUT = path.resolve(import.meta.dirname, '../../docs/screenshots');
const WALL_ROOMS = ['entrance', 'lobby', 'parking-north', 'parking-south', 'loading-dock', 'warehouse-1', 'warehouse-2', 'office', 'server-room', 'gate', 'garden', 'roof', 'hall-a', 'hall-b', 'stairs', 'kitchen', 'lab', 'yard', 'corridor', 'reception', 'workshop', 'storage', 'annex', 'backdoor'];

const srv = await startTestServer();
const base = `http://127.0.0.1:${srv.port}`;
const cams: SimCamera[] = [];
const browser = await launchBrowser();
try {
  for (const [i, room] of WALL_ROOMS.entries()) {
    const key = await srv.mintKey(room);
    // Each camera starts at another sample frame, so the tiles do not all show the same picture.
    const samples = loadFrames(room === 'entrance' ? 'vga' : 'qvga');
    const frames = [...samples.slice(i % 16), ...samples.slice(0, i % 16)];
    cams.push(new SimCamera({ url: base, app: 'live', room, key: key.streamKey, fps: 5, frames, reconnectMs: 0 }).start());
    if (i === 0) await waitFor(() => cams[0]!.ready, 5000, 'first camera');
  }
  await waitFor(() => cams.every((c) => c.ready), 15_000, 'cameras ready');

  const player = await browser.newPage({ viewport: { width: 960, height: 720 } });
  await player.goto(`${base}/play/live/entrance`);
  await waitFor(() => player.evaluate(() => (globalThis as any).framehubPlayer.frames >= 10), 10_000, 'player frames');
  await sleep(1500);
  await player.screenshot({ path: path.join(OUT, 'player.png') });

  const wall = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await wall.goto(`${base}/wall/live`);
  await waitFor(() => wall.evaluate(() => (globalThis as any).framehubWall.tilesWithFrames >= 20), 15_000, 'wall frames');
  await cams[WALL_ROOMS.indexOf('roof')]!.stop(); // a camera that left: its tile says so
  await sleep(2500);
  await wall.screenshot({ path: path.join(OUT, 'wall.png') });
  if (process.argv.includes('--phone')) {
    // A look at the narrow layout (not committed): /tmp/framehub-wall-phone.png
    await wall.setViewportSize({ width: 390, height: 844 });
    await sleep(1500);
    await wall.screenshot({ path: '/tmp/framehub-wall-phone.png' });
    await player.setViewportSize({ width: 390, height: 844 });
    await sleep(500);
    await player.screenshot({ path: '/tmp/framehub-player-phone.png' });
  }
  console.log(`wrote ${OUT}/player.png and wall.png`);
} finally {
  await browser.close();
  await Promise.all(cams.map((c) => c.stop()));
  await srv.stop();
}
