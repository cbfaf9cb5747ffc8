// Runs the server as a separate process (`node dist/src/main.js`), for tests that kill it,
// signal it or read its log output.
import { spawn, type ChildProcess } from 'node:child_process';
import { ADMIN_TOKEN } from './credentials.js';
import { MAIN } from './paths.js';
import { waitFor } from './wait.js';

export interface ChildServer {
  child: ChildProcess;
  port: number;
  base: string;
  token: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startChild(env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', FRAMEHUB_METRICS_PORT: '0', FRAMEHUB_METRICS_HOST: '127.0.0.1', FRAMEHUB_WORKERS: '2', FRAMEHUB_ADMIN_TOKEN: ADMIN_TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const banner = await waitFor(() => (/listening on [^:]+:(\d+)/.test(err) ? err : '') || (child.exitCode !== null ? `EXITED ${err}` : ''), 20_000, 'server start').catch((e: Error) => {
    child.kill('SIGKILL'); // a server that starts after the timeout must not outlive the test
    throw e;
  });
  if (banner.startsWith('EXITED')) throw new Error(`server exited: ${banner}`);
  const port = Number(/listening on [^:]+:(\d+)/.exec(banner)![1]);
  return { child, port, base: `http://127.0.0.1:${port}`, token: ADMIN_TOKEN, stdout: () => out, stderr: () => err, exited };
}
