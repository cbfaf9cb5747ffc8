// The camera wall feed: one WebSocket carries the visible tiles of many rooms at a reduced
// rate, a focused tile at full rate; unsubscribed tiles stop; a tile waits for its room.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { loadFrames } from '../src/camera/frames.js';
import { rawCamera, type RawCamera } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { sleep, waitFor } from './helpers/wait.js';

let srv: TestServer;
const cams: RawCamera[] = [];
let timer: NodeJS.Timeout;
const ROOMS = Array.from({ length: 60 }, (_, i) => `w${i}`);

before(async () => {
  srv = await startTestServer();
  const frames = loadFrames('qvga');
  for (const room of ROOMS) {
    const key = await srv.mintKey(room);
    const cam = rawCamera(srv.port, { room, key: key.streamKey });
    cams.push(cam);
  }
  await Promise.all(cams.map((c) => c.ready));
  let n = 0;
  timer = setInterval(() => {
    for (const c of cams) c.ws.send(frames[n % 16]!);
    n++;
  }, 1000 / 8);
});
after(async () => {
  clearInterval(timer);
  for (const c of cams) c.ws.close(1000);
  await srv.stop();
});

function wall(query = 'app=live') {
  const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/live/wall?${query}`);
  const frames = new Map<string, number>();
  const states: any[] = [];
  let bad = 0;
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return void states.push(JSON.parse(data.toString()));
    const n = data[0]!;
    const room = data.subarray(1, 1 + n).toString('utf8');
    const jpeg = data.subarray(1 + n);
    if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) bad++;
    frames.set(room, (frames.get(room) ?? 0) + 1);
  });
  const opened = new Promise<void>((r) => ws.once('open', () => r()));
  return { ws, frames, states, opened, bad: () => bad };
}

test('one socket: 60 tiles at about 1 fps each, a focused tile at full rate', async () => {
  const w = wall();
  await w.opened;
  w.ws.send(JSON.stringify({ type: 'subscribe', rooms: ROOMS, fps: 1 }));
  await waitFor(() => ROOMS.every((r) => (w.frames.get(`live-${r}`) ?? 0) >= 1), 5000, 'a frame from every tile');
  w.frames.clear();
  w.ws.send(JSON.stringify({ type: 'focus', room: 'w7' }));
  await sleep(3000);
  const focused = w.frames.get('live-w7') ?? 0;
  const others = ROOMS.filter((r) => r !== 'w7').map((r) => w.frames.get(`live-${r}`) ?? 0);
  const maxOther = Math.max(...others);
  console.log(`wall: focused tile ${focused} frames in 3 s, other tiles ${Math.min(...others)}-${maxOther}`);
  assert.ok(focused >= 15, `focused tile got ${focused} frames in 3 s`);
  assert.ok(maxOther <= 5, `other tiles got up to ${maxOther} frames in 3 s at 1 fps`);
  assert.equal(w.bad(), 0);
  const streams = await srv.api('GET', '/api/v1/apps/live/streams');
  assert.equal(streams.body.data.find((s: any) => s.room === 'live-w7').viewers.wall, 1);
  // Fewer tiles: the others stop.
  w.ws.send(JSON.stringify({ type: 'subscribe', rooms: ['w1', 'w2'] }));
  await sleep(300);
  w.frames.clear();
  await sleep(2000);
  assert.deepEqual([...w.frames.keys()].sort(), ['live-w1', 'live-w2']);
  w.ws.close();
});

test('a tile for a room that is not live waits and starts when the camera connects', async () => {
  const w = wall();
  await w.opened;
  w.ws.send(JSON.stringify({ type: 'subscribe', rooms: ['later'], fps: 2 }));
  await waitFor(() => w.states.some((s) => s.room === 'live-later' && s.state === 'offline'), 3000, 'offline state');
  const key = await srv.mintKey('later');
  const cam = rawCamera(srv.port, { room: 'later', key: key.streamKey });
  await cam.ready;
  cam.ws.send(loadFrames('qvga')[0]!);
  await waitFor(() => (w.frames.get('live-later') ?? 0) >= 1, 3000, 'frame of the late room');
  assert.ok(w.states.some((s) => s.room === 'live-later' && s.state === 'live'));
  cam.ws.close(1000);
  w.ws.close();
});

test('a private app needs an app-wide play token for the wall', async () => {
  await srv.api('POST', '/api/v1/apps', { name: 'hidden', publicPlayback: false });
  const denied = wall('app=hidden');
  const code = await new Promise<number>((r) => denied.ws.on('close', (c) => r(c)));
  assert.equal(code, 4401);
  const token = (await srv.api('GET', '/api/v1/apps/hidden/play-token')).body.data.token;
  const roomToken = (await srv.api('GET', '/api/v1/apps/hidden/play-token/x')).body.data.token;
  const wrong = wall(`app=hidden&token=${encodeURIComponent(roomToken)}`);
  assert.equal(await new Promise<number>((r) => wrong.ws.on('close', (c) => r(c))), 4403);
  const ok = wall(`app=hidden&token=${encodeURIComponent(token)}`);
  await ok.opened;
  await sleep(200);
  assert.equal(ok.ws.readyState, WebSocket.OPEN);
  ok.ws.close();
});
