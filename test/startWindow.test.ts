// A store change made while the workers start (the CLI on the same data dir, or an entry
// that replication applies) still reaches them: housekeeping reads the store's revision
// before the workers get their first app table, so it sees the change on its first turn.
// Made to happen on cue by running the "CLI" right after the pool spawned its workers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ControlStore } from '../src/keys.js';
import { ShardPool } from '../src/primary/shardPool.js';
import { tempDir } from './helpers/paths.js';
import { startTestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

test('an app made private by the CLI while the workers start is private on the workers too', { timeout: 60_000 }, async () => {
  const dataDir = tempDir();
  const start = ShardPool.prototype.start;
  ShardPool.prototype.start = async function (this: ShardPool, ...args: Parameters<ShardPool['start']>) {
    const started = start.apply(this, args); // the workers are spawned and greeted by now
    const cli = new ControlStore(dataDir);
    await cli.updateApp('live', { publicPlayback: false });
    await cli.close();
    return started;
  };
  let srv: Awaited<ReturnType<typeof startTestServer>>;
  try {
    srv = await startTestServer({ dataDir });
  } finally {
    ShardPool.prototype.start = start;
  }
  try {
    assert.equal(srv.store.getApp('live')?.publicPlayback, false);
    const status = await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${srv.port}/play/live/cam1`);
      await res.body?.cancel();
      return res.status === 401 ? res.status : null;
    }, 5000, 'the workers refuse tokenless playback of the private app');
    assert.equal(status, 401);
  } finally {
    await srv.stop();
  }
});
