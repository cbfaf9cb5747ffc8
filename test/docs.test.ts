// Statements in docs/ that the code must keep true (issue 15, Low: docs the code
// contradicted): the worker restart delays and what a worker does on an uncaught
// exception (docs/architecture.md), and the route table of docs/security.md naming every
// control API route's path family. The authorisation matrix itself: test/api.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { RESPAWN_DELAY_MS, RESPAWN_MAX_DELAY_MS } from '../src/primary/server.js';
import { REPO } from './helpers/paths.js';

const doc = (name: string): string => readFileSync(path.join(REPO, 'docs', name), 'utf8').replace(/\s+/g, ' ');

test('docs/architecture.md: worker restart delays and the uncaught-exception rule match the code', () => {
  const arch = doc('architecture.md');
  assert.match(arch, new RegExp(`restarted by the primary after ${RESPAWN_DELAY_MS} ms`));
  assert.match(arch, new RegExp(`up to ${RESPAWN_MAX_DELAY_MS / 1000} s`));
  assert.doesNotMatch(arch, /`uncaughtException` instead of dying/, 'a worker with an uncaught exception exits and is replaced');
  assert.match(arch, /the worker exits after closing its uWS App/);
  // What a worker does on an uncaught exception: src/worker/fatal.ts, installed by src/worker/main.ts.
  const main = readFileSync(path.join(REPO, 'src/worker/main.ts'), 'utf8');
  assert.match(main, /exitOnUncaught\(log,/);
  const fatal = readFileSync(path.join(REPO, 'src/worker/fatal.ts'), 'utf8');
  assert.match(fatal, /process\.on\('uncaughtException', /);
  assert.match(fatal, /exit\.app\?\.close\(\);[\s\S]*process\.exit\(1\)/);
});

test('docs/security.md: the route table covers the control API, the rotate route and a private /metrics', () => {
  const sec = doc('security.md');
  for (const route of ['/api/v1/**', '/ingest/ws', '/live/ws', '/live/wall', '/dashboard', '/metrics', 'rotate-play-secret']) assert.ok(sec.includes(route), `security.md names ${route}`);
  assert.match(sec, /`\/metrics` \(own port\) \| loopback by default/);
  assert.doesNotMatch(sec, /FRAMEHUB_METRICS_HOST`\) or firewall it \|/, 'the old "bind it yourself" row is gone: the default is private now');
});
