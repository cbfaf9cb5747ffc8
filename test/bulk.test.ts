// Bulk provisioning end to end against the real server: the API mints 600 keys in one call
// (a minted key really connects a camera), refuses a list with problems as a whole with one
// error per item (nothing minted), caps the list, and revokes many keys at once (their live
// cameras closed with 4401). The CLI `framehub keys mint --app live --from rooms.csv` on a
// running server's data dir writes a 0600 CSV of keys and URLs (never over a file, never a
// key on stdout), refuses a bad line naming it, and a key from the file connects a camera.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { KEY_COLUMNS } from '../src/provisioning/csv.js';
import { startChild, type ChildServer } from './helpers/child.js';
import { rawCamera } from './helpers/clients.js';
import { tempDir } from './helpers/paths.js';
import { MAIN } from './helpers/paths.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const run = promisify(execFile);

describe('bulk API', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.stop());

  test('scopes: 401 without or with a wrong token, 403 naming the missing scope, success with it', async () => {
    const routes: [string, string, () => Promise<unknown>, number][] = [
      ['ingress:create', '/api/v1/apps/live/ws-ingest/bulk', async () => ({ cameras: [{ room: `scoped${Math.random().toString(36).slice(2, 8)}` }] }), 201],
      ['ingress:delete', '/api/v1/apps/live/ws-ingest/bulk-revoke', async () => ({ ids: [(await srv.mintKey('scopedgone')).id] }), 200],
    ];
    for (const [scope, p, body, expect] of routes) {
      const right = (await srv.api('POST', '/api/v1/tokens', { name: `only ${scope}`, scopes: [scope] })).body.data.token;
      const lacking = (await srv.api('POST', '/api/v1/tokens', { name: `not ${scope}`, scopes: ['streams:read'] })).body.data.token;
      const b = await body();
      assert.equal((await srv.api('POST', p, b, null)).status, 401);
      assert.equal((await srv.api('POST', p, b, 'fht_not-a-real-token')).status, 401);
      const refused = await srv.api('POST', p, b, lacking);
      assert.equal(refused.status, 403);
      assert.match(refused.body.error.message, new RegExp(scope));
      assert.equal((await srv.api('POST', p, b, right)).status, expect);
    }
  });

  test('600 keys in one call, shown once with their URLs; a minted key connects a camera', async () => {
    const cameras = Array.from({ length: 600 }, (_, i) => ({ room: `cam${String(i).padStart(3, '0')}`, identity: `esp32-${i}` }));
    const r = await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk', { cameras });
    assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 300));
    const { minted, limit, keys } = r.body.data;
    assert.equal(minted, 600);
    assert.equal(limit, 1000);
    assert.equal(keys.length, 600);
    assert.equal(new Set(keys.map((k: any) => k.streamKey)).size, 600);
    assert.deepEqual(Object.keys(keys[7]).sort(), ['embedUrl', 'frameUrl', 'id', 'identity', 'mjpegUrl', 'name', 'playerUrl', 'room', 'streamKey', 'wsUrl']);
    assert.equal(keys[7].name, 'cam007');
    assert.equal(keys[7].identity, 'esp32-7');
    assert.match(keys[7].mjpegUrl, /\/live\/live\/cam007\/mjpeg$/);
    const listed = await srv.api('GET', '/api/v1/apps/live/ws-ingest');
    assert.equal(listed.body.data.filter((k: any) => /^cam\d{3}$/.test(k.name)).length, 600);
    assert.ok(!JSON.stringify(listed.body).includes(keys[0].streamKey), 'lists never carry a key');
    const cam = rawCamera(srv.port, { room: 'cam599', key: keys[599].streamKey });
    assert.equal((await cam.ready).room, 'live-cam599');
    cam.ws.close(1000);
    await cam.closed;
  });

  test('all or nothing: one error per bad item (invalid, duplicate, existing room), nothing minted', async () => {
    const before = (await srv.api('GET', '/api/v1/apps/live/ws-ingest')).body.data.length;
    const r = await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk', {
      cameras: [{ room: 'fresh1' }, { room: 'bad room' }, { room: 'fresh1' }, { room: 'cam001' }, { room: 'ok2', identity: 'x', colour: 'red' }, { room: 'ok3' }],
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'invalid_field');
    assert.match(r.body.error.message, /4 of 6 cameras have problems; nothing was changed/);
    assert.deepEqual(r.body.error.items.map((i: any) => [i.index, i.code]), [[1, 'invalid_field'], [2, 'duplicate'], [3, 'exists'], [4, 'invalid_field']]);
    assert.match(r.body.error.items[0].message, /^room: /);
    assert.match(r.body.error.items[3].message, /unknown field "colour"/);
    assert.equal((await srv.api('GET', '/api/v1/apps/live/ws-ingest')).body.data.length, before, 'nothing minted');
    // allowExistingRooms mints a second key for a room that has one.
    const again = await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk', { cameras: [{ room: 'cam001' }], allowExistingRooms: true });
    assert.equal(again.status, 201);
    // The stated limit, an empty list, a body that is not a list.
    const over = await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk', { cameras: Array.from({ length: 1001 }, (_, i) => ({ room: `o${i}` })) });
    assert.equal(over.status, 400);
    assert.match(over.body.error.message, /^cameras: at most 1000 cameras per call/);
    assert.match((await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk', { cameras: [] })).body.error.message, /^cameras: must not be empty/);
    assert.equal((await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk', { rooms: ['a'] })).status, 400);
    assert.equal((await srv.api('POST', '/api/v1/apps/nope/ws-ingest/bulk', { cameras: [{ room: 'a' }] })).status, 404);
  });

  test('bulk revoke by ids and rooms: live cameras closed with 4401; an unknown id refuses the whole call', async () => {
    const minted = (await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk', { cameras: [{ room: 'rv1' }, { room: 'rv2' }, { room: 'rv3' }] })).body.data.keys;
    const cams = minted.map((k: any) => rawCamera(srv.port, { room: k.name, key: k.streamKey }));
    await Promise.all(cams.map((c: any) => c.ready));
    const refused = await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk-revoke', { ids: [minted[0].id, 'wsi_000000000000'] });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body.error.items.map((i: any) => [i.index, i.code, i.id]), [[1, 'not_found', 'wsi_000000000000']]);
    assert.equal((await srv.api('GET', '/api/v1/apps/live/ws-ingest')).body.data.filter((k: any) => k.name.startsWith('rv')).length, 3, 'nothing revoked');
    const r = await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk-revoke', { ids: [minted[0].id], rooms: ['rv2', 'rv3'] });
    assert.equal(r.status, 200);
    assert.equal(r.body.data.revoked.length, 3);
    assert.equal(r.body.data.closedCameras, 3);
    for (const c of cams) assert.deepEqual(await c.closed, { code: 4401, reason: 'key_revoked' });
    assert.equal((await srv.api('GET', '/api/v1/apps/live/ws-ingest')).body.data.filter((k: any) => k.name.startsWith('rv')).length, 0);
    assert.equal((await srv.api('POST', '/api/v1/apps/live/ws-ingest/bulk-revoke', {})).status, 400);
  });
});

describe('bulk CLI', () => {
  let dataDir: string;
  let child: ChildServer;
  const cli = (...args: string[]) => run(process.execPath, [MAIN, ...args, '--data-dir', dataDir], { encoding: 'utf8', env: { ...process.env, FRAMEHUB_PUBLIC_URL: 'https://cams.example.com' } });
  before(async () => {
    dataDir = tempDir();
    child = await startChild({ FRAMEHUB_DATA_DIR: dataDir });
  });
  after(async () => {
    child.child.kill('SIGTERM');
    await child.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('keys mint --from rooms.csv writes a 0600 CSV of keys and URLs; a key from it connects a camera', async () => {
    const rooms = path.join(dataDir, '..', `rooms-${process.pid}.csv`);
    writeFileSync(rooms, '# lobby cameras\nroom,identity\nlobby1,esp32-lobby-1\n\n"lobby2","esp32, ""north"" door"\nlobby3\n');
    const out = path.join(dataDir, '..', `keys-${process.pid}.csv`);
    try {
      const { stdout } = await cli('keys', 'mint', '--app', 'live', '--from', rooms, '--out', out);
      const said = JSON.parse(stdout);
      assert.equal(said.minted, 3);
      assert.equal(said.file, out);
      assert.equal(said.mode, '0600');
      assert.match(said.note, /cannot be shown again/);
      assert.equal(statSync(out).mode & 0o777, 0o600);
      const text = readFileSync(out, 'utf8');
      assert.ok(!stdout.includes('wsk_'), 'no key on stdout');
      const rows = parse(text, { columns: true }) as Record<string, string>[];
      assert.deepEqual(Object.keys(rows[0]!), [...KEY_COLUMNS]);
      assert.deepEqual(rows.map((r) => [r.room, r.identity]), [['lobby1', 'esp32-lobby-1'], ['lobby2', 'esp32, "north" door'], ['lobby3', '']]);
      assert.equal(rows[1]!.mjpegUrl, 'https://cams.example.com/live/live/lobby2/mjpeg');
      assert.equal(rows[1]!.wsUrl, 'wss://cams.example.com/ingest/ws');
      const cam = rawCamera(child.port, { room: 'lobby2', key: rows[1]!.streamKey });
      assert.equal((await cam.ready).room, 'live-lobby2');
      cam.ws.close(1000);
      await cam.closed;

      // Never over an existing file (keys are shown once), and nothing minted then.
      await assert.rejects(cli('keys', 'mint', '--app', 'live', '--from', rooms, '--out', out), (err: any) => /the file exists/.test(err.stderr));
      // A bad line is named; nothing minted, no file left.
      const bad = path.join(dataDir, '..', `bad-${process.pid}.csv`);
      const out2 = `${out}.2`;
      writeFileSync(bad, 'yard1\nyard 2\nlobby1\n');
      await assert.rejects(cli('keys', 'mint', '--app', 'live', '--from', bad, '--out', out2), (err: any) => {
        assert.match(err.stderr, /2 of 3 cameras have problems; nothing was changed/);
        assert.match(err.stderr, /line 2 \(yard 2\): invalid_field: room: /);
        assert.match(err.stderr, /line 3 \(lobby1\): exists: /);
        return true;
      });
      assert.equal(existsSync(out2), false);
      const keys = await fetch(`${child.base}/api/v1/apps/live/ws-ingest`, { headers: { Authorization: `Bearer ${child.token}` } }).then((r) => r.json() as Promise<any>);
      assert.deepEqual(keys.data.map((k: any) => k.name).sort(), ['lobby1', 'lobby2', 'lobby3']);
      rmSync(bad);
    } finally {
      rmSync(rooms, { force: true });
      rmSync(out, { force: true });
    }
  });
});
