// The servers a case races: framehub (`node dist/src/main.js`), the tutorial baseline
// (`node dist/bench/baseline/main.js`) and, when asked for, the floor (a bare one-thread uWS
// relay, `node dist/bench/baseline/uwsFloor.js`), each its own process on a free loopback
// port so /proc shows its CPU and memory alone. framehub keys are minted through the API;
// the baseline and the floor accept any key.
import { SERVER_ENV, SERVER_NODE_FLAGS } from '../../src/nodeFlags.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TargetAddress } from '../gen/messages.js';
import { roomName } from '../gen/messages.js';
import { parseMetrics, type MetricsSample } from './serverMetrics.js';
import { serverLauncher } from './serverNode.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const BENCH_ADMIN_TOKEN = 'fht_bench-admin-token-0123456789abcdef';

/** Every server the bench can race (--target). */
export const TARGET_KINDS = ['framehub', 'baseline', 'floor'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** The entry script of each kind (compiled JS under dist/). */
const MAIN: Record<TargetKind, string> = {
  framehub: path.join(ROOT, 'src/main.js'),
  baseline: path.join(ROOT, 'bench/baseline/main.js'),
  floor: path.join(ROOT, 'bench/baseline/uwsFloor.js'),
};

/** What each kind is, for --help and the docs. */
export const TARGET_DOCS: Record<TargetKind, string> = {
  framehub: 'the server under test, with its defaults (one shard worker per core)',
  baseline: 'the tutorial relay: ws + node:http, one thread (the relay the goals compare with)',
  floor: 'a bare one-thread uWS relay: what uWS and the kernel cost per frame, with no product around it',
};

export interface TargetOptions {
  /** framehub shard workers (FRAMEHUB_WORKERS); default: the server's own default. */
  workers?: number;
  /** Rooms the run may use (sizes FRAMEHUB_MAX_ROOMS). */
  rooms?: number;
  /** Extra environment for the server. */
  env?: Record<string, string>;
  /** Label in results (default: the kind, with the worker count if set). */
  label?: string;
}

export class Target {
  readonly kind: TargetKind;
  readonly label: string;
  readonly address: TargetAddress;
  readonly #child: ChildProcess;
  readonly #dataDir: string | null;
  readonly #metricsPort: number | null;
  readonly #exited: Promise<void>;

  private constructor(kind: TargetKind, label: string, child: ChildProcess, port: number, metricsPort: number | null, dataDir: string | null, log: () => string, exited: Promise<void>) {
    this.kind = kind;
    this.label = label;
    this.#child = child;
    this.address = { host: '127.0.0.1', port, app: 'live' };
    this.#metricsPort = metricsPort;
    this.#dataDir = dataDir;
    this.#exited = exited;
    this.log = log;
  }

  /** What the server wrote on stdout and stderr so far. */
  readonly log: () => string;

  get pid(): number {
    return this.#child.pid!;
  }

  get pids(): number[] {
    return [this.#child.pid!];
  }

  /** Whether the process has exited. */
  get exited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /** Kills the process at once (a node failure); stop() still cleans up after. */
  async kill(): Promise<void> {
    if (!this.exited) this.#child.kill('SIGKILL');
    await this.#exited;
  }

  get base(): string {
    return `http://${this.address.host}:${this.address.port}`;
  }

  static async start(kind: TargetKind, options: TargetOptions = {}): Promise<Target> {
    const dataDir = kind === 'framehub' ? mkdtempSync(path.join(tmpdir(), 'framehub-bench-')) : null;
    const env: Record<string, string> =
      kind === 'framehub'
        ? {
            PORT: '0',
            HOST: '127.0.0.1',
            FRAMEHUB_DATA_DIR: dataDir!,
            FRAMEHUB_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
            FRAMEHUB_METRICS_PORT: '0',
            FRAMEHUB_METRICS_HOST: '127.0.0.1',
            FRAMEHUB_MAX_ROOMS: String(Math.max(1024, (options.rooms ?? 0) + 64)),
            FRAMEHUB_HANDSHAKE_BURST: '1000000',
            FRAMEHUB_HANDSHAKE_RATE: '1000000',
            // Every bench viewer comes from 127.0.0.1: one address stands for many clients (the
            // default per-address limit, 1000, would refuse saturate's viewers past 1,000 cameras).
            FRAMEHUB_MAX_VIEWERS_PER_IP: '1000000',
            LOG_LEVEL: 'warn',
            ...SERVER_ENV,
            ...(options.workers ? { FRAMEHUB_WORKERS: String(options.workers) } : {}),
          }
        : { PORT: '0', HOST: '127.0.0.1' };
    // BENCH_SERVER_NODE_ARGS reach the server only (e.g. `--cpu-prof` to profile it under load);
    // BENCH_SERVER_LOG=<file> keeps framehub's whole stdout (e.g. with `--trace-gc`); the
    // other targets' would overwrite it in a run that races several.
    // framehub runs with the flags `npm start` gives it.
    const nodeArgs = [...(kind === 'framehub' ? SERVER_NODE_FLAGS : []), ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    // BENCH_SERVER_NODE (--server-node) picks the Node that runs it (bench/lib/serverNode.ts).
    const launcher = serverLauncher();
    const child = spawn(launcher.command, [...launcher.args, ...nodeArgs, MAIN[kind]], {
      env: { ...process.env, ...env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout!.on('data', (d) => (log = (log + d).slice(-20_000)));
    if (process.env.BENCH_SERVER_LOG && kind === 'framehub') child.stdout!.pipe(createWriteStream(process.env.BENCH_SERVER_LOG));
    child.stderr!.on('data', (d) => (log = (log + d).slice(-20_000)));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const deadline = Date.now() + 30_000;
    let port = 0;
    let metricsPort: number | null = null;
    while (!port) {
      const m = /listening on [^\s:]+:(\d+)/.exec(log);
      if (m) {
        port = Number(m[1]);
        const mm = /metrics\s+http:\/\/[^\s:]+:(\d+)\/metrics/.exec(log);
        metricsPort = mm ? Number(mm[1]) : null;
        break;
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        if (dataDir) rmSync(dataDir, { recursive: true, force: true });
        throw new Error(`${kind} did not start: ${log.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const label = options.label ?? (kind === 'framehub' && options.workers ? `framehub w${options.workers}` : kind);
    const target = new Target(kind, label, child, port, metricsPort, dataDir, () => log, exited);
    await target.#waitHealthy(deadline);
    return target;
  }

  async #waitHealthy(deadline: number): Promise<void> {
    for (;;) {
      try {
        const res = await fetch(`${this.base}/healthz`);
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) throw new Error(`${this.label}: /healthz never answered 200`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stream keys for rooms cam<index>: minted through the API (framehub), any string (baseline, floor). */
  async mintKeys(indexes: number[]): Promise<string[]> {
    if (this.kind !== 'framehub') return indexes.map(() => `wsk_${this.kind}-accepts-any-key`);
    const keys: string[] = new Array(indexes.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < indexes.length) {
        const i = next++;
        const res = await fetch(`${this.base}/api/v1/apps/live/ws-ingest`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ room: roomName(indexes[i]!) }),
        });
        const body = (await res.json()) as { data?: { streamKey: string } };
        if (res.status !== 201 || !body.data) throw new Error(`minting a key for ${roomName(indexes[i]!)}: HTTP ${res.status} ${JSON.stringify(body)}`);
        keys[i] = body.data.streamKey;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return keys;
  }

  /** The server's /metrics, or null if it has none. */
  async metrics(): Promise<MetricsSample | null> {
    if (this.#metricsPort === null) return null;
    try {
      const res = await fetch(`http://127.0.0.1:${this.#metricsPort}/metrics`);
      return res.status === 200 ? parseMetrics(await res.text()) : null;
    } catch {
      return null;
    }
  }

  /** SIGTERM, then SIGKILL after 10 s; removes the data directory. */
  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
      await this.#exited;
      clearTimeout(timer);
    }
    if (this.#dataDir) rmSync(this.#dataDir, { recursive: true, force: true });
  }
}
