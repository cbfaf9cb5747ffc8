// A scale-out cluster on loopback for the `cluster` case, built like test/cluster.test.ts:
// Debian's redis-server (AOF on), N framehub nodes (separate processes sharing it through
// FRAMEHUB_REDIS_URL) and Debian's haproxy in front with deploy/haproxy/framehub.cfg
// (rooms hashed consistently to nodes, health checks every second).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitListening } from '../../test/helpers/ports.js';
import type { TargetAddress } from '../gen/messages.js';
import type { MeasuredServer } from './measure.js';
import type { MetricsSample } from './serverMetrics.js';
import { Target } from './target.js';

/** The rig's cluster secret (FRAMEHUB_CLUSTER_SECRET, the same on every node). */
const BENCH_CLUSTER_SECRET = 'bench-cluster-secret-0123456789abcdefghijklmnop';

const ROOT = path.resolve(import.meta.dirname, '../../..');

function exitOf(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

interface ClusterOptions {
  nodes: number;
  /** Rooms the run may use (sizes FRAMEHUB_MAX_ROOMS). */
  rooms: number;
  /** Shard workers per node. */
  workers: number;
}

export class ClusterRig {
  readonly nodes: Target[] = [];
  redis: ChildProcess | null = null;
  haproxy: ChildProcess | null = null;
  redisPort = 0;
  lbPort = 0;
  #redisDir = '';
  #haproxyDir = '';
  #haproxyLog = '';

  /** The balancer, where cameras and viewers connect. */
  get address(): TargetAddress {
    return { host: '127.0.0.1', port: this.lbPort, app: 'live' };
  }

  get alive(): Target[] {
    return this.nodes.filter((n) => !n.exited);
  }

  static async start(options: ClusterOptions): Promise<ClusterRig> {
    const rig = new ClusterRig();
    try {
      rig.redisPort = await freePort();
      rig.#redisDir = mkdtempSync(path.join(tmpdir(), 'framehub-bench-redis-'));
      await rig.startRedis();
      // The first node makes the cluster (bootstraps app `live` and the admin token); the others join.
      for (let i = 0; i < options.nodes; i++) {
        const id = `n${i + 1}`;
        rig.nodes.push(
          await Target.start('framehub', {
            workers: options.workers,
            rooms: options.rooms,
            label: id,
            env: {
              FRAMEHUB_REDIS_URL: `redis://127.0.0.1:${rig.redisPort}`,
              FRAMEHUB_CLUSTER_SECRET: BENCH_CLUSTER_SECRET,
              FRAMEHUB_NODE_ID: id,
              FRAMEHUB_TRUSTED_PROXIES: '127.0.0.1',
              // The key-replication probe retries a handshake until the key has arrived: its
              // refusals must not trip the failed-handshake limiter (5 per address and room).
              FRAMEHUB_AUTH_FAIL_BURST: '1000000',
            },
          }),
        );
      }
      await rig.#startHaproxy();
      return rig;
    } catch (err) {
      await rig.stop();
      throw err;
    }
  }

  async startRedis(): Promise<void> {
    this.redis = spawn('redis-server', ['--port', String(this.redisPort), '--bind', '127.0.0.1', '--dir', this.#redisDir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
    await waitListening(this.redisPort, 10_000, 'redis-server');
  }

  /** Stops Redis (SIGTERM: a clean restart keeps its AOF). */
  async stopRedis(): Promise<void> {
    if (!this.redis) return;
    this.redis.kill('SIGTERM');
    await exitOf(this.redis);
    this.redis = null;
  }

  async #startHaproxy(): Promise<void> {
    this.lbPort = await freePort();
    this.#haproxyDir = mkdtempSync(path.join(tmpdir(), 'framehub-bench-haproxy-'));
    const servers = this.nodes.map((n) => `    server ${n.label} 127.0.0.1:${n.address.port} check`).join('\n');
    const cfg = readFileSync(path.join(ROOT, 'deploy/haproxy/framehub.cfg'), 'utf8')
      .replaceAll('@LUA@', path.join(ROOT, 'deploy/haproxy/framehub-room.lua'))
      .replaceAll('@BIND@', `127.0.0.1:${this.lbPort}`)
      .replaceAll('@SERVERS@', servers);
    const file = path.join(this.#haproxyDir, 'haproxy.cfg');
    writeFileSync(file, cfg);
    this.haproxy = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.haproxy.stdout!.on('data', (d) => (this.#haproxyLog = (this.#haproxyLog + d).slice(-5000)));
    this.haproxy.stderr!.on('data', (d) => (this.#haproxyLog = (this.#haproxyLog + d).slice(-5000)));
    const deadline = Date.now() + 15_000;
    // Every node must be up in HAProxy's eyes (rise 2 x 1 s) before rooms spread over all of them.
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${this.lbPort}/healthz`).then((r) => (r.body?.cancel(), r.status === 200), () => false);
      if (ok) break;
      if (this.haproxy.exitCode !== null || Date.now() > deadline) throw new Error(`haproxy did not start: ${this.#haproxyLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2500));
  }

  haproxyLog(): string {
    return this.#haproxyLog;
  }

  /** The live nodes as one measured server: CPU and RSS summed, metrics summed. */
  measured(label: string): MeasuredServer {
    const nodes = this.alive;
    return {
      label,
      kind: 'framehub',
      pids: nodes.map((n) => n.pid),
      metrics: async () => {
        const samples = await Promise.all(nodes.map((n) => n.metrics()));
        if (samples.some((s) => s === null)) return null;
        const sum: MetricsSample = new Map();
        for (const s of samples as MetricsSample[]) for (const [k, v] of s) sum.set(k, (sum.get(k) ?? 0) + v);
        return sum;
      },
    };
  }

  async stop(): Promise<void> {
    if (this.haproxy) {
      this.haproxy.kill('SIGTERM');
      await exitOf(this.haproxy);
    }
    await Promise.all(this.nodes.map((n) => n.stop()));
    if (this.redis) {
      this.redis.kill('SIGKILL');
      await exitOf(this.redis);
    }
    for (const dir of [this.#redisDir, this.#haproxyDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
