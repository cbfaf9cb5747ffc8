// No Docker engine here: this test performs the Dockerfile's steps outside Docker so they
// cannot rot. It reads the stages, copies what the COPY lines name, runs the RUN commands
// (npm ci, tsc) in a temp dir per stage (the two installs in parallel, as BuildKit would),
// starts the CMD with the ENV the Dockerfile sets and polls the HEALTHCHECK command until
// it passes. It also lints the Dockerfile (dockerfilelint) and checks .dockerignore.
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { settings } from '../src/config.js';
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../src/nodeFlags.js';
import { glibcVersion } from '../src/worker/uws.js';
import { ADMIN_TOKEN } from './helpers/credentials.js';
import { parseDockerfile, parseEnv, type Stage } from './helpers/dockerfile.js';
import { REPO, tempDir } from './helpers/paths.js';
import { freePort } from './helpers/ports.js';
import { waitFor } from './helpers/wait.js';

const run = promisify(execFile);
const DOCKERFILE = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(DOCKERFILE);
const WORKDIR = '/app';
/** The base image: Debian 13 (glibc 2.41) with Node 24, where the btc-vision uWS build loads. */
const IMAGE = 'node:24-trixie-slim';
/** Run where the image's platform is (the Debian 13 root of .ci/run under Node 24): the image's own uWS build is checked. */
const LIKE_IMAGE = process.versions.node.split('.')[0] === '24' && Number(glibcVersion().split('.')[1] ?? 0) >= 38;
/** RUN lines that only make sense inside the image; each must be listed here with why. */
const IMAGE_ONLY: Record<string, string> = {
  'mkdir -p /data && chown node:node /data': 'creates the volume mount point owned by the non-root user; the test uses a temp data dir',
};

function stage(name: string): Stage {
  const s = stages.find((x) => x.name === name);
  assert.ok(s, `the Dockerfile has a stage named ${name}`);
  return s;
}

test('the Dockerfile has the expected shape and passes dockerfilelint', async () => {
  const { stdout } = await run(process.execPath, [path.join(REPO, 'node_modules/dockerfilelint/bin/dockerfilelint'), '-j', path.join(REPO, 'Dockerfile')]).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  const lint = JSON.parse(stdout) as { files: { issues_count: number; issues: unknown[] }[] };
  assert.equal(lint.files[0]!.issues_count, 0, `dockerfilelint: ${JSON.stringify(lint.files[0]!.issues)}`);

  assert.deepEqual(stages.map((s) => [s.name, s.from]), [['build', IMAGE], ['runtime', IMAGE]]);
  const rt = stage('runtime').instructions;
  const last = (op: string) => rt.filter((i) => i.op === op).at(-1);
  assert.notEqual(last('USER')?.rest, undefined, 'the runtime stage sets a USER');
  assert.notEqual(last('USER')!.rest, 'root');
  assert.equal(last('VOLUME')?.rest, '/data');
  const env = Object.assign({}, ...rt.filter((i) => i.op === 'ENV').map((i) => parseEnv(i.rest)));
  assert.equal(env.FRAMEHUB_DATA_DIR, '/data');
  for (const [k, v] of Object.entries(SERVER_ENV)) assert.equal(env[k], v, `ENV ${k}=${v} (src/nodeFlags.ts)`);
  const exposed = last('EXPOSE')!.rest.split(/\s+/).map(Number);
  assert.ok(exposed.includes(settings.port.default()) && exposed.includes(settings.metricsPort.default()), `EXPOSE ${exposed} has the public and metrics ports`);
  const cmd = JSON.parse(last('CMD')!.rest) as string[];
  assert.deepEqual(cmd, ['node', ...SERVER_NODE_FLAGS, 'dist/src/main.js'], 'CMD runs the server with src/nodeFlags.ts flags');

  // .dockerignore keeps the context small and secret-free, and excludes nothing COPY needs.
  const ignored = readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  for (const must of ['.git', 'node_modules', 'dist', 'data']) assert.ok(ignored.includes(must), `.dockerignore lists ${must}`);
  for (const s of stages) {
    for (const i of s.instructions.filter((x) => x.op === 'COPY' && !x.flags.from)) {
      for (const src of i.rest.split(/\s+/).slice(0, -1)) {
        const top = src.split('/')[0]!;
        assert.ok(!ignored.includes(top) && !ignored.includes(src), `COPY ${src} is not excluded by .dockerignore`);
      }
    }
  }
});

