// The Prometheus side checked with Debian's promtool: prometheus.yml and the rule files are
// valid, every alert has a promtool unit test and an entry in docs/operations.md, the unit
// tests pass, and a live node's /metrics passes `promtool check metrics`.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { SimCamera } from '../src/camera/simulator.js';
import { REPO } from './helpers/paths.js';
import { PROMTOOL_BIN } from './helpers/prometheus.js';
import { startTestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

const run = promisify(execFile);
const promtool = async (...args: string[]): Promise<string> => {
  try {
    const { stdout, stderr } = await run(PROMTOOL_BIN, args, { cwd: REPO });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    assert.fail(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
};
const files = (dir: string, suffix: string): string[] =>
  readdirSync(path.join(REPO, dir)).filter((f) => f.endsWith(suffix)).sort().map((f) => path.join(dir, f));
const ruleFiles = files('prometheus/rules', '.yml');
const testFiles = files('prometheus/tests', '.test.yml');
const alertNames = ruleFiles.flatMap((f) => [...readFileSync(path.join(REPO, f), 'utf8').matchAll(/^\s*- alert: (\w+)/gm)].map((m) => m[1]!));

test('promtool check config: prometheus.yml and the rule files it loads', async () => {
  const out = await promtool('check', 'config', 'prometheus.yml');
  assert.match(out, /SUCCESS: prometheus\.yml is valid/);
  assert.match(out, new RegExp(`SUCCESS: ${ruleFiles.length} rule files found`));
});

test('promtool check rules: every rule file', async () => {
  const out = await promtool('check', 'rules', ...ruleFiles);
  assert.equal((out.match(/SUCCESS: \d+ rules found/g) ?? []).length, ruleFiles.length, out);
});

test('every alert has a promtool unit test that fires it, and a runbook entry in docs/operations.md', () => {
  assert.ok(alertNames.length >= 10, `found alerts ${alertNames}`);
  const tests = testFiles.map((f) => readFileSync(path.join(REPO, f), 'utf8')).join('\n');
  const ops = readFileSync(path.join(REPO, 'docs/operations.md'), 'utf8');
  for (const name of alertNames) {
    const firing = new RegExp(`alertname: ${name}\\n\\s*exp_alerts:\\n\\s*- exp_labels`);
    assert.match(tests, firing, `${name} has no unit test in which it fires`);
    assert.match(tests, new RegExp(`alertname: ${name}\\n\\s*exp_alerts: \\[\\]`), `${name} has no unit test in which it stays quiet`);
    assert.match(ops, new RegExp(`^### ${name}$`, 'm'), `docs/operations.md has no "### ${name}" section`);
  }
});

test('promtool test rules: the unit tests pass', async () => {
  const out = await promtool('test', 'rules', ...testFiles);
  assert.equal((out.match(/SUCCESS/g) ?? []).length, testFiles.length, out);
});

test('promtool check metrics: a live node with per-camera series', async () => {
  const srv = await startTestServer();
  const key = await srv.mintKey('lint');
  const cam = new SimCamera({ url: `http://127.0.0.1:${srv.port}`, app: 'live', room: 'lint', key: key.streamKey, fps: 10, reconnectMs: 0 });
  try {
    cam.start();
    await waitFor(() => cam.framesSent >= 3, 5000, 'frames');
    cam.sendStats();
    const body = await waitFor(async () => {
      const r = await fetch(`http://127.0.0.1:${srv.metricsPort}/metrics`);
      const text = await r.text();
      return text.includes('framehub_camera_rssi_dbm{') ? text : '';
    }, 5000, 'per-camera stats series');
    const child = spawn(PROMTOOL_BIN, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => {
      child.on('close', resolve);
      child.stdin.end(body);
    });
    assert.equal(code, 0, `promtool check metrics:\n${out}`);
    assert.equal(out.trim(), '', 'no lint findings');
  } finally {
    await cam.stop();
    await srv.stop();
  }
});
