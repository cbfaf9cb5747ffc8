// A throwaway redis-server (Debian's) for the cluster tests: a free loopback port, AOF on,
// optional TLS and extra config lines (ACL users), and a client that talks to it directly
// (as an attacker or an operator with access to Redis would).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { tempDir } from './paths.js';
import { freePort, waitListening } from './ports.js';

export interface TestRedis {
  port: number;
  /** redis://127.0.0.1:<port> (or rediss:// with TLS). */
  url: string;
  child: ChildProcess;
  /** An admin connection (the default user). */
  admin: Redis;
  stop(): Promise<void>;
}

export async function startRedis(opts: { tls?: { cert: string; key: string }; conf?: string[]; adminPassword?: string } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = tempDir('framehub-redis-');
  const lines = [`bind 127.0.0.1`, `dir ${dir}`, 'appendonly yes', 'appendfsync always', 'save ""', ...(opts.conf ?? [])];
  if (opts.tls) lines.push('port 0', `tls-port ${port}`, `tls-cert-file ${opts.tls.cert}`, `tls-key-file ${opts.tls.key}`, `tls-ca-cert-file ${opts.tls.cert}`, 'tls-auth-clients no');
  else lines.push(`port ${port}`);
  const conf = path.join(dir, 'redis.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const child = spawn('redis-server', [conf], { stdio: 'ignore' });
  await waitListening(port, 10_000, 'redis-server');
  const scheme = opts.tls ? 'rediss' : 'redis';
  const admin = new Redis(`${scheme}://127.0.0.1:${port}`, { password: opts.adminPassword, tls: opts.tls ? { ca: [readFileSync(opts.tls.cert)] } : undefined, lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on('error', () => {});
  await admin.connect();
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    child,
    admin,
    async stop() {
      admin.disconnect();
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

/** Every key of Redis with its content as text (strings, streams; anything else by type). */
export async function dumpRedis(r: Redis): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = (await r.call('SCAN', cursor, 'COUNT', '1000')) as [string, string[]];
    cursor = next;
    for (const key of keys) {
      const type = (await r.call('TYPE', key)) as string;
      if (type === 'string') out.set(key, (await r.call('GET', key)) as string);
      else if (type === 'stream') out.set(key, JSON.stringify(await r.call('XRANGE', key, '-', '+')));
      else if (type === 'hash') out.set(key, JSON.stringify(await r.call('HGETALL', key)));
      else out.set(key, `(${type})`);
    }
  } while (cursor !== '0');
  return out;
}
