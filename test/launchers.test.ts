// `npm start` and bin/framehub.js launch the server with src/nodeFlags.ts's environment and
// V8 flags (the Dockerfile and the systemd unit are held to them by their own tests).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../src/nodeFlags.js';
import { REPO } from './helpers/paths.js';

const launch = [...Object.entries(SERVER_ENV).map(([k, v]) => `${k}=${v}`), 'node', ...SERVER_NODE_FLAGS].join(' ');

test('npm start and bin/framehub.js run node with the server environment and flags', () => {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.ok(pkg.scripts.start!.includes(`${launch} dist/src/main.js`), `npm start: ${pkg.scripts.start}`);
  const shebang = readFileSync(path.join(REPO, 'bin/framehub.js'), 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S ${launch}`);
});
