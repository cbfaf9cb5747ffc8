// Runs a real Prometheus (Debian's /usr/bin/prometheus) on the project's prometheus.yml,
// rewritten for a test: the scrape target becomes the test server's metrics port, the
// rule files absolute paths, and the intervals 1 s. Stopped (and its data deleted) by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from './paths.js';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/** The project's prometheus.yml with the changes a test needs; throws if one no longer applies. */
export function testConfig(metricsPort: number): string {
  let text = readFileSync(path.join(REPO, 'prometheus.yml'), 'utf8');
  const rewrite = (from: RegExp, to: string): void => {
    if (!from.test(text)) throw new Error(`prometheus.yml no longer matches ${from}: update test/helpers/prometheus.ts`);
    text = text.replace(from, to);
  };
  rewrite(/'localhost:9464'/g, `'127.0.0.1:${metricsPort}'`);
  rewrite(/^(\s*)scrape_interval: \S+/m, '$1scrape_interval: 1s');
  rewrite(/^(\s*)scrape_timeout: \S+/m, '$1scrape_timeout: 1s');
  rewrite(/^(\s*)evaluation_interval: \S+/m, '$1evaluation_interval: 1s');
  rewrite(/^(\s*- )(prometheus\/rules\/)/gm, `$1${REPO}/$2`);
  return text;
}

export interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

export interface Prometheus {
  url: string;
  child: ChildProcess;
  /** Instant query; throws on an API error (bad PromQL, execution error). */
  query(expr: string): Promise<PromResult[]>;
  /** GET of any API path, `data` of the answer. */
  api<T = any>(p: string): Promise<T>;
  logs(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(metricsPort: number): Promise<Prometheus> {
  if (!existsSync(PROMETHEUS_BIN)) throw new Error(`${PROMETHEUS_BIN} not found: install Debian's prometheus package (apt-get install prometheus)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'framehub-prom-'));
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(config, testConfig(metricsPort));
  const port = await freePort();
  const child = spawn(PROMETHEUS_BIN, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(p: string): Promise<T> => {
    const res = await fetch(url + p);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${p}: ${body.error ?? res.status}`);
    return body.data;
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${log}`);
      return fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    }, 20_000, 'Prometheus ready');
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    child,
    api,
    query: async (expr) => (await api<{ resultType: string; result: PromResult[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    logs: () => log,
    stop,
  };
}
