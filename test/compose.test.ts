// deploy/docker-compose.yml without a Docker engine: every bind mount exists, the framehub
// service builds from the top-level Dockerfile, and the Prometheus and Grafana entrypoints'
// rewrites of the project's own files are performed here (container paths mapped to a temp
// root holding copies of the mounts): promtool accepts the resulting config with
// the rules, the scrape target is the framehub service's metrics port, and Grafana's data
// source and dashboards folder resolve.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { settings } from '../src/config.js';
import { REPO, tempDir } from './helpers/paths.js';
import { PROMTOOL_BIN } from './helpers/prometheus.js';

const run = promisify(execFile);
const DEPLOY = path.join(REPO, 'deploy');
interface Service { build?: { context: string; dockerfile: string }; command?: string[]; entrypoint?: string[]; environment?: Record<string, string>; volumes?: string[]; ports?: string[]; expose?: string[] }
const compose = parse(readFileSync(path.join(DEPLOY, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };

/** A temp root with copies of the service's bind mounts, and the command with its paths moved there. */
function inTempRoot(svc: Service, root: string): { script: string; env: Record<string, string> } {
  const mounts: string[] = [];
  for (const v of svc.volumes ?? []) {
    const [src, dst] = v.split(':') as [string, string];
    mounts.push(dst);
    const at = path.join(root, dst);
    mkdirSync(path.dirname(at), { recursive: true });
    // Copies, not links: a rewrite must never reach the repository's files.
    if (src.startsWith('.')) cpSync(path.resolve(DEPLOY, src), at, { recursive: true });
    else mkdirSync(at, { recursive: true }); // a named volume: an empty dir
  }
  const script = svc.command![0]!.split(/ && exec /)[0]!;
  // Container paths: the mount points and the paths under them, and /tmp (writable).
  const prefixes = [...mounts, '/tmp'].sort((a, b) => b.length - a.length).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const move = (s: string): string => s.replace(new RegExp(`(?<=^|[\\s=>])(${prefixes.join('|')})(?=/|\\s|$)`, 'g'), (m) => path.join(root, m));
  mkdirSync(path.join(root, 'tmp'), { recursive: true });
  return { script: move(script), env: Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, move(String(v))])) };
}

test('docker-compose: framehub from the Dockerfile, Prometheus and Grafana on the project files', async (t) => {
  const { framehub, prometheus, grafana } = compose.services;
  assert.ok(framehub && prometheus && grafana, 'services framehub, prometheus, grafana');
  assert.equal(path.resolve(DEPLOY, framehub.build!.context), REPO);
  assert.ok(existsSync(path.join(REPO, framehub.build!.dockerfile)));
  assert.ok(framehub.volumes!.some((v) => v.endsWith(':/data')), 'framehub keeps its data in a volume at /data');
  for (const s of Object.values(compose.services)) {
    for (const v of s.volumes ?? []) {
      const src = v.split(':')[0]!;
      if (src.startsWith('.')) assert.ok(existsSync(path.resolve(DEPLOY, src)), `bind mount ${src} exists`);
    }
  }
  const root = tempDir('framehub-compose-');
  t.after(() => rmSync(root, { recursive: true, force: true }));

  // Prometheus: the rewritten config passes promtool (with its rule files) and scrapes
  // the framehub service's metrics port.
  const prom = inTempRoot(prometheus, path.join(root, 'prometheus'));
  await run('sh', ['-c', prom.script]);
  const config = path.join(root, 'prometheus/prometheus/prometheus.yml');
  const text = readFileSync(config, 'utf8');
  assert.match(text, new RegExp(`targets: \\['framehub:${settings.metricsPort.default()}'\\]`));
  assert.doesNotMatch(text.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n'), /localhost/);
  const check = await run(PROMTOOL_BIN, ['check', 'config', config]);
  assert.match(check.stdout, /SUCCESS: 2 rule files found/);
  assert.ok(framehub.expose!.includes(String(settings.metricsPort.default())), 'the metrics port is exposed on the compose network');
  assert.equal((framehub.environment as Record<string, string>).FRAMEHUB_METRICS_HOST, '0.0.0.0', '/metrics (loopback by default) listens where the prometheus container reaches it');

  // Grafana: the data source points at the prometheus service, the dashboards resolve.
  const graf = inTempRoot(grafana, path.join(root, 'grafana'));
  await run('sh', ['-c', graf.script]);
  const provisioning = graf.env.GF_PATHS_PROVISIONING!;
  const ds = parse(readFileSync(path.join(provisioning, 'datasources/framehub.yml'), 'utf8')) as { datasources: { url: string; uid: string }[] };
  assert.equal(ds.datasources[0]!.url, 'http://prometheus:9090');
  const provider = parse(readFileSync(path.join(provisioning, 'dashboards/framehub.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
  const dashboards = provider.providers[0]!.options.path.replace('${GF_PATHS_PROVISIONING}', provisioning);
  assert.ok(readdirSync(dashboards).filter((f) => f.endsWith('.json')).length >= 2, `dashboards in ${dashboards}`);
});
