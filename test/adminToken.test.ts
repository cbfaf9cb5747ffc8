// The bootstrap admin token (issue 15, High 2 and the first Low item): placeholder and
// guessable FRAMEHUB_ADMIN_TOKEN values stop the server at boot with a message naming the
// setting; the example env file sets none; a bootstrap token revoked through the API stays
// revoked across restarts (a new value bootstraps a new one); and a delegated tokens:write
// token cannot revoke the admin token.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ADMIN_TOKEN_MIN_BITS, adminTokenProblem } from '../src/adminToken.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { startChild, type ChildServer } from './helpers/child.js';
import { tempDir } from './helpers/paths.js';
import { MAIN, REPO } from './helpers/paths.js';
import { startTestServer } from './helpers/server.js';

const PLACEHOLDER = 'change-me-to-a-long-random-token';

test('placeholder and guessable admin tokens are refused with a message naming FRAMEHUB_ADMIN_TOKEN', () => {
  const weak = [PLACEHOLDER, 'changeme-changeme-1', 'your-admin-token-here', 'aaaaaaaaaaaaaaaaaaaaaaaa', 'abababababababababab', '0123456789abcdefghij', 'Password1234567890!', 'fht_<paste-a-token-here>'];
  for (const value of weak) {
    assert.throws(
      () => loadConfig({ env: { FRAMEHUB_ADMIN_TOKEN: value } }),
      (e: Error) => e instanceof ConfigError && /^invalid setting FRAMEHUB_ADMIN_TOKEN \(--admin-token\): /.test(e.message) && !e.message.includes(value),
      `${value} refused, and not echoed`,
    );
  }
  // What the docs recommend passes, every time.
  for (let i = 0; i < 200; i++) {
    const hex = randomBytes(24).toString('hex');
    assert.equal(adminTokenProblem(hex), null, hex);
    assert.equal(adminTokenProblem(`fht_${randomBytes(32).toString('base64url')}`), null);
  }
  assert.ok(ADMIN_TOKEN_MIN_BITS >= 48);
});

test('the server refuses to start on the placeholder; the example env file sets no admin token', () => {
  const r = spawnSync(process.execPath, [MAIN], { env: { ...process.env, PORT: '0', FRAMEHUB_DATA_DIR: tempDir(), FRAMEHUB_ADMIN_TOKEN: PLACEHOLDER }, encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /FRAMEHUB_ADMIN_TOKEN \(--admin-token\): looks like a placeholder/);
  assert.equal(r.stderr.includes(PLACEHOLDER), false, 'the value is not echoed');

  const lines = readFileSync(path.join(REPO, 'deploy/systemd/env.example'), 'utf8').split('\n');
  const active = lines.filter((l) => l.trim() && !l.trim().startsWith('#'));
  assert.equal(active.some((l) => l.startsWith('FRAMEHUB_ADMIN_TOKEN=')), false, 'FRAMEHUB_ADMIN_TOKEN is commented out');
  assert.ok(lines.some((l) => /^# FRAMEHUB_ADMIN_TOKEN=/.test(l)), 'and shown, commented, for whoever wants to set it');
  // Installed as it is, the example is a valid configuration.
  const env = Object.fromEntries(active.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  assert.doesNotThrow(() => loadConfig({ env }));
});

async function stop(child: ChildServer): Promise<void> {
  child.child.kill('SIGTERM');
  await child.exited;
}

const call = async (base: string, token: string, method: string, p: string, body?: unknown) => {
  const r = await fetch(base + p, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as any };
};

test('a revoked bootstrap admin token is not brought back by FRAMEHUB_ADMIN_TOKEN on restart; a new value is applied', { timeout: 90_000 }, async (t) => {
  const dataDir = tempDir();
  const first = randomBytes(24).toString('hex');
  const env = { FRAMEHUB_DATA_DIR: dataDir, FRAMEHUB_ADMIN_TOKEN: first, LOG_LEVEL: 'info' };
  let srv = await startChild(env);
  // A failed assertion must not leave a server running.
  t.after(() => {
    if (srv.child.exitCode === null && srv.child.signalCode === null) srv.child.kill('SIGKILL');
  });
  assert.equal((await call(srv.base, first, 'GET', '/api/v1/apps')).status, 200);
  const spare = await call(srv.base, first, 'POST', '/api/v1/tokens', { name: 'spare', scopes: ['*'] });
  assert.equal((await call(srv.base, first, 'DELETE', '/api/v1/tokens/tok_admin')).status, 200);
  assert.equal((await call(srv.base, first, 'GET', '/api/v1/apps')).status, 401, 'revoked at once');
  await stop(srv);

  // Same environment: the revoked value stays revoked, with a log line and a banner saying why.
  srv = await startChild(env);
  assert.equal((await call(srv.base, first, 'GET', '/api/v1/apps')).status, 401, 'not re-applied on restart');
  assert.equal((await call(srv.base, spare.body.data.token, 'GET', '/api/v1/tokens')).body.data.some((t: any) => t.id === 'tok_admin'), false);
  assert.match(srv.stdout(), /"event":"admin_token_revoked".*FRAMEHUB_ADMIN_TOKEN was revoked/);
  assert.match(srv.stderr(), /admin token\s+FRAMEHUB_ADMIN_TOKEN was revoked on \d{4}-/);
  assert.equal(srv.stdout().includes(first) || srv.stderr().includes(first), false, 'the token is never logged');
  await stop(srv);

  // A new value is the way back.
  const second = randomBytes(24).toString('hex');
  srv = await startChild({ ...env, FRAMEHUB_ADMIN_TOKEN: second });
  assert.equal((await call(srv.base, second, 'GET', '/api/v1/apps')).status, 200, 'a new FRAMEHUB_ADMIN_TOKEN bootstraps a new admin token');
  assert.equal((await call(srv.base, first, 'GET', '/api/v1/apps')).status, 401);
  assert.doesNotMatch(srv.stdout(), /admin_token_revoked/);
  await stop(srv);
});

test('a tokens:write token cannot revoke the admin token (or any token with scopes it lacks); a * token can', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.stop());
  const delegated = (await srv.api('POST', '/api/v1/tokens', { name: 'helpdesk', scopes: ['tokens:write', 'tokens:read'] })).body.data.token;
  const denied = await srv.api('DELETE', '/api/v1/tokens/tok_admin', undefined, delegated);
  assert.equal(denied.status, 403);
  assert.match(denied.body.error.message, /scopes this token lacks: \*/);
  const reader = (await srv.api('POST', '/api/v1/tokens', { name: 'reader', scopes: ['apps:read'] })).body.data;
  assert.equal((await srv.api('DELETE', `/api/v1/tokens/${reader.id}`, undefined, delegated)).status, 403);
  const peer = (await srv.api('POST', '/api/v1/tokens', { name: 'peer', scopes: ['tokens:read'] })).body.data;
  assert.equal((await srv.api('DELETE', `/api/v1/tokens/${peer.id}`, undefined, delegated)).status, 200, 'within its own scopes it may revoke');
  assert.equal((await srv.api('GET', '/api/v1/apps')).status, 200, 'the admin token still works');
  const root = (await srv.api('POST', '/api/v1/tokens', { name: 'root', scopes: ['*'] })).body.data.token;
  assert.equal((await srv.api('DELETE', '/api/v1/tokens/tok_admin', undefined, root)).status, 200);
  assert.equal((await srv.api('GET', '/api/v1/apps')).status, 401);
});
