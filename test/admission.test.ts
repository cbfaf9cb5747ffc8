// The primary's camera admission with its real parts (LMDB control store, room table, frame
// arena) and no sockets: the order in which two workers' requests arrive must not decide
// which connection of a key survives. The newest by accept time wins.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { ControlStore, hashSecret } from '../src/keys.js';
import { CameraRegistry } from '../src/primary/cameras.js';
import { RoomTable } from '../src/primary/rooms.js';
import type { AdmitRequest } from '../src/protocol.js';
import { createArenas, FrameArena } from '../src/slots.js';
import { createLogger } from '../src/telemetry.js';

const dir = mkdtempSync(path.join(tmpdir(), 'framehub-admission-'));
const store = new ControlStore(dir);
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a handshake older than the live connection of its key is refused with replaced; it never kicks the newer one', async () => {
  await store.bootstrap(undefined);
  const { secret } = await store.mintKey({ app: 'live', room: 'cam1', identity: null });
  const config = loadConfig({ env: { FRAMEHUB_DATA_DIR: dir, FRAMEHUB_WORKERS: '2', FRAMEHUB_MAX_ROOMS: '8' } });
  const layout = { arenas: 2, slotsPerArena: 4, slotBytes: config.maxFrameBytes };
  const rooms = new RoomTable(new FrameArena(createArenas(layout), layout), 8, 1000, () => {});
  const kicks: [number, number, string][] = [];
  const rejections: string[] = [];
  const cameras = new CameraRegistry(config, store, rooms, { kick: (shard, connId, reason) => kicks.push([shard, connId, reason]), rejected: (r) => rejections.push(r) }, createLogger('silent'));
  after(() => cameras.close());
  const request = (acceptedAt: number): AdmitRequest => ({ kind: 'admit', app: 'live', room: 'cam1', keyHash: hashSecret(secret), identity: null, ip: '10.0.0.1', acceptedAt });

  // B (accepted at t=2000 on worker 1) is decided before A (accepted earlier on worker 0).
  const b = cameras.admit(request(2000), 1);
  assert.ok(b.ok);
  const a = cameras.admit(request(1000), 0);
  assert.deepEqual(a.ok ? 'admitted' : [a.reason, a.message], ['replaced', 'a newer connection with the same key is live']);
  assert.deepEqual(kicks, [], 'the live, newer connection is left alone');
  assert.deepEqual(rejections, ['replaced']);
  assert.equal(cameras.byRoom('live-cam1')?.connId, b.connId);

  // A genuinely newer connection still replaces it (4409 to the older one's worker).
  const c = cameras.admit(request(3000), 0);
  assert.ok(c.ok);
  assert.deepEqual(kicks, [[1, b.connId, 'replaced']]);
  assert.equal(cameras.byRoom('live-cam1')?.connId, c.connId);
});
