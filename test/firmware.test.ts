// The firmware sketch compiles on the host against stub headers of the libraries it uses
// (it is not built for the board in CI); a scratch copy with a wrong call fails, proving the
// check can fail; and the sketch makes the calls the SPEC requires.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from './helpers/paths.js';
import { REPO } from './helpers/paths.js';

const SKETCH_DIR = path.join(REPO, 'firmware/esp32cam_ws_ingest');
const COMPILE = path.join(REPO, 'firmware/host-check/compile.sh');
const ino = readFileSync(path.join(SKETCH_DIR, 'esp32cam_ws_ingest.ino'), 'utf8');

test('the sketch compiles, links and runs on the host against the stubs', () => {
  const r = spawnSync(COMPILE, [SKETCH_DIR], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr + r.stdout);
});

const misuses: [string, string, string][] = [
  ['sendBIN with the frame struct', 'webSocket.sendBIN(fb->buf, fb->len)', 'webSocket.sendBIN(fb)'],
  ['a method the library does not have', 'webSocket.enableHeartbeat(15000, 3000, 2);', 'webSocket.enableHeartbeats(15000, 3000, 2);'],
  ['a camera config field that does not exist', 'config.grab_mode = CAMERA_GRAB_LATEST;', 'config.grabMode = CAMERA_GRAB_LATEST;'],
];
for (const [name, from, to] of misuses) {
  test(`a scratch copy with ${name} fails to compile`, () => {
    const dir = path.join(tempDir('framehub-fw-'), 'esp32cam_ws_ingest');
    cpSync(SKETCH_DIR, dir, { recursive: true });
    assert.ok(ino.includes(from), `the sketch calls ${from}`);
    writeFileSync(path.join(dir, 'esp32cam_ws_ingest.ino'), ino.replaceAll(from, to));
    const r = spawnSync(COMPILE, [dir], { encoding: 'utf8' });
    assert.notEqual(r.status, 0, 'the broken copy must not compile');
    assert.match(r.stderr, /error/);
  });
}

test('the sketch does what the SPEC asks of the firmware', () => {
  for (const call of [
    'webSocket.enableHeartbeat(15000, 3000, 2)',
    'webSocket.setReconnectInterval(RECONNECT_INTERVAL_MS)',
    'RECONNECT_INTERVAL_MS = 3000',
    'config.grab_mode = CAMERA_GRAB_LATEST',
    'config.fb_count = 2',
    'config.jpeg_quality = JPEG_QUALITY',
    'JPEG_QUALITY = 12',
    'config.pixel_format = PIXFORMAT_JPEG',
    'FRAMESIZE_VGA',
    'webSocket.sendBIN(fb->buf, fb->len)',
    'esp_camera_fb_return(fb)',
    'webSocket.setExtraHeaders(AUTH_HEADER)',
    '"Authorization: Bearer " FRAMEHUB_STREAM_KEY',
    'webSocket.beginSSL(FRAMEHUB_HOST, FRAMEHUB_PORT, INGEST_PATH)',
    '// webSocket.beginSslWithCA(',
    '"type\\":\\"stats\\"',
    'STATS_INTERVAL_MS = 30000',
    'maxFps',
    'maxFrameBytes',
  ]) {
    assert.ok(ino.includes(call), `sketch contains ${call}`);
  }
  const gitignore = readFileSync(path.join(REPO, '.gitignore'), 'utf8');
  assert.match(gitignore, /firmware\/\*\*\/config\.h/, 'the real config.h is ignored by git');
});
