// Keys are stored hashed in LMDB and keep working after a restart on the same data dir.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { rawCamera } from './helpers/clients.js';
import { tempDir } from './helpers/paths.js';
import { startTestServer } from './helpers/server.js';

test('a minted key survives a restart, and no secret is stored in the clear', async () => {
  const dataDir = tempDir();
  const first = await startTestServer({ dataDir });
  const key = await first.mintKey('keep');
  await first.stop(true);

  for (const f of readdirSync(dataDir, { recursive: true }) as string[]) {
    const full = path.join(dataDir, f);
    try {
      const bytes = readFileSync(full);
      assert.equal(bytes.includes(key.streamKey), false, `${f} holds the stream key in the clear`);
      assert.equal(bytes.includes(first.token), false, `${f} holds the admin token in the clear`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
    }
  }

  assert.equal(statSync(dataDir).mode & 0o777, 0o700, 'data dir is private');
  assert.equal(statSync(path.join(dataDir, 'framehub.mdb')).mode & 0o777, 0o600, 'store file is private');

  const second = await startTestServer({ dataDir });
  const cam = rawCamera(second.port, { room: 'keep', key: key.streamKey });
  const ready = await cam.ready;
  assert.equal(ready.room, 'live-keep');
  cam.ws.close(1000);
  await cam.closed;
  await second.stop();
});
