// The worker's Directory, alone: who may watch what (public app, room play token, app-wide
// token for the wall), the error each refusal carries (HTTP status and WS close reason),
// and what a new app table changes for viewers already connected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CloseReason } from '../src/errors.js';
import type { AppView, RoomInfo } from '../src/protocol.js';
import { signPlayToken } from '../src/playToken.js';
import { Directory } from '../src/worker/directory.js';

const SECRET = 'ab'.repeat(32);
const OTHER_SECRET = 'cd'.repeat(32);
const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

function room(app: string, name: string): RoomInfo {
  return { room: `${app}-${name}`, app, name, slot: 0, gen: 1, state: 'live', streamId: 's', startedAt: 0 };
}

function directory(): Directory {
  const d = new Directory();
  d.setApps([
    { name: 'live', publicPlayback: true, playSecret: SECRET },
    { name: 'vault', publicPlayback: false, playSecret: SECRET },
  ]);
  d.setRooms([room('live', 'cam1'), room('vault', 'cam1')]);
  return d;
}

test('a public app: any live room, by short or full name, without a token', () => {
  const d = directory();
  const short = d.access('live', 'cam1', null);
  assert.ok(short.ok);
  assert.equal(short.room.room, 'live-cam1');
  assert.equal(short.expiresAt, null);
  assert.ok(d.access('live', 'live-cam1', null).ok);
  const offline = d.access('live', 'cam9', null);
  assert.ok(!offline.ok);
  assert.deepEqual([offline.status, offline.code, offline.reason], [404, 'stream_offline', 'stream_offline']);
  assert.equal(CloseReason[offline.reason], 4404);
});

test('bad names and unknown apps are 404 not_found, before any room lookup', () => {
  const d = directory();
  for (const [app, name] of [['Bad App', 'cam1'], ['live', '../x'], ['nope', 'cam1']] as const) {
    const r = d.access(app, name, null);
    assert.ok(!r.ok);
    assert.deepEqual([r.status, r.code], [404, 'not_found'], `${app}/${name}`);
  }
});

test('a private app needs a valid, unexpired token for that room (or an app-wide one)', () => {
  const d = directory();
  const cases: [string | null, number, string, string][] = [
    [null, 401, 'invalid_play_token', 'invalid_token'],
    ['garbage.token', 401, 'invalid_play_token', 'invalid_token'],
    [signPlayToken({ app: 'vault', room: 'vault-cam1', exp: inAnHour() }, OTHER_SECRET), 401, 'invalid_play_token', 'invalid_token'],
    [signPlayToken({ app: 'vault', room: 'vault-cam1', exp: 1 }, SECRET), 401, 'invalid_play_token', 'invalid_token'],
    [signPlayToken({ app: 'vault', room: 'vault-cam2', exp: inAnHour() }, SECRET), 403, 'forbidden', 'wrong_room'],
  ];
  for (const [token, status, code, reason] of cases) {
    const r = d.access('vault', 'cam1', token);
    assert.ok(!r.ok);
    assert.deepEqual([r.status, r.code, r.reason], [status, code, reason], String(token));
  }
  const exp = inAnHour();
  const ok = d.access('vault', 'cam1', signPlayToken({ app: 'vault', room: 'vault-cam1', exp }, SECRET));
  assert.ok(ok.ok);
  assert.equal(ok.expiresAt, exp * 1000);
  assert.ok(d.access('vault', 'cam1', signPlayToken({ app: 'vault', room: '*', exp }, SECRET)).ok);
  // The player page loads for an offline room once access is allowed.
  assert.ok(d.authorize('vault', 'cam9', signPlayToken({ app: 'vault', room: '*', exp }, SECRET)).ok);
});

test('the wall needs the app public or an app-wide token; a room token is 403 wrong_room', () => {
  const d = directory();
  assert.ok(d.authorizeApp('live', null).ok);
  const roomToken = d.authorizeApp('vault', signPlayToken({ app: 'vault', room: 'vault-cam1', exp: inAnHour() }, SECRET));
  assert.ok(!roomToken.ok);
  assert.deepEqual([roomToken.status, roomToken.code, roomToken.reason], [403, 'forbidden', 'wrong_room']);
  const none = d.authorizeApp('vault', null);
  assert.ok(!none.ok);
  assert.deepEqual([none.status, none.reason], [401, 'invalid_token']);
  assert.ok(d.authorizeApp('vault', signPlayToken({ app: 'vault', room: '*', exp: inAnHour() }, SECRET)).ok);
  assert.ok(!d.authorizeApp('nope', null).ok);
});

test('a new app table reports apps lost (deleted or turned private) and rotated play secrets', () => {
  const d = new Directory();
  const apps: AppView[] = [
    { name: 'a', publicPlayback: true, playSecret: SECRET },
    { name: 'b', publicPlayback: true, playSecret: SECRET },
    { name: 'c', publicPlayback: false, playSecret: SECRET },
    { name: 'd', publicPlayback: false, playSecret: SECRET },
  ];
  const first = d.setApps(apps);
  assert.deepEqual([[...first.lost], first.rotated], [[], []]);
  const next = d.setApps([
    { name: 'b', publicPlayback: false, playSecret: SECRET },
    { name: 'c', publicPlayback: true, playSecret: SECRET },
    { name: 'd', publicPlayback: false, playSecret: OTHER_SECRET },
    { name: 'e', publicPlayback: true, playSecret: SECRET },
  ]);
  assert.deepEqual([...next.lost].sort(), ['a', 'b']);
  assert.deepEqual(next.rotated, ['d']);
});
