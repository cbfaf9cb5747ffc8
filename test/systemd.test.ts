// deploy/systemd/framehub.service: systemd accepts it (systemd-analyze verify), its
// sandbox scores well (systemd-analyze security --offline), and it runs the server the
// way the Dockerfile does, with a descriptor limit for a full node.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../src/nodeFlags.js';
import { REPO } from './helpers/paths.js';

const run = promisify(execFile);
const UNIT = path.join(REPO, 'deploy/systemd/framehub.service');

test('the systemd unit verifies, is sandboxed and starts the server like the image', async () => {
  await run('systemd-analyze', ['--version']).catch(() => {
    throw new Error('systemd-analyze not found: install systemd (apt-get install systemd); .ci/run does');
  });
  const verify = await run('systemd-analyze', ['verify', UNIT]);
  assert.equal(verify.stderr.trim(), '', 'systemd-analyze verify has no complaint');
  const security = await run('systemd-analyze', ['security', '--offline=yes', UNIT]);
  const exposure = Number(/Overall exposure level for framehub\.service: ([\d.]+)/.exec(security.stdout)?.[1]);
  assert.ok(exposure <= 2.5, `exposure ${exposure} (0 = fully sandboxed, 10 = none)`);

  const unit = readFileSync(UNIT, 'utf8');
  const value = (key: string): string | undefined => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1];
  assert.equal(value('ExecStart'), `/usr/bin/node ${SERVER_NODE_FLAGS.join(' ')} /opt/framehub/dist/src/main.js`);
  assert.ok(Number(value('LimitNOFILE')) >= 16384, 'LimitNOFILE fits ~600 cameras and their viewers');
  assert.equal(value('StateDirectory'), 'framehub');
  assert.match(unit, /^Environment=FRAMEHUB_DATA_DIR=\/var\/lib\/framehub$/m);
  for (const [k, v] of Object.entries(SERVER_ENV)) assert.ok(unit.split('\n').includes(`Environment=${k}=${v}`), `Environment=${k}=${v} (src/nodeFlags.ts)`);
  assert.equal(value('Restart'), 'on-failure');
  assert.equal(value('NoNewPrivileges'), 'yes');
  assert.notEqual(value('User'), 'root');
  assert.doesNotMatch(unit, /^MemoryDenyWriteExecute=yes/m, 'V8 needs W+X memory');
});
