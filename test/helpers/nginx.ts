// Runs Debian's nginx (a non-daemon child, everything in a temp prefix) on the project's
// deploy/nginx/framehub.conf with its placeholders filled in for loopback ports.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { REPO, tempDir } from './paths.js';
import { freePort } from './ports.js';
import { stopProcess } from './processes.js';
import { waitFor } from './wait.js';

export const NGINX_CONF = path.join(REPO, 'deploy/nginx/framehub.conf');

/** The nginx binary, or a clear error: the tests need it (CI installs Debian's nginx). */
export function nginxBin(): string {
  const candidates = [process.env.NGINX_BIN, '/usr/sbin/nginx', '/usr/bin/nginx'].filter((p): p is string => !!p);
  for (const p of candidates) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`nginx not found (looked at ${candidates.join(', ')} and PATH): install it (apt-get install nginx) or set NGINX_BIN`);
  }
}

/** deploy/nginx/framehub.conf with the placeholders replaced; throws if one is no longer there. */
export function renderSite(o: { upstreamPort: number; httpsPort: number; httpPort: number; cert: string; key: string }): string {
  let text = readFileSync(NGINX_CONF, 'utf8');
  const fill = (from: string, to: string): void => {
    if (!text.includes(from)) throw new Error(`placeholder ${JSON.stringify(from)} not found in deploy/nginx/framehub.conf: update test/helpers/nginx.ts`);
    text = text.split(from).join(to);
  };
  fill('server 127.0.0.1:8080;', `server 127.0.0.1:${o.upstreamPort};`);
  fill('listen 443 ssl;', `listen 127.0.0.1:${o.httpsPort} ssl;`);
  fill('listen 80;', `listen 127.0.0.1:${o.httpPort};`);
  fill('/etc/letsencrypt/live/cams.example.com/fullchain.pem', o.cert);
  fill('/etc/letsencrypt/live/cams.example.com/privkey.pem', o.key);
  return text;
}

export interface Nginx {
  child: ChildProcess;
  httpsPort: number;
  httpPort: number;
  dir: string;
  errorLog(): string;
  accessLog(): string;
  stop(): Promise<void>;
}

/** Starts nginx with the rendered site inside a minimal http{} like Debian's nginx.conf. */
export async function startNginx(o: { upstreamPort: number; cert: string; key: string; ca: Buffer }): Promise<Nginx> {
  const bin = nginxBin();
  const dir = tempDir('framehub-nginx-');
  // Run as root (CI, here), nginx's workers drop to `nobody`: they must reach the prefix.
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, 'tmp'));
  const httpsPort = await freePort();
  const httpPort = await freePort();
  writeFileSync(path.join(dir, 'framehub.conf'), renderSite({ upstreamPort: o.upstreamPort, httpsPort, httpPort, cert: o.cert, key: o.key }));
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/tmp/${t};`).join('\n');
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
error_log ${dir}/error.log info;
events { worker_connections 1024; }
http {
  access_log ${dir}/access.log;
${temp}
  include ${dir}/framehub.conf;
}
`,
  );
  const child = spawn(bin, ['-p', `${dir}/`, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`, '-g', `daemon off; pid ${dir}/nginx.pid;`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const read = (f: string): string => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : '');
  const healthy = (): Promise<boolean> =>
    new Promise((resolve) => {
      https.get(`https://127.0.0.1:${httpsPort}/healthz`, { ca: o.ca, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      }).on('error', () => resolve(false));
    });
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${out}\n${read('error.log')}`);
    return healthy();
  }, 15_000, 'nginx in front of the server to answer /healthz');
  return {
    child, httpsPort, httpPort, dir,
    errorLog: () => read('error.log'),
    accessLog: () => read('access.log'),
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
