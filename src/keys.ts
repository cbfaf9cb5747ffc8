// The LMDB control store: apps, API tokens and camera keys. Secrets (tokens, stream keys)
// are random 256-bit strings shown once; only their SHA-256 is stored, and lookups go by
// that hash. Every write resolves once LMDB committed it. Workers open the same env to
// read (a get is ~1 µs); writes go through the primary.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';

export interface App {
  name: string;
  /** Cameras may publish over /ingest/ws. */
  wsIngest: boolean;
  /** Viewers need no play token. */
  publicPlayback: boolean;
  /** Live cameras allowed at once; 0 = unlimited. */
  maxCameras: number;
  /** Per-app overrides of the protocol limits (null = node default). */
  maxFps: number | null;
  maxFrameBytes: number | null;
  idleTimeoutSec: number | null;
  /** HMAC secret for this app's play tokens (hex). Never leaves the server. */
  playSecret: string;
  createdAt: number;
}

export interface ApiToken {
  id: string;
  name: string;
  hash: string;
  scopes: string[];
  /** Restricts the token to one app; null = all apps. */
  app: string | null;
  createdAt: number;
}

export interface CameraKey {
  id: string;
  app: string;
  /** Short room name (`cam1`); the full room is `<app>-<room>`. */
  room: string;
  identity: string | null;
  hash: string;
  createdAt: number;
  lastSeenAt: number | null;
}

export const STREAM_KEY_PREFIX = 'wsk_';
export const API_TOKEN_PREFIX = 'fht_';
export const ADMIN_TOKEN_ID = 'tok_admin';

