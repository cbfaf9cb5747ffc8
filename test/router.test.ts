// The control API's router and request pipeline without a server: route matching (404 vs
// 405, params, percent-encoding), JSON parsing, the error bodies with the table's status,
// and createApi's order of checks (route, token, app name, scope) with a tiny fake store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodedError } from '../src/errors.js';
import type { ApiToken } from '../src/keys.js';
import { createApi, AUTH_FAIL_BURST, type ApiDeps } from '../src/primary/api/index.js';
import { compile, fail, match, ok, parseJson, type Route } from '../src/primary/api/router.js';
import type { ApiRequest } from '../src/protocol.js';
import { hashSecret } from '../src/secretHash.js';
import { createLogger } from '../src/telemetry.js';

const echo: Route['handler'] = ({ params }) => ok(200, params);
const routes = compile([
  { method: 'GET', pattern: '/api/v1/apps', scope: 'apps:read', handler: echo },
  { method: 'GET', pattern: '/api/v1/apps/:app', scope: 'apps:read', handler: echo },
  { method: 'DELETE', pattern: '/api/v1/apps/:app/ws-ingest/:id', scope: 'ingress:delete', handler: echo },
]);

test('match: a route with its params (decoded, trailing slash allowed), 405 for a known path, 404 otherwise', () => {
  const found = match(routes, 'DELETE', '/api/v1/apps/live/ws-ingest/k%201/');
  assert.ok(!(found instanceof CodedError));
  assert.equal(found.route.pattern, '/api/v1/apps/:app/ws-ingest/:id');
  assert.deepEqual(found.params, { app: 'live', id: 'k 1' });
  const wrongMethod = match(routes, 'POST', '/api/v1/apps/live');
  assert.ok(wrongMethod instanceof CodedError);
  assert.equal(wrongMethod.code, 'method_not_allowed');
  const unknown = match(routes, 'GET', '/api/v1/nope');
  assert.ok(unknown instanceof CodedError);
  assert.equal(unknown.code, 'not_found');
  const malformed = match(routes, 'GET', '/api/v1/apps/%E0%A4%A');
  assert.ok(malformed instanceof CodedError);
  assert.equal(malformed.code, 'bad_request');
  // A param never spans a slash.
  assert.ok(match(routes, 'GET', '/api/v1/apps/a/b') instanceof CodedError);
});

test('fail answers the error table\'s status with the {error:{code,message}} body; ok wraps data', () => {
  assert.deepEqual(fail(new CodedError('conflict', 'app x exists')), { status: 409, body: '{"error":{"code":"conflict","message":"app x exists"}}' });
  assert.equal(fail(new CodedError('worker_gone', 'gone')).status, 500);
  assert.deepEqual(ok(201, { a: 1 }), { status: 201, body: '{"data":{"a":1}}' });
});

test('parseJson: an empty or broken body is 400 invalid_json', () => {
  assert.deepEqual(parseJson('{"a":1}'), { a: 1 });
  for (const body of ['', '  ', '{a:1}']) {
    assert.throws(() => parseJson(body), (err: CodedError) => err.code === 'invalid_json' && err.status === 400);
  }
});

// ---- createApi with a fake store: the pipeline's order of checks ----

const tokens: Record<string, ApiToken> = {
  admin: { id: 't1', name: 'admin', hash: hashSecret('admin-secret'), scopes: ['*'], app: null, createdAt: 0 },
  reader: { id: 't2', name: 'reader', hash: hashSecret('reader-secret'), scopes: ['streams:read'], app: 'live', createdAt: 0 },
};
const apps = [{ name: 'live', wsIngest: true, publicPlayback: false, maxCameras: 10, maxFps: null, maxFrameBytes: null, idleTimeoutSec: null, createdAt: 0, playSecret: 'x' }];
const observed: [string | null, number][] = [];
const deps = {
  config: { maxFrameBytes: 262_144 },
  store: {
    findTokenByHash: (hash: string) => Object.values(tokens).find((t) => t.hash === hash),
    listApps: () => apps,
    getApp: (name: string) => apps.find((a) => a.name === name),
  },
  cameras: { countForApp: () => 0 },
  log: createLogger('silent'),
  observe: (_req: ApiRequest, route: string | null, _app: string | undefined, res: { status: number }) => observed.push([route, res.status]),
} as unknown as ApiDeps;
const api = createApi(deps);
const call = (method: string, path: string, secret?: string, ip = '10.0.0.1') =>
  api({ kind: 'api', method, path, query: '', headers: secret ? { authorization: `Bearer ${secret}` } : {}, body: '', ip });
const codeOf = (res: { body: string }) => (JSON.parse(res.body) as { error: { code: string } }).error.code;

test('createApi: unknown route 404 before any token check; missing or unknown token 401; missing scope or other app 403', async () => {
  assert.equal((await call('GET', '/api/v1/nowhere')).status, 404);
  const noToken = await call('GET', '/api/v1/apps');
  assert.equal(noToken.status, 401);
  assert.equal(codeOf(noToken), 'unauthorized');
  assert.equal((await call('GET', '/api/v1/apps', 'wrong')).status, 401);
  const noScope = await call('GET', '/api/v1/apps', 'reader-secret');
  assert.equal(noScope.status, 403);
  assert.equal(codeOf(noScope), 'forbidden');
  const otherApp = await call('GET', '/api/v1/apps/other/streams', 'reader-secret');
  assert.equal(otherApp.status, 403);
  const badName = await call('GET', '/api/v1/apps/Bad%20Name', 'admin-secret');
  assert.equal(badName.status, 400);
  assert.equal(codeOf(badName), 'invalid_field');
  const list = await call('GET', '/api/v1/apps', 'admin-secret');
  assert.equal(list.status, 200);
  assert.equal((JSON.parse(list.body) as { data: { name: string }[] }).data[0]!.name, 'live');
  assert.deepEqual(observed.at(-1), ['/api/v1/apps', 200]);
  assert.deepEqual(observed[0], [null, 404], 'an unmatched request is observed with no route');
});

test('createApi: only failed authentications are charged to the address; past the burst it gets 429, a valid token still passes', async () => {
  const ip = '10.9.9.9';
  for (let i = 0; i < AUTH_FAIL_BURST; i++) assert.equal((await call('GET', '/api/v1/apps', 'wrong', ip)).status, 401);
  const limited = await call('GET', '/api/v1/apps', 'wrong', ip);
  assert.equal(limited.status, 429);
  assert.equal(codeOf(limited), 'rate_limited');
  assert.equal((await call('GET', '/api/v1/apps', 'admin-secret', ip)).status, 200);
  assert.equal((await call('GET', '/api/v1/apps', 'wrong', '10.9.9.10')).status, 401, 'another address has its own bucket');
});
