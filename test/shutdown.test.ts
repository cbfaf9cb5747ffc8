// Graceful shutdown on SIGTERM/SIGINT: cameras get a going_away error and 1001, MJPEG
// responses end, WS viewers get 1001, the process exits 0 in bounded time. A second server
// on the same data dir is refused with a clear message.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { loadFrames } from '../src/camera/frames.js';
import { startChild } from './helpers/child.js';
import { mjpegReader, rawCamera, wsViewer } from './helpers/clients.js';
import { tempDir } from './helpers/paths.js';
import { MAIN } from './helpers/paths.js';

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal}: cameras and viewers are closed cleanly and the process exits 0`, async () => {
    const dataDir = tempDir();
    const srv = await startChild({ FRAMEHUB_DATA_DIR: dataDir });
    const h = { Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' };
    const key = ((await (await fetch(`${srv.base}/api/v1/apps/live/ws-ingest`, { method: 'POST', headers: h, body: '{"room":"bye"}' })).json()) as any).data;
    const cam = rawCamera(srv.port, { room: 'bye', key: key.streamKey });
    await cam.ready;
    cam.ws.send(loadFrames('qvga')[0]!);
    const mj = await mjpegReader(`${srv.base}/live/live/bye/mjpeg`);
    await mj.waitParts(1);
    const ws = wsViewer(srv.port, 'live', 'bye');
    await ws.waitFrames(1);

    // A second server on the same data dir is refused while this one runs.
    const second = spawnSync(process.execPath, [MAIN], { env: { ...process.env, PORT: '0', FRAMEHUB_METRICS_PORT: '0', FRAMEHUB_DATA_DIR: dataDir }, encoding: 'utf8', timeout: 20_000 });
    assert.equal(second.status, 2);
    assert.match(second.stderr, /data dir .* is in use by another framehub server/);
    // And one on the same port (uWS shares ports with SO_REUSEPORT: it must not split traffic).
    const samePort = spawnSync(process.execPath, [MAIN], { env: { ...process.env, PORT: String(srv.port), HOST: '127.0.0.1', FRAMEHUB_METRICS_PORT: '0', FRAMEHUB_DATA_DIR: tempDir() }, encoding: 'utf8', timeout: 20_000 });
    assert.equal(samePort.status, 2);
    assert.match(samePort.stderr, new RegExp(`port ${srv.port} on 127.0.0.1 is in use`));

    const started = Date.now();
    srv.child.kill(signal);
    const closed = await cam.closed;
    assert.equal(closed.code, 1001);
    assert.deepEqual([cam.messages.at(-1).type, cam.messages.at(-1).message], ['error', 'going_away']);
    assert.equal((await ws.closed).code, 1001);
    await mj.ended;
    const exit = await srv.exited;
    assert.equal(exit.code, 0);
    const took = Date.now() - started;
    assert.ok(took < 5000, `exited after ${took} ms`);
    assert.match(srv.stdout(), /"msg":"framehub stopped"/);
  });
}