/** SHA-256 hex of a secret: what is stored and looked up. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

function newId(prefix: string): string {
  return prefix + randomBytes(6).toString('hex');
}

export function fullRoom(app: string, room: string): string {
  return `${app}-${room}`;
}

export function defaultApp(name: string, now = Date.now()): App {
  return {
    name, wsIngest: true, publicPlayback: true, maxCameras: 0,
    maxFps: null, maxFrameBytes: null, idleTimeoutSec: null,
    playSecret: randomBytes(32).toString('hex'), createdAt: now,
  };
}

export class ControlStore {
  readonly #root: RootDatabase;
  readonly #apps: Database<App, string>;
  readonly #tokens: Database<ApiToken, string>;
  readonly #tokenByHash: Database<string, string>;
  readonly #keys: Database<CameraKey, string>;
  readonly #keyByHash: Database<string, string>;
  readonly #meta: Database<unknown, string>;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.#root = open({ path: path.join(dataDir, 'framehub.mdb'), maxDbs: 16, compression: false });
    this.#apps = this.#root.openDB({ name: 'apps' });
    this.#tokens = this.#root.openDB({ name: 'tokens' });
    this.#tokenByHash = this.#root.openDB({ name: 'tokenByHash' });
    this.#keys = this.#root.openDB({ name: 'keys' });
    this.#keyByHash = this.#root.openDB({ name: 'keyByHash' });
    this.#meta = this.#root.openDB({ name: 'meta' });
    // The store holds hashes and the play-token secrets: keep it to the server's user.
    chmodSync(dataDir, 0o700);
    for (const f of ['framehub.mdb', 'framehub.mdb-lock']) {
      const p = path.join(dataDir, f);
      if (existsSync(p)) chmodSync(p, 0o600);
    }
  }

  async close(): Promise<void> {
    await this.#root.close();
  }

  /**
   * A counter bumped by every change to apps, tokens and keys (from this process or
   * another, e.g. the CLI), so the server can notice changes it did not make itself.
   */
  revision(): number {
    return (this.#meta.get('rev') as number | undefined) ?? 0;
  }

  /** Runs `fn` in one write transaction together with the revision bump. */
  #write(fn: () => void): Promise<unknown> {
    return this.#root.transaction(() => {
      fn();
      this.#meta.put('rev', this.revision() + 1);
    });
  }

  // ---- bootstrap ----

  /**
   * First start: creates the app `live` and an admin token. With `adminSecret`, that exact
   * string is (re)set as the admin token on every start. Returns a generated secret only
   * the first time, so it is printed once.
   */
  async bootstrap(adminSecret: string | undefined): Promise<{ generatedAdminToken: string | null; firstStart: boolean }> {
    const firstStart = this.#meta.get('bootstrapped') === undefined;
    let generated: string | null = null;
    if (firstStart && this.#apps.get('live') === undefined) await this.putApp(defaultApp('live'));
    if (adminSecret !== undefined) {
      await this.#setAdminToken(adminSecret);
    } else if (this.#tokens.get(ADMIN_TOKEN_ID) === undefined && firstStart) {
      generated = newSecret(API_TOKEN_PREFIX);
      await this.#setAdminToken(generated);
    }
    if (firstStart) await this.#meta.put('bootstrapped', Date.now());
    return { generatedAdminToken: generated, firstStart };
  }

  async #setAdminToken(secret: string): Promise<void> {
    const old = this.#tokens.get(ADMIN_TOKEN_ID);
    const token: ApiToken = { id: ADMIN_TOKEN_ID, name: 'admin', hash: hashSecret(secret), scopes: ['*'], app: null, createdAt: old?.createdAt ?? Date.now() };
    if (old?.hash === token.hash) return;
    await this.#write(() => {
      if (old) this.#tokenByHash.remove(old.hash);
      this.#tokens.put(token.id, token);
      this.#tokenByHash.put(token.hash, token.id);
    });
  }

  // ---- apps ----

  getToken(id: string): ApiToken | undefined {
    return this.#tokens.get(id);
  }

  getApp(name: string): App | undefined {
    return this.#apps.get(name);
  }

  listApps(): App[] {
    return [...this.#apps.getRange()].map((e) => e.value);
  }

  async putApp(app: App): Promise<void> {
    await this.#write(() => this.#apps.put(app.name, app));
  }

  /** Deletes an app with its camera keys and the tokens restricted to it. */
  async deleteApp(name: string): Promise<boolean> {
    if (!this.#apps.get(name)) return false;
    const keys = this.listKeys(name);
    const tokens = this.listTokens().filter((t) => t.app === name);
    await this.#write(() => {
      for (const k of keys) {
        this.#keys.remove(k.id);
        this.#keyByHash.remove(k.hash);
      }
      for (const t of tokens) {
        this.#tokens.remove(t.id);
        this.#tokenByHash.remove(t.hash);
      }
      this.#apps.remove(name);
    });
    return true;
  }

  // ---- API tokens ----

  async createToken(input: { name: string; scopes: string[]; app: string | null }): Promise<{ token: ApiToken; secret: string }> {
    const secret = newSecret(API_TOKEN_PREFIX);
    let id = newId('tok_');
    while (this.#tokens.get(id)) id = newId('tok_');
    const token: ApiToken = { id, name: input.name, hash: hashSecret(secret), scopes: input.scopes, app: input.app, createdAt: Date.now() };
    await this.#write(() => {
      this.#tokens.put(id, token);
      this.#tokenByHash.put(token.hash, id);
    });
    return { token, secret };
  }

  findTokenByHash(hash: string): ApiToken | undefined {
    const id = this.#tokenByHash.get(hash);
    return id === undefined ? undefined : this.#tokens.get(id);
  }

  listTokens(): ApiToken[] {
    return [...this.#tokens.getRange()].map((e) => e.value);
  }

  async revokeToken(id: string): Promise<ApiToken | undefined> {
    const token = this.#tokens.get(id);
    if (!token) return undefined;
    await this.#write(() => {
      this.#tokens.remove(id);
      this.#tokenByHash.remove(token.hash);
    });
    return token;
  }

  // ---- camera keys ----

  async mintKey(input: { app: string; room: string; identity: string | null }): Promise<{ key: CameraKey; secret: string }> {
    const secret = newSecret(STREAM_KEY_PREFIX);
    let id = newId('wsi_');
    while (this.#keys.get(id)) id = newId('wsi_');
    const key: CameraKey = { id, app: input.app, room: input.room, identity: input.identity, hash: hashSecret(secret), createdAt: Date.now(), lastSeenAt: null };
    await this.#write(() => {
      this.#keys.put(id, key);
      this.#keyByHash.put(key.hash, id);
    });
    return { key, secret };
  }

  findKeyByHash(hash: string): CameraKey | undefined {
    const id = this.#keyByHash.get(hash);
    return id === undefined ? undefined : this.#keys.get(id);
  }

  getKey(id: string): CameraKey | undefined {
    return this.#keys.get(id);
  }

  listKeys(app: string): CameraKey[] {
    return [...this.#keys.getRange()].map((e) => e.value).filter((k) => k.app === app);
  }

  async revokeKey(id: string): Promise<CameraKey | undefined> {
    const key = this.#keys.get(id);
    if (!key) return undefined;
    await this.#write(() => {
      this.#keys.remove(id);
      this.#keyByHash.remove(key.hash);
    });
    return key;
  }

  /** Records when a key was last used; not awaited on the handshake path. */
  async touchKey(id: string, at: number): Promise<void> {
    const key = this.#keys.get(id);
    if (key) await this.#keys.put(id, { ...key, lastSeenAt: at });
  }
}