test('the image steps build, install production dependencies only, start and pass the HEALTHCHECK', { timeout: 600_000 }, async (t) => {
  const started = performance.now();
  const root = tempDir('framehub-docker-');
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dirs: Record<string, string> = {};
  const envs: Record<string, Record<string, string>> = {};
  const done: Record<string, Promise<void>> = {};
  const timings: string[] = [];

  /** The stage's path for an image path under WORKDIR. */
  const inStage = (name: string, p: string): string => {
    assert.ok(p === WORKDIR || p.startsWith(`${WORKDIR}/`), `${p} is under WORKDIR ${WORKDIR}`);
    return path.join(dirs[name]!, p.slice(WORKDIR.length));
  };

  const perform = async (s: Stage): Promise<void> => {
    for (const i of s.instructions) {
      if (i.op === 'WORKDIR') {
        assert.equal(i.rest, WORKDIR, 'both stages work in /app');
        dirs[s.name] = path.join(root, s.name);
        mkdirSync(dirs[s.name]!, { recursive: true });
      } else if (i.op === 'ENV') {
        Object.assign((envs[s.name] ??= {}), parseEnv(i.rest));
      } else if (i.op === 'COPY') {
        const parts = i.rest.split(/\s+/);
        const dest = parts.pop()!;
        const to = path.resolve(dirs[s.name]!, dest);
        for (const src of parts) {
          let from: string;
          if (i.flags.from) {
            await done[i.flags.from];
            from = inStage(i.flags.from, src);
          } else from = path.join(REPO, src);
          assert.ok(existsSync(from), `COPY source ${src} exists`);
          const target = dest.endsWith('/') ? path.join(to, path.basename(src)) : to;
          cpSync(from, target, { recursive: true });
        }
      } else if (i.op === 'RUN') {
        if (i.rest in IMAGE_ONLY) {
          t.diagnostic(`not run outside Docker: RUN ${i.rest} (${IMAGE_ONLY[i.rest]})`);
          continue;
        }
        assert.match(i.rest, /^(npm|npx) /, `RUN ${i.rest}: only npm/npx commands can be performed outside Docker; list it in IMAGE_ONLY with a reason otherwise`);
        const t0 = performance.now();
        // The npm cache mount of the Dockerfile is this machine's npm cache here.
        await run('sh', ['-c', i.rest], { cwd: dirs[s.name], env: { ...process.env, ...envs[s.name], npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' }, maxBuffer: 64 * 1024 * 1024 });
        timings.push(`${s.name}: ${i.rest} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
    }
  };
  for (const s of stages) done[s.name] = perform(s);
  await Promise.all(Object.values(done));
  const app = dirs.runtime!;

  // Production dependencies only: no devDependency is installed.
  // (The lockfile marks what only devDependencies need; @types/node, say, is also a
  // dependency of protobufjs and so rightly stays.)
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const lock = JSON.parse(readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const devOnly = Object.entries(lock.packages).filter(([p, v]) => p && v.dev).map(([p]) => p);
  assert.ok(devOnly.includes('node_modules/typescript'), 'the lockfile marks typescript dev-only');
  for (const p of devOnly) assert.ok(!existsSync(path.join(app, p)), `${p} (dev only) is not in the runtime image`);
  for (const dep of Object.keys(pkg.dependencies)) assert.ok(existsSync(path.join(app, 'node_modules', dep)), `dependency ${dep} is in the runtime image`);
  assert.deepEqual(readdirSync(path.join(app, 'src')), ['web'], 'no TypeScript sources in the runtime image, only the pages');
  assert.ok(existsSync(path.join(app, 'dist/src/main.js')));

  // Start the CMD with the Dockerfile's ENV; the test's own ports, data dir and token.
  const rt = stage('runtime').instructions;
  const cmd = JSON.parse(rt.filter((i) => i.op === 'CMD').at(-1)!.rest) as string[];
  const health = rt.filter((i) => i.op === 'HEALTHCHECK').at(-1)!.rest.replace(/^CMD\s+/, '');
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...envs.runtime,
    PORT: String(port),
    HOST: '127.0.0.1',
    FRAMEHUB_DATA_DIR: path.join(root, 'data'),
    FRAMEHUB_METRICS_PORT: String(await freePort()),
    FRAMEHUB_METRICS_HOST: '127.0.0.1',
    FRAMEHUB_WORKERS: '1',
    FRAMEHUB_ADMIN_TOKEN: ADMIN_TOKEN,
  };
  assert.equal(cmd[0], 'node');
  const child = spawn(process.execPath, cmd.slice(1), { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const t0 = performance.now();
  let checks = 0;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`the server exited ${child.exitCode}: ${log}`);
    checks++;
    return run('sh', ['-c', health], { cwd: app, env, timeout: 10_000 }).then(() => true, () => false);
  }, 60_000, `the HEALTHCHECK to pass (server output: ${log})`);
  const healthyMs = performance.now() - t0;

  // The runtime has what it needs: LMDB (a key minted), the pages (src/web), /metrics.
  const mint = await fetch(`http://127.0.0.1:${port}/api/v1/apps/live/ws-ingest`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: '{"room":"docker"}' });
  assert.equal(mint.status, 201);
  const page = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>framehub/);
  const metrics = await fetch(`http://127.0.0.1:${env.FRAMEHUB_METRICS_PORT}/metrics`);
  assert.equal(metrics.status, 200);

  // The uWS build the server runs: the image's (btc-vision) on the image's platform.
  const uwsLine = log.split('\n').find((l) => l.includes('uWebSockets.js native build loaded'));
  assert.ok(uwsLine, 'the server logs its uWS build');
  const uws = (JSON.parse(uwsLine) as { uws: { build: string; package: string } }).uws;
  if (LIKE_IMAGE) assert.equal(uws.build, 'btc-vision', `on Node 24 / glibc ${glibcVersion()} (the image) the btc-vision build runs`);
  timings.push(`Node ${process.version}, glibc ${glibcVersion()}, uWS ${uws.build} ${uws.package}${LIKE_IMAGE ? ' (the image\'s platform)' : ' (not the image\'s platform: .ci/run repeats this in the Debian 13 root under Node 24)'}`);

  // STOPSIGNAL: a clean exit.
  child.kill((rt.find((i) => i.op === 'STOPSIGNAL')?.rest ?? 'SIGTERM') as NodeJS.Signals);
  assert.equal(await exited, 0, log);
  t.diagnostic(`${timings.join('; ')}; healthy ${healthyMs.toFixed(0)} ms after start (${checks} HEALTHCHECK runs); whole test ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
