// The primary's housekeeping without a server: which live cameras a store change closes
// (app deleted, WS ingest turned off, key revoked), found in one pass with each app looked
// up once, and the loop's kicks (one per reason) after a revision change only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { camerasToClose } from '../src/primary/housekeeping.js';
import type { HousekeepingDeps } from '../src/primary/housekeeping.js';

function fleet(n: number) {
  const apps = new Map([
    ['a', { wsIngest: true }],
    ['b', { wsIngest: false }],
  ]);
  const keys = new Set<string>();
  const cameras = Array.from({ length: n }, (_, i) => {
    const app = ['a', 'b', 'gone'][i % 3]!;
    const keyId = `k${i}`;
    if (i % 5 !== 0) keys.add(keyId);
    return { connId: i, app, keyId };
  });
  let getApp = 0;
  const store = {
    revision: () => 1,
    getApp: (name: string) => {
      getApp++;
      return apps.get(name);
    },
    getKey: (id: string) => (keys.has(id) ? { id } : undefined),
  };
  return { store, cameras, getAppCalls: () => getApp };
}

test('one pass sorts the cameras to close by reason; each app is looked up once', () => {
  const { store, cameras, getAppCalls } = fleet(3000);
  const deps = { store, cameras: { list: () => cameras, kickWhere: () => 0 } } as unknown as Pick<HousekeepingDeps, 'store' | 'cameras'>;
  const out = camerasToClose(deps);
  assert.equal(getAppCalls(), 3, 'one lookup per app, not one per camera');
  const expect = { unknown_app: 0, ws_ingest_disabled: 0, key_revoked: 0 };
  for (const c of cameras) {
    if (c.app === 'gone') expect.unknown_app++;
    else if (c.app === 'b') expect.ws_ingest_disabled++;
    else if (c.connId % 5 === 0) expect.key_revoked++;
  }
  assert.deepEqual({ unknown_app: out.get('unknown_app')?.size, ws_ingest_disabled: out.get('ws_ingest_disabled')?.size, key_revoked: out.get('key_revoked')?.size }, expect);
  assert.ok(out.get('key_revoked')!.has(0), 'camera 0: app a, key revoked');
  assert.ok(out.get('unknown_app')!.has(2), 'camera 2: its app is gone');
});

test('nothing to close when every camera is admitted', () => {
  const deps = {
    store: { revision: () => 1, getApp: () => ({ wsIngest: true }), getKey: () => ({}) },
    cameras: { list: () => [{ connId: 1, app: 'a', keyId: 'k' }], kickWhere: () => 0 },
  } as unknown as Pick<HousekeepingDeps, 'store' | 'cameras'>;
  assert.equal(camerasToClose(deps).size, 0);
});
