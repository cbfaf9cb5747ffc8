// Starts the real server in-process on port 0 with a temp LMDB, and the small HTTP
// helpers tests use to talk to it like a user would (api(), mintKey()).
import { rmSync } from 'node:fs';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer, type ServerHandle } from '../../src/primary/server.js';
import { createLogger } from '../../src/telemetry.js';
import { ADMIN_TOKEN } from './credentials.js';
import { tempDir } from './paths.js';

export interface TestServer extends ServerHandle {
  dataDir: string;
  token: string;
  /** Calls the API with the admin token (or `token`). */
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any; headers: Headers }>;
  /** Mints a camera key for `room` in app `live` (or `app`). */
  mintKey(room: string, app?: string): Promise<{ id: string; streamKey: string; room: string; mjpegUrl: string; frameUrl: string }>;
  /** Stops the server and deletes its data dir (unless keepData). */
  stop(keepData?: boolean): Promise<void>;
}

export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDir();
  const config = loadConfig({ overrides: { port: 0, metricsPort: 0, metricsHost: '127.0.0.1', host: '127.0.0.1', workers: 2, logLevel: 'silent', adminToken: ADMIN_TOKEN, ...overrides, dataDir } });
  const handle = await startServer(config, createLogger('silent'));
  const base = `http://127.0.0.1:${handle.port}`;
  const api: TestServer['api'] = async (method, p, body, token = ADMIN_TOKEN) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(base + p, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return Object.assign(handle, {
    dataDir,
    token: ADMIN_TOKEN,
    api,
    async mintKey(room: string, app = 'live') {
      const r = await api('POST', `/api/v1/apps/${app}/ws-ingest`, { room });
      if (r.status !== 201) throw new Error(`mint failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.data;
    },
    async stop(keepData = false) {
      await handle.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
