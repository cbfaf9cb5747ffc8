// Config: defaults, validation messages naming the setting, the CLI's --help and its
// refusal of bad settings, and the refusal to run on uWS's pure-JS fallback.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';
import { assertNativeUws, loadUws, UwsFallbackError } from '../src/worker/uws.js';
import { MAIN } from './helpers/paths.js';


test('defaults: port 8080, ./data, live limits of the protocol', () => {
  const c = loadConfig();
  assert.equal(c.port, 8080);
  assert.equal(c.dataDir, path.resolve('./data'));
  assert.equal(c.maxFps, 15);
  assert.equal(c.maxFrameBytes, 262144);
  assert.equal(c.idleTimeoutSec, 30);
  assert.equal(c.pingIntervalSec, 15);
  assert.ok(c.workers >= 1);
  assert.ok(Object.isFrozen(c));
});

test('environment and flags are validated with the setting named', () => {
  assert.throws(() => loadConfig({ env: { FRAMEHUB_WORKERS: 'lots' } }), (e: Error) => e instanceof ConfigError && /FRAMEHUB_WORKERS \(--workers\): must be a number/.test(e.message));
  assert.throws(() => loadConfig({ env: { PORT: '70000' } }), /PORT \(--port\): must be <= 65535/);
  assert.throws(() => loadConfig({ env: { FRAMEHUB_PUBLIC_URL: 'cams.example.com' } }), /FRAMEHUB_PUBLIC_URL/);
  assert.throws(() => loadConfig({ env: { FRAMEHUB_ADMIN_TOKEN: 'short' } }), (e: Error) => /FRAMEHUB_ADMIN_TOKEN/.test(e.message) && !e.message.includes('short"'));
  assert.equal(loadConfig({ env: { PORT: '9000' }, flags: { port: '9001' } }).port, 9001, 'flags win over the environment');
  assert.deepEqual(loadConfig({ env: { FRAMEHUB_TRUSTED_PROXIES: '10.0.0.1, ::1' } }).trustedProxies, ['10.0.0.1', '::1']);
});

test('framehub --help lists every setting and the camera simulator', () => {
  const r = spawnSync(process.execPath, [MAIN, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  for (const s of ['--port', 'FRAMEHUB_DATA_DIR', 'FRAMEHUB_WORKERS', 'FRAMEHUB_PUBLIC_URL', 'FRAMEHUB_ADMIN_TOKEN', 'framehub camera', '--fps']) assert.ok(r.stdout.includes(s), `help mentions ${s}`);
});

test('a bad setting stops the server at boot with a message naming it', () => {
  const r = spawnSync(process.execPath, [MAIN], { encoding: 'utf8', env: { ...process.env, FRAMEHUB_WORKERS: '0' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /invalid setting FRAMEHUB_WORKERS \(--workers\): must be >= 1/);
});

test('the server refuses uWS\'s pure-JS fallback', () => {
  assert.doesNotThrow(() => assertNativeUws(loadUws().uws));
  assert.throws(() => assertNativeUws({ App() {}, us_socket_local_port() {} }), UwsFallbackError);
});
