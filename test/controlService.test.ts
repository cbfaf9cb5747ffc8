// The control service (src/control/service.ts) with a real LMDB store and no server: the
// one implementation the API and the CLI call. Validation, conflicts, what a grantor token
// may hand out or revoke, and what a change tells a live node (workers, camera kicks).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ControlService, type LiveNode } from '../src/control/service.js';
import { CodedError } from '../src/errors.js';
import { ControlStore, type ApiToken } from '../src/keys.js';
import { createLogger } from '../src/telemetry.js';

const dir = mkdtempSync(path.join(tmpdir(), 'framehub-control-'));
const store = new ControlStore(dir);
const log = createLogger('silent');
const events: string[] = [];
const cameras = [
  { app: 'shop', keyId: 'k-a' },
  { app: 'shop', keyId: 'k-b' },
  { app: 'other', keyId: 'k-c' },
];
const live: LiveNode = {
  appsChanged: () => events.push('apps'),
  kickWhere: (pred, reason) => {
    const n = cameras.filter(pred).length;
    events.push(`kick ${reason} ${n}`);
    return n;
  },
};
const node = new ControlService({ store, maxFrameBytes: 262_144, log, live });
const cli = new ControlService({ store, maxFrameBytes: 262_144, log, live: null });
before(() => store.bootstrap(undefined));
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const code = (c: string) => (err: unknown) => err instanceof CodedError && err.code === c;

test('apps: created once (conflict after), validated against the node limit, updated, deleted; the live node is told', async () => {
  events.length = 0;
  const app = await node.createApp({ name: 'shop', maxCameras: 5 });
  assert.equal(app.maxCameras, 5);
  await assert.rejects(cli.createApp({ name: 'shop' }), code('conflict'));
  await assert.rejects(node.createApp({ name: 'big', maxFrameBytes: 999_999 }), code('invalid_field'));
  await assert.rejects(node.createApp({ name: 'x', colour: 'red' }), (err: CodedError) => err.code === 'invalid_field' && /unknown field "colour"/.test(err.message));
  assert.equal((await node.updateApp('shop', { wsIngest: false })).wsIngest, false);
  await assert.rejects(node.updateApp('nope', { wsIngest: false }), code('not_found'));
  await assert.rejects(node.updateApp('shop', {}), code('invalid_field'));
  assert.deepEqual(await node.deleteApp('shop'), { deleted: 'shop', closedCameras: 2 });
  assert.deepEqual(events, ['apps', 'apps', 'kick ws_ingest_disabled 2', 'apps', 'kick unknown_app 2']);
  assert.deepEqual(await cli.createApp({ name: 'shop' }).then((a) => a.name), 'shop');
  assert.deepEqual(await cli.deleteApp('shop'), { deleted: 'shop', closedCameras: 0 }, 'the CLI has no live node: nothing kicked here');
});

test('tokens: a grantor hands out only its scopes and its app; the CLI (no grantor) anything', async () => {
  await node.createApp({ name: 'cams' });
  const limited: ApiToken = { id: 't', name: 'l', hash: 'h', scopes: ['streams:read', 'tokens:write'], app: 'cams', createdAt: 0 };
  const { token } = await node.createToken({ name: 'viewer', scopes: ['streams:read'] }, limited);
  assert.equal(token.app, 'cams', 'defaults to the grantor\'s app');
  await assert.rejects(node.createToken({ name: 'x', scopes: ['apps:write'] }, limited), code('forbidden'));
  await assert.rejects(node.createToken({ name: 'x', scopes: ['streams:read'], app: 'other' }, limited), code('forbidden'));
  await assert.rejects(cli.createToken({ name: 'x', scopes: ['*'], app: 'ghost' }, null), code('invalid_field'));
  const admin = await cli.createToken({ name: 'ops', scopes: ['*'] }, null);
  await assert.rejects(node.revokeToken(admin.token.id, limited), code('not_found'), 'another app\'s token is not found for a restricted revoker');
  assert.deepEqual(await cli.revokeToken(token.id, null), { revoked: token.id });
  await assert.rejects(cli.revokeToken(token.id, null), code('not_found'));
});

test('keys: minted with a validated body, listed, revoked within their app (its camera kicked), in bulk all or nothing', async () => {
  events.length = 0;
  const { key, secret } = await node.mintKey('cams', { room: 'door', identity: 'esp-1' });
  assert.match(secret, /^wsk_/);
  await assert.rejects(node.mintKey('cams', { room: 'bad room' }), code('invalid_field'));
  await assert.rejects(node.mintKey('ghost', { room: 'door' }), code('not_found'));
  assert.deepEqual(node.listKeys('cams').map((k) => k.id), [key.id]);
  await assert.rejects(node.revokeKey(key.id, 'other-app-that-does-not-exist'), code('not_found'));
  cameras.push({ app: 'cams', keyId: key.id });
  assert.deepEqual(await node.revokeKey(key.id, 'cams'), { revoked: key.id, closedCameras: 1 });
  await assert.rejects(cli.revokeKey(key.id, null), code('not_found'));
  await assert.rejects(node.bulkMint('cams', [{ room: 'a' }, { room: 'a' }]), code('invalid_field'));
  assert.equal(node.listKeys('cams').length, 0, 'a refused bulk call writes nothing');
  const minted = await node.bulkMint('cams', [{ room: 'a' }, { room: 'b' }]);
  assert.equal(minted.length, 2);
  const { revoked, closedCameras } = await node.bulkRevoke('cams', { rooms: ['a', 'b'] });
  assert.equal(revoked.length, 2);
  assert.equal(closedCameras, 0);
  assert.deepEqual(events, ['kick key_revoked 1', 'kick key_revoked 0']);
});
