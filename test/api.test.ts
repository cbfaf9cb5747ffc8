// The control API: every route called with no token, a wrong token, a token lacking the
// route's scope and the right token; JSON errors; app-restricted tokens; keys, apps and
// streams; revoke and quota effects on live cameras.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { apiRoutes, AUTH_FAIL_BURST, type ApiDeps } from '../src/primary/api/index.js';
import { compile } from '../src/primary/api/router.js';
import { loadConfig } from '../src/config.js';
import { rawCamera, wsViewer } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

describe('API authorisation matrix', () => {
  let srv: TestServer;
  before(async () => {
    // Some tests need connections on both workers (e.g. revoking through the other one).
    srv = await startTestServer({ accept: 'all' });
  });
  after(() => srv.stop());

  /** Each route: its scope, and a function giving the call and the status the right token gets. */
  const routes: { scope: string; call: () => Promise<{ method: string; path: string; body?: unknown; expect: number }> }[] = [
    { scope: 'apps:read', call: async () => ({ method: 'GET', path: '/api/v1/apps', expect: 200 }) },
    { scope: 'apps:write', call: async () => ({ method: 'POST', path: '/api/v1/apps', body: { name: `m${Date.now() % 100000}` }, expect: 201 }) },
    { scope: 'apps:read', call: async () => ({ method: 'GET', path: '/api/v1/apps/live', expect: 200 }) },
    { scope: 'apps:write', call: async () => ({ method: 'PATCH', path: '/api/v1/apps/live', body: { maxCameras: 0 }, expect: 200 }) },
    {
      scope: 'apps:write',
      call: async () => {
        const name = `del${Math.floor(Math.random() * 1e6)}`;
        await srv.api('POST', '/api/v1/apps', { name });
        return { method: 'DELETE', path: `/api/v1/apps/${name}`, expect: 200 };
      },
    },
    { scope: 'ingress:create', call: async () => ({ method: 'POST', path: '/api/v1/apps/live/ws-ingest', body: { room: 'matrix' }, expect: 201 }) },
    { scope: 'ingress:read', call: async () => ({ method: 'GET', path: '/api/v1/apps/live/ws-ingest', expect: 200 }) },
    { scope: 'ingress:delete', call: async () => ({ method: 'DELETE', path: `/api/v1/apps/live/ws-ingest/${(await srv.mintKey('gone')).id}`, expect: 200 }) },
    { scope: 'ingress:create', call: async () => ({ method: 'POST', path: '/api/v1/apps/live/ws-ingest/bulk', body: { cameras: [{ room: `bulk${Math.random().toString(36).slice(2, 8)}` }] }, expect: 201 }) },
    { scope: 'ingress:delete', call: async () => ({ method: 'POST', path: '/api/v1/apps/live/ws-ingest/bulk-revoke', body: { ids: [(await srv.mintKey(`bulkgone${Math.random().toString(36).slice(2, 8)}`)).id] }, expect: 200 }) },
    { scope: 'ingress:read', call: async () => ({ method: 'GET', path: '/api/v1/apps/live/fleet', expect: 200 }) },
    { scope: 'streams:read', call: async () => ({ method: 'GET', path: '/api/v1/apps/live/streams', expect: 200 }) },
    { scope: 'streams:read', call: async () => ({ method: 'GET', path: '/api/v1/apps/live/streams/nobody', expect: 404 }) },
    { scope: 'streams:read', call: async () => ({ method: 'GET', path: '/api/v1/apps/live/play-token/cam1', expect: 200 }) },
    { scope: 'streams:read', call: async () => ({ method: 'GET', path: '/api/v1/apps/live/play-token', expect: 200 }) },
    { scope: 'streams:read', call: async () => ({ method: 'GET', path: '/api/v1/cluster/nodes', expect: 200 }) },
    { scope: 'apps:write', call: async () => ({ method: 'POST', path: '/api/v1/apps/live/rotate-play-secret', expect: 200 }) },
    { scope: 'tokens:read', call: async () => ({ method: 'GET', path: '/api/v1/tokens', expect: 200 }) },
    { scope: 'tokens:write', call: async () => ({ method: 'POST', path: '/api/v1/tokens', body: { name: 'x', scopes: ['tokens:write'] }, expect: 201 }) },
    {
      scope: 'tokens:write',
      call: async () => {
        // A token can revoke only tokens within its own scopes (see test/adminToken.test.ts).
        const t = await srv.api('POST', '/api/v1/tokens', { name: 'victim', scopes: ['tokens:write'] });
        return { method: 'DELETE', path: `/api/v1/tokens/${t.body.data.id}`, expect: 200 };
      },
    },
  ];

  test('every route: 401 without or with a wrong token, 403 naming the missing scope, success with it', async () => {
    const tokenFor = new Map<string, string>();
    const other = new Map<string, string>();
    for (const scope of new Set(routes.map((r) => r.scope))) {
      const right = await srv.api('POST', '/api/v1/tokens', { name: `only ${scope}`, scopes: [scope] });
      assert.equal(right.status, 201);
      tokenFor.set(scope, right.body.data.token);
      const wrongScope = scope === 'streams:read' ? 'apps:read' : 'streams:read';
      other.set(scope, (await srv.api('POST', '/api/v1/tokens', { name: `not ${scope}`, scopes: [wrongScope] })).body.data.token);
    }
    // The failed calls come from a new loopback address per route: the failed-auth bucket
    // of one address (AUTH_FAIL_BURST) would otherwise run out before the matrix does.
    const from = (ip: string, method: string, path: string, body: unknown, token: string | null): Promise<{ status: number; body: any }> =>
      new Promise((resolve, reject) => {
        const headers: Record<string, string> = body === undefined ? {} : { 'Content-Type': 'application/json' };
        if (token !== null) headers.Authorization = `Bearer ${token}`;
        const req = http.request(`http://127.0.0.1:${srv.port}${path}`, { method, headers, localAddress: ip, agent: false }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      });
    let calls = 0;
    for (const [i, route] of routes.entries()) {
      const c = await route.call();
      const label = `${c.method} ${c.path}`;
      const ip = `127.0.1.${i + 1}`;
      const none = await from(ip, c.method, c.path, c.body, null);
      assert.equal(none.status, 401, `${label} without a token`);
      assert.equal(none.body.error.code, 'unauthorized');
      const wrong = await from(ip, c.method, c.path, c.body, 'fht_not-a-real-token');
      assert.equal(wrong.status, 401, `${label} with a wrong token`);
      assert.equal(wrong.body.error.code, 'unauthorized');
      const lacking = await srv.api(c.method, c.path, c.body, other.get(route.scope));
      assert.equal(lacking.status, 403, `${label} without ${route.scope}`);
      assert.equal(lacking.body.error.code, 'forbidden');
      assert.match(lacking.body.error.message, new RegExp(route.scope));
      const right = await srv.api(c.method, c.path, c.body, tokenFor.get(route.scope));
      assert.equal(right.status, c.expect, `${label} with ${route.scope}: ${JSON.stringify(right.body)}`);
      calls += 4;
    }
    assert.equal(calls, routes.length * 4);
    // Every route of the API is in this matrix (docs/security.md says so).
    const table = compile(apiRoutes({ config: loadConfig() } as ApiDeps));
    const called = await Promise.all(routes.map(async (r) => r.call()));
    for (const route of table) assert.ok(called.some((c) => c.method === route.method && route.regex.test(c.path.split('?')[0]!)), `${route.method} ${route.pattern} is in the matrix`);
  });

  test('malformed JSON, wrong types, unknown fields, long and path-like names: 400 naming the field', async () => {
    const cases: [string, string, unknown, string, RegExp][] = [
      ['POST', '/api/v1/apps/live/ws-ingest', '{"room": ', 'invalid_json', /not valid JSON/],
      ['POST', '/api/v1/apps/live/ws-ingest', { room: 42 }, 'invalid_field', /^room: /],
      ['POST', '/api/v1/apps/live/ws-ingest', { room: 'a', colour: 'red' }, 'invalid_field', /unknown field "colour"/],
      ['POST', '/api/v1/apps/live/ws-ingest', { room: 'x'.repeat(65) }, 'invalid_field', /^room: /],
      ['POST', '/api/v1/apps/live/ws-ingest', { room: '../../etc' }, 'invalid_field', /^room: /],
      ['POST', '/api/v1/apps', { name: 'UPPER' }, 'invalid_field', /^name: /],
      ['PATCH', '/api/v1/apps/live', { maxFps: 'fast' }, 'invalid_field', /^maxFps: /],
      ['PATCH', '/api/v1/apps/live', {}, 'invalid_field', /at least one setting/],
      ['POST', '/api/v1/tokens', { name: 'x', scopes: ['root'] }, 'invalid_field', /scopes\.0/],
      ['GET', '/api/v1/apps/..%2F..%2Fetc/ws-ingest', undefined, 'invalid_field', /^app: /],
    ];
    for (const [method, path, body, code, message] of cases) {
      const r = await srv.api(method, path, body);
      assert.equal(r.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
      assert.equal(r.body.error.code, code);
      assert.match(r.body.error.message, message);
    }
    const huge = await srv.api('POST', '/api/v1/apps/live/ws-ingest', JSON.stringify({ room: 'a', pad: 'x'.repeat(70_000) }));
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, 'payload_too_large');
    const missing = await srv.api('GET', '/api/v1/nothing-here');
    assert.equal(missing.status, 404);
    const method = await srv.api('PUT', '/api/v1/apps');
    assert.equal(method.status, 405);
    assert.equal(method.body.error.code, 'method_not_allowed');
  });

  test('lists never carry secrets; an app-restricted token stays in its app and cannot escalate', async () => {
    const key = await srv.mintKey('secretive');
    const keys = await srv.api('GET', '/api/v1/apps/live/ws-ingest');
    const listed = keys.body.data.find((k: any) => k.id === key.id);
    assert.deepEqual(Object.keys(listed).sort(), ['app', 'createdAt', 'id', 'identity', 'lastClose', 'lastSeenAt', 'live', 'name', 'room']);
    assert.ok(!JSON.stringify(keys.body).includes(key.streamKey));
    const tokens = await srv.api('GET', '/api/v1/tokens');
    assert.ok(tokens.body.data.every((t: any) => !('token' in t) && !('hash' in t)));

    await srv.api('POST', '/api/v1/apps', { name: 'tenant' });
    const scoped = (await srv.api('POST', '/api/v1/tokens', { name: 'tenant ops', scopes: ['ingress:create', 'tokens:write', 'apps:read'], app: 'tenant' })).body.data.token;
    assert.equal((await srv.api('POST', '/api/v1/apps/tenant/ws-ingest', { room: 'c1' }, scoped)).status, 201);
    const elsewhere = await srv.api('POST', '/api/v1/apps/live/ws-ingest', { room: 'c1' }, scoped);
    assert.equal(elsewhere.status, 403);
    assert.match(elsewhere.body.error.message, /restricted to app tenant/);
    assert.deepEqual((await srv.api('GET', '/api/v1/apps', undefined, scoped)).body.data.map((a: any) => a.name), ['tenant']);
    const escalate = await srv.api('POST', '/api/v1/tokens', { name: 'more', scopes: ['apps:write'] }, scoped);
    assert.equal(escalate.status, 403);
    assert.match(escalate.body.error.message, /apps:write/);
    const star = await srv.api('POST', '/api/v1/tokens', { name: 'star', scopes: ['*'] }, scoped);
    assert.equal(star.status, 403);
    const outOfApp = await srv.api('POST', '/api/v1/tokens', { name: 'other', scopes: ['apps:read'], app: 'live' }, scoped);
    assert.equal(outOfApp.status, 403);
  });

  test('apps: create, read, update limits (they reach ready), delete; 409 on a duplicate', async () => {
    const created = await srv.api('POST', '/api/v1/apps', { name: 'lab', maxFps: 7, idleTimeoutSec: 12, maxFrameBytes: 100_000 });
    assert.equal(created.status, 201);
    assert.deepEqual({ ...created.body.data, createdAt: 'x' }, { name: 'lab', wsIngest: true, publicPlayback: true, maxCameras: 0, maxFps: 7, maxFrameBytes: 100_000, idleTimeoutSec: 12, createdAt: 'x', liveCameras: 0 });
    assert.equal((await srv.api('POST', '/api/v1/apps', { name: 'lab' })).status, 409);
    const key = (await srv.api('POST', '/api/v1/apps/lab/ws-ingest', { room: 'c' })).body.data;
    const cam = rawCamera(srv.port, { app: 'lab', room: 'c', key: key.streamKey });
    const ready = await cam.ready;
    assert.deepEqual([ready.maxFps, ready.maxFrameBytes, ready.idleTimeoutSec], [7, 100_000, 12]);
    const patched = await srv.api('PATCH', '/api/v1/apps/lab', { maxFps: null });
    assert.equal(patched.body.data.maxFps, null);
    const deleted = await srv.api('DELETE', '/api/v1/apps/lab');
    assert.deepEqual(deleted.body.data, { deleted: 'lab', closedCameras: 1 });
    const closed = await cam.closed;
    assert.equal(closed.code, 4401);
    assert.equal(closed.reason, 'unknown_app');
    assert.equal((await srv.api('GET', '/api/v1/apps/lab')).status, 404);
  });

  const request = (agent: http.Agent, method: string, path: string): Promise<{ status: number; shard: number; body: any }> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: srv.port, path, method, agent, headers: { Authorization: `Bearer ${srv.token}` } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, shard: Number(res.headers['x-framehub-shard']), body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end();
    });

  test('revoking a key closes its live camera with 4401 even when the API call lands on another worker', async () => {
    const key = await srv.mintKey('revokeme');
    const cam = rawCamera(srv.port, { room: 'revokeme', key: key.streamKey });
    await cam.ready;
    const camShard = (await srv.inspect()).find((w) => w.cameras.some((c) => c.room === 'live-revokeme'))!.shard;
    // One keep-alive connection per try: keep the first that lands on the other worker.
    let revoke: { shard: number; body: any } | null = null;
    for (let i = 0; i < 40 && !revoke; i++) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const probe = await request(agent, 'GET', '/api/v1/apps/live/ws-ingest');
      if (probe.shard !== camShard) {
        const r = await request(agent, 'DELETE', `/api/v1/apps/live/ws-ingest/${key.id}`);
        assert.equal(r.status, 200);
        assert.equal(r.shard, probe.shard, 'same connection, same worker');
        revoke = r;
      }
      agent.destroy();
    }
    assert.ok(revoke, 'found a connection on the other worker');
    assert.notEqual(revoke.shard, camShard);
    assert.equal(revoke.body.data.closedCameras, 1);
    const closed = await cam.closed;
    assert.equal(closed.code, 4401);
    assert.equal(cam.messages.at(-1).message, 'key_revoked');
    const again = rawCamera(srv.port, { room: 'revokeme', key: key.streamKey });
    assert.equal((await again.closed).code, 4401, 'the key stops working at once');
  });

  test('lastClose: a key and its room remember how the camera left (normal, replaced, revoked)', async () => {
    const key = await srv.mintKey('closer');
    const keyEntry = async () => (await srv.api('GET', '/api/v1/apps/live/ws-ingest')).body.data.find((k: any) => k.id === key.id);
    assert.equal((await keyEntry()).lastClose, null, 'nothing before the first connection');
    const first = rawCamera(srv.port, { room: 'closer', key: key.streamKey });
    await first.ready;
    const second = rawCamera(srv.port, { room: 'closer', key: key.streamKey });
    await second.ready;
    assert.equal((await first.closed).code, 4409);
    const replaced = await keyEntry();
    assert.equal(replaced.live, true);
    assert.deepEqual({ code: replaced.lastClose.code, reason: replaced.lastClose.reason }, { code: 4409, reason: 'replaced' });
    second.ws.close(1000);
    await second.closed;
    const normal = await waitFor(async () => {
      const k = await keyEntry();
      return k.lastClose?.code === 1000 ? k : null;
    }, 5000, 'lastClose 1000 on the key');
    assert.equal(normal.live, false);
    assert.equal(normal.lastClose.reason, 'normal');
    assert.ok(Date.now() - Date.parse(normal.lastClose.at) < 60_000);

    const third = rawCamera(srv.port, { room: 'closer', key: key.streamKey });
    await third.ready;
    assert.equal((await srv.api('DELETE', `/api/v1/apps/live/ws-ingest/${key.id}`)).status, 200);
    assert.equal((await third.closed).code, 4401);
    // The key is gone from the list; its room, away for the grace period, shows why.
    const away = await waitFor(async () => {
      const s = (await srv.api('GET', '/api/v1/apps/live/streams')).body.data.find((x: any) => x.room === 'live-closer');
      return s?.state === 'away' && s.lastClose?.code === 4401 ? s : null;
    }, 5000, 'away stream with lastClose 4401');
    assert.equal(away.lastClose.reason, 'key_revoked');
  });

  test('quota: the (maxCameras+1)-th camera gets 4403 max_cameras; wsIngest off closes live cameras with 4403', async () => {
    await srv.api('POST', '/api/v1/apps', { name: 'quota', maxCameras: 2 });
    const keys = await Promise.all(['q1', 'q2', 'q3'].map(async (room) => (await srv.api('POST', '/api/v1/apps/quota/ws-ingest', { room })).body.data));
    const c1 = rawCamera(srv.port, { app: 'quota', room: 'q1', key: keys[0].streamKey });
    const c2 = rawCamera(srv.port, { app: 'quota', room: 'q2', key: keys[1].streamKey });
    await Promise.all([c1.ready, c2.ready]);
    const c3 = rawCamera(srv.port, { app: 'quota', room: 'q3', key: keys[2].streamKey });
    const closed3 = await c3.closed;
    assert.equal(closed3.code, 4403);
    assert.equal(c3.messages[0].message, 'max_cameras');
    const again1 = rawCamera(srv.port, { app: 'quota', room: 'q1', key: keys[0].streamKey });
    await again1.ready; // replacing its own connection is not a new camera
    assert.equal((await c1.closed).code, 4409);
    await srv.api('PATCH', '/api/v1/apps/quota', { wsIngest: false });
    for (const c of [again1, c2]) {
      const closed = await c.closed;
      assert.equal(closed.code, 4403);
      assert.equal(closed.reason, 'ws_ingest_disabled');
    }
  });

  test('streams: a WS camera appears as ws-mjpeg with rates, viewers and its last stats', async () => {
    const key = await srv.mintKey('shown');
    const cam = rawCamera(srv.port, { room: 'shown', key: key.streamKey, extraQuery: '&identity=esp32-a1' });
    await cam.ready;
    const { loadFrames } = await import('../src/camera/frames.js');
    const frames = loadFrames('qvga');
    let i = 0;
    const timer = setInterval(() => cam.ws.send(frames[i++ % 16]!), 100);
    cam.ws.send(JSON.stringify({ type: 'stats', fps: 10, rssi: -61, heapFree: 41232 }));
    const viewer = wsViewer(srv.port, 'live', 'shown');
    await viewer.waitFrames(1);
    const stream = await waitFor(async () => {
      const r = await srv.api('GET', '/api/v1/apps/live/streams');
      const s = r.body.data.find((x: any) => x.room === 'live-shown');
      return s && s.fps > 5 && s.stats ? s : null;
    }, 8000, 'stream with rates and stats');
    clearInterval(timer);
    assert.equal(stream.type, 'ws-mjpeg');
    assert.match(stream.streamId, /^live-shown\/wscam-[0-9a-f]{4}$/);
    assert.equal(stream.state, 'live');
    assert.equal(stream.identity, 'esp32-a1');
    assert.equal(stream.viewers.ws, 1);
    assert.deepEqual({ fps: stream.stats.fps, rssi: stream.stats.rssi, heapFree: stream.stats.heapFree }, { fps: 10, rssi: -61, heapFree: 41232 });
    assert.ok(stream.bytesPerSec > 10_000);
    assert.ok(stream.frames > 0 && stream.bytes > 0);
    assert.equal(stream.droppedFrames, 0);
    const one = await srv.api('GET', '/api/v1/apps/live/streams/shown');
    assert.equal(one.body.data.streamId, stream.streamId);
    viewer.ws.close();
    cam.ws.close(1000);
    await cam.closed;
  });
});

describe('API abuse limits', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.stop());

  test('failed authentications are rate limited per address (429); a valid token from there still works', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < AUTH_FAIL_BURST + 5; i++) statuses.push((await srv.api('GET', '/api/v1/apps', undefined, `fht_guess-${i}`)).status);
    assert.equal(statuses[0], 401);
    assert.equal(statuses.at(-1), 429);
    const limited = await srv.api('GET', '/api/v1/apps', undefined, 'fht_guess-again');
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'rate_limited');
    // The token is checked before the bucket: someone else's guesses never lock out the operator.
    const good = await srv.api('GET', '/api/v1/apps');
    assert.equal(good.status, 200, JSON.stringify(good.body));
    assert.equal((await srv.api('GET', '/api/v1/apps', undefined, null)).status, 429, 'no token at all is a failed attempt too');
  });
});
