// The control service (src/control/service.ts) with a real LMDB store and no server: the
// one implementation the API and the CLI call. Validation, conflicts, what a grantor token
// may hand out or revoke, what a change tells a live node (workers, camera kicks), play
// tokens, and a live node's streams read through its StreamSources.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ControlService, type LiveNode } from '../src/control/service.js';
import type { StreamSources, StreamView } from '../src/control/streams.js';
import { CodedError } from '../src/errors.js';
import { ControlStore, type ApiToken } from '../src/keys.js';
import { checkPlayToken } from '../src/playToken.js';
import type { RoomInfo } from '../src/protocol.js';
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
// A node serving room cams-door (slot 3, 12 frames, one camera on shard 1, two MJPEG viewers),
// and another node of the cluster serving cams-gate and a stale entry for cams-door.
const BASE = 'https://cams.example';
const liveRooms: RoomInfo[] = [{ room: 'cams-door', app: 'cams', name: 'door', slot: 3, gen: 1, state: 'live', streamId: 's1', startedAt: 1_000 }];
const remoteView = (room: string, node: string) => ({ app: 'cams', room, node }) as StreamView;
const streams: StreamSources = {
  nodeId: 'here',
  publicBase: () => BASE,
  rooms: { list: () => liveRooms, get: (room) => liveRooms.find((r) => r.room === room) },
  cameras: {
    byRoom: (room) => (room === 'cams-door' ? { keyId: 'k-door', identity: 'esp-1', ip: '10.0.0.9', shard: 1, stats: null } : undefined),
    lastCloseOfRoom: (room) => (room === 'cams-door' ? { code: 4409, reason: 'replaced', at: 2_000 } : undefined),
  },
  rates: { get: () => ({ fps: 7.94, bytesPerSec: 1234.4 }) },
  arena: { lastReceivedAt: () => 0, latestSeq: (slot) => slot * 4, bytesPublished: () => 5_000, drops: () => 1 },
  viewerCounts: async () => new Map([['cams-door', { mjpeg: 2, ws: 0, wall: 0 }]]),
  remoteStreams: async () => [remoteView('cams-gate', 'there'), remoteView('cams-door', 'there')],
};
const live: LiveNode = {
  appsChanged: () => events.push('apps'),
  kickWhere: (pred, reason) => {
    const n = cameras.filter(pred).length;
    events.push(`kick ${reason} ${n}`);
    return n;
  },
  streams,
};
const node = new ControlService({ store, maxFrameBytes: 262_144, publicBase: () => BASE, log, live });
const cli = new ControlService({ store, maxFrameBytes: 262_144, publicBase: () => BASE, log, live: null });
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

test('play tokens: signed with the app\'s secret for one room (short or full name, with its URLs) or every room; ttl checked', async () => {
  const app = node.requireApp('cams');
  const room = node.roomPlayToken('cams', 'door', '600');
  assert.equal(room.room, 'cams-door');
  assert.equal(checkPlayToken(room.token, app.playSecret, 'cams', 'cams-door').check, 'ok');
  assert.ok(Math.abs(Date.parse(room.expiresAt) - Date.now() - 600_000) < 2_000);
  assert.equal(room.mjpegUrl, `${BASE}/live/cams/door/mjpeg?token=${encodeURIComponent(room.token)}`);
  assert.equal(room.viewerWsUrl, `wss://cams.example/live/ws?app=cams&room=door&token=${encodeURIComponent(room.token)}`);
  assert.equal(node.roomPlayToken('cams', 'cams-door', null).room, 'cams-door', 'a full name is taken as the short one');
  const wide = cli.appPlayToken('cams', null);
  assert.deepEqual(Object.keys(wide), ['token', 'app', 'room', 'expiresAt']);
  assert.equal(checkPlayToken(wide.token, app.playSecret, 'cams', 'cams-anything').check, 'ok');
  for (const ttl of ['9', '86401', '1.5', 'soon']) assert.throws(() => node.appPlayToken('cams', ttl), code('invalid_field'), ttl);
  assert.throws(() => node.roomPlayToken('cams', 'bad room', null), code('invalid_field'));
  assert.throws(() => node.appPlayToken('ghost', null), code('not_found'));
});

test('streams: this node\'s view of a room, merged with the other nodes\' (stale entries dropped), one by short or full name', async () => {
  const list = await node.streams('cams');
  assert.deepEqual(list.map((s) => [s.room, s.node]), [['cams-door', 'here'], ['cams-gate', 'there']]);
  const door = await node.stream('cams', 'door');
  assert.deepEqual(door, list[0]);
  assert.deepEqual(await node.stream('cams', 'cams-door'), door);
  assert.equal(door.fps, 7.9);
  assert.equal(door.bytesPerSec, 1234);
  assert.equal(door.frames, 12);
  assert.deepEqual(door.viewers, { mjpeg: 2, ws: 0, wall: 0, total: 2 });
  assert.deepEqual(door.lastClose, { code: 4409, reason: 'replaced', at: new Date(2_000).toISOString() });
  assert.equal(door.shard, 1);
  assert.equal(door.lastFrameAt, null);
  assert.equal(door.playerUrl, `${BASE}/play/cams/door`);
  assert.equal((await node.stream('cams', 'gate')).node, 'there');
  await assert.rejects(node.stream('cams', 'attic'), code('stream_offline'));
  await assert.rejects(node.streams('ghost'), code('not_found'));
  await assert.rejects(cli.streams('cams'), code('unavailable'), 'the CLI has no live node');
});
