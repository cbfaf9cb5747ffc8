// Runs Debian's HAProxy (foreground child, config in a temp dir) on the project's
// deploy/haproxy/framehub.cfg with its placeholders filled in for loopback nodes.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, tempDir } from './paths.js';
import { freePort } from './ports.js';
import { stopProcess } from './processes.js';
import { waitFor } from './wait.js';

export interface Haproxy {
  child: ChildProcess;
  port: number;
  base: string;
  stop(): Promise<void>;
}

/** deploy/haproxy/framehub.cfg rendered for `nodes` (ports on 127.0.0.1), listening on `port`. */
export function renderHaproxy(port: number, nodes: { id: string; port: number }[]): string {
  const servers = nodes.map((n) => `    server ${n.id} 127.0.0.1:${n.port} check`).join('\n');
  return readFileSync(path.join(REPO, 'deploy/haproxy/framehub.cfg'), 'utf8')
    .replaceAll('@LUA@', path.join(REPO, 'deploy/haproxy/framehub-room.lua'))
    .replaceAll('@BIND@', `127.0.0.1:${port}`)
    .replaceAll('@SERVERS@', servers);
}

export async function startHaproxy(nodes: { id: string; port: number }[]): Promise<Haproxy> {
  const port = await freePort();
  const dir = tempDir('framehub-haproxy-');
  writeFileSync(path.join(dir, 'haproxy.cfg'), renderHaproxy(port, nodes));
  const child = spawn('haproxy', ['-db', '-f', path.join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  child.on('error', (err) => (out += String(err)));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`haproxy exited ${child.exitCode} (apt-get install haproxy; .ci/run does): ${out}`);
    return (await fetch(`${base}/healthz`).catch(() => null))?.status === 200;
  }, 15_000, 'haproxy in front of the server to answer /healthz');
  return {
    child, port, base,
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
