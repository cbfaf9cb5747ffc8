// The LMDB control store: apps, API tokens and camera keys. Secrets (tokens, stream keys)
// are random 256-bit strings shown once; only their SHA-256 is stored, and lookups go by
// that hash. Every change is a ControlOp: applied to LMDB directly (one node), or handed to
// a committer that replicates it (a cluster: every node applies the same ops in the same
// order, see src/cluster/). A write resolves once the change is committed and flushed to
// disk locally (durable: an acknowledged change survives a crash or a power cut).
// Changes that depend on the current record (create-if-absent, field-level app updates,
// touchKey) decide inside the write transaction, so concurrent writers cannot undo each
// other: every node applying the same ops in the same order reaches the same result.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { hashSecret } from './secretHash.js';

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

/** What a new camera key is minted for. */
interface KeyInput {
  app: string;
  room: string;
  identity: string | null;
}

const STREAM_KEY_PREFIX = 'wsk_';
const API_TOKEN_PREFIX = 'fht_';
const ADMIN_TOKEN_ID = 'tok_admin';

/** SHA-256 hex of a secret: what is stored and looked up. */
export { hashSecret };

function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** A random id with `prefix` that `inUse` does not report taken. */
function freshId(prefix: string, inUse: (id: string) => boolean): string {
  let id: string;
  do id = prefix + randomBytes(6).toString('hex');
  while (inUse(id));
  return id;
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

/** App fields a field-level update may change. */
export type AppChanges = Partial<Omit<App, 'name' | 'createdAt'>>;

/**
 * One change to the control store; what a cluster replicates (records with hashes, never
 * key or token secrets; src/cluster/wire.ts seals play secrets before they reach Redis).
 */
export type ControlOp =
  /** Replaces an app record whole (prefer createApp / updateApp). */
  | { op: 'putApp'; app: App }
  /** Creates an app only if none of that name exists: the first in order wins. */
  | { op: 'createApp'; app: App }
  /** Changes only the given fields of an existing app (no-op if it is gone). */
  | { op: 'updateApp'; name: string; changes: AppChanges }
  | { op: 'deleteApp'; name: string }
  | { op: 'putToken'; token: ApiToken }
  | { op: 'deleteToken'; id: string }
  | { op: 'putKey'; key: CameraKey }
  | { op: 'deleteKey'; id: string }
  /** Several keys in one transaction: bulk minting is all-or-nothing. */
  | { op: 'putKeys'; keys: CameraKey[] }
  /** Several keys revoked in one transaction. */
  | { op: 'deleteKeys'; ids: string[] }
  | { op: 'setMeta'; name: string; value: unknown };

/** Everything replicated, for snapshots of a cluster's state. */
export interface ControlState {
  apps: App[];
  tokens: ApiToken[];
  keys: CameraKey[];
  meta: Record<string, unknown>;
}

/**
 * Takes a change and resolves once it has been applied (durably) to this node's store, with
 * whether it took effect (false: a createApp whose name was taken first, an updateApp of an
 * app that is gone).
 */
export type Committer = (op: ControlOp) => Promise<boolean>;

/**
 * Meta entry: the bootstrap admin tokens revoked through the API or CLI, `{hash, at}` (the
 * newest 16). FRAMEHUB_ADMIN_TOKEN is never re-applied with one of these hashes.
 */
const REVOKED_ADMIN_META = 'revokedAdminTokens';
const REVOKED_ADMIN_KEEP = 16;

export interface RevokedAdminToken {
  hash: string;
  at: number;
}

/** Meta entries that are node-local (never replicated, not part of snapshots). */
const LOCAL_META = new Set(['rev', 'replicatedId', 'cluster']);

/** Puts a record that has a secret hash (token, camera key), keeping its by-hash index right. */
function putHashed<T extends { id: string; hash: string }>(table: Database<T, string>, byHash: Database<string, string>, record: T): void {
  const old = table.get(record.id);
  if (old) byHash.remove(old.hash);
  table.put(record.id, record);
  byHash.put(record.hash, record.id);
}

/** Removes such a record and its by-hash entry (nothing if there is none). */
function removeHashed<T extends { id: string; hash: string }>(table: Database<T, string>, byHash: Database<string, string>, id: string): void {
  const old = table.get(id);
  if (!old) return;
  table.remove(id);
  byHash.remove(old.hash);
}

export class ControlStore {
  readonly #root: RootDatabase;
  readonly #apps: Database<App, string>;
  readonly #tokens: Database<ApiToken, string>;
  readonly #tokenByHash: Database<string, string>;
  readonly #keys: Database<CameraKey, string>;
  readonly #keyByHash: Database<string, string>;
  readonly #meta: Database<unknown, string>;
  #committer: Committer;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.#root = open({ path: path.join(dataDir, 'framehub.mdb'), maxDbs: 16, compression: false });
    this.#apps = this.#root.openDB({ name: 'apps' });
    this.#tokens = this.#root.openDB({ name: 'tokens' });
    this.#tokenByHash = this.#root.openDB({ name: 'tokenByHash' });
    this.#keys = this.#root.openDB({ name: 'keys' });
    this.#keyByHash = this.#root.openDB({ name: 'keyByHash' });
    this.#meta = this.#root.openDB({ name: 'meta' });
    this.#committer = (op) => this.applyOp(op, undefined, { durable: true });
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

  /** Routes every change through `committer` (a cluster's replication) instead of LMDB directly. */
  useCommitter(committer: Committer): void {
    this.#committer = committer;
  }

  /**
   * A counter bumped by every change to apps, tokens and keys (from this process, another
   * one such as the CLI, or replication), so the server notices changes it did not make.
   */
  revision(): number {
    return (this.#meta.get('rev') as number | undefined) ?? 0;
  }

  // ---- applying changes (the only place that writes) ----

  /** Applies one op inside a write transaction; false when it had no effect by its rules. */
  #applyInTxn(op: ControlOp): boolean {
    switch (op.op) {
      case 'putApp':
        this.#apps.put(op.app.name, op.app);
        break;
      case 'createApp':
        if (this.#apps.get(op.app.name) !== undefined) return false;
        this.#apps.put(op.app.name, op.app);
        break;
      case 'updateApp': {
        const current = this.#apps.get(op.name);
        if (current === undefined) return false;
        this.#apps.put(op.name, { ...current, ...op.changes, name: current.name, createdAt: current.createdAt });
        break;
      }
      case 'deleteApp': {
        for (const k of this.listKeys(op.name)) removeHashed(this.#keys, this.#keyByHash, k.id);
        for (const t of this.listTokens()) if (t.app === op.name) removeHashed(this.#tokens, this.#tokenByHash, t.id);
        this.#apps.remove(op.name);
        break;
      }
      case 'putToken':
        putHashed(this.#tokens, this.#tokenByHash, op.token);
        break;
      case 'deleteToken':
        removeHashed(this.#tokens, this.#tokenByHash, op.id);
        break;
      case 'putKey':
      case 'putKeys':
        for (const key of op.op === 'putKey' ? [op.key] : op.keys) putHashed(this.#keys, this.#keyByHash, key);
        break;
      case 'deleteKey':
      case 'deleteKeys':
        for (const id of op.op === 'deleteKey' ? [op.id] : op.ids) removeHashed(this.#keys, this.#keyByHash, id);
        break;
      case 'setMeta':
        this.#meta.put(op.name, op.value);
        break;
      default:
        op satisfies never;
    }
    return true;
  }

  /**
   * Applies one change in one LMDB transaction with the revision bump (and, for a
   * replicated change, the replication position, so progress and effect commit together).
   * With `durable`, resolves only once the transaction is flushed to disk: lmdb documents
   * its commit promise as "committed and visible" and `flushed` as durable (3.5.6 on Linux
   * happens to resolve commits after the flush already; this keeps the answer durable if not).
   */
  async applyOp(op: ControlOp, replicatedId?: string, opts: { durable?: boolean } = {}): Promise<boolean> {
    const applied = await this.#root.transaction(() => {
      const took = this.#applyInTxn(op);
      if (replicatedId !== undefined) this.#meta.put('replicatedId', replicatedId);
      if (took || replicatedId !== undefined) this.#meta.put('rev', this.revision() + 1);
      return took;
    });
    if (opts.durable) await this.flushed();
    return applied;
  }

  /** Resolves when every write committed so far is flushed to disk. */
  async flushed(): Promise<void> {
    await this.#root.flushed;
  }

  /**
   * Records a skipped replicated entry: only the replication position moves (an entry that
   * failed its checks is passed over, never applied).
   */
  async skipReplicated(replicatedId: string): Promise<void> {
    await this.#root.transaction(() => {
      this.#meta.put('replicatedId', replicatedId);
    });
  }

  /** The replication position this store has applied up to (cluster mode). */
  replicatedId(): string | null {
    return (this.#meta.get('replicatedId') as string | undefined) ?? null;
  }

  /** Everything that is replicated, for a cluster snapshot. */
  exportState(): ControlState {
    const meta: Record<string, unknown> = {};
    for (const { key, value } of this.#meta.getRange()) if (!LOCAL_META.has(key)) meta[key] = value;
    return { apps: this.listApps(), tokens: this.listTokens(), keys: [...this.#keys.getRange()].map((e) => e.value), meta };
  }

  /** Replaces the replicated state with a snapshot taken at replication position `id`. */
  async importState(state: ControlState, id: string): Promise<void> {
    await this.#root.transaction(() => {
      for (const db of [this.#apps, this.#tokens, this.#tokenByHash, this.#keys, this.#keyByHash] as Database<unknown, string>[]) {
        for (const k of [...db.getKeys()]) db.remove(k);
      }
      for (const { key } of [...this.#meta.getRange()]) if (!LOCAL_META.has(key)) this.#meta.remove(key);
      for (const app of state.apps) this.#applyInTxn({ op: 'putApp', app });
      for (const token of state.tokens) this.#applyInTxn({ op: 'putToken', token });
      for (const key of state.keys) this.#applyInTxn({ op: 'putKey', key });
      for (const [name, value] of Object.entries(state.meta)) this.#meta.put(name, value);
      this.#meta.put('replicatedId', id);
      this.#meta.put('rev', this.revision() + 1);
    });
    await this.flushed();
  }

  // ---- node-local cluster membership (what the CLI checks before writing) ----

  /** Marks this data dir as a cluster node's (prefix) or a single node's (null); set by the server at start. */
  async setClusterMembership(prefix: string | null): Promise<void> {
    if ((this.#meta.get('cluster') ?? null) === prefix) return;
    await this.#meta.put('cluster', prefix);
    await this.flushed();
  }

  /** The cluster prefix this data dir's server last ran with, or null for a single node. */
  clusterMembership(): string | null {
    return (this.#meta.get('cluster') as string | null | undefined) ?? null;
  }

  // ---- bootstrap ----

  /**
   * First start (of the node, or of the cluster): creates the app `live` and an admin
   * token. With `adminSecret`, that exact string is (re)set as the admin token on every
   * start, unless that token was revoked (then `adminTokenRevokedAt` says when, and it is
   * not brought back). Returns a generated secret only the first time, so it is printed once.
   */
  async bootstrap(adminSecret: string | undefined): Promise<{ generatedAdminToken: string | null; firstStart: boolean; adminTokenRevokedAt: number | null }> {
    const firstStart = this.#meta.get('bootstrapped') === undefined;
    let generated: string | null = null;
    let adminTokenRevokedAt: number | null = null;
    if (firstStart && this.#apps.get('live') === undefined) await this.createApp(defaultApp('live'));
    if (adminSecret !== undefined) {
      const hash = hashSecret(adminSecret);
      adminTokenRevokedAt = this.revokedAdminTokens().find((r) => r.hash === hash)?.at ?? null;
      if (adminTokenRevokedAt === null) await this.#setAdminToken(adminSecret);
    } else if (this.#tokens.get(ADMIN_TOKEN_ID) === undefined && firstStart) {
      generated = newSecret(API_TOKEN_PREFIX);
      await this.#setAdminToken(generated);
    }
    if (firstStart) await this.#committer({ op: 'setMeta', name: 'bootstrapped', value: Date.now() });
    return { generatedAdminToken: generated, firstStart, adminTokenRevokedAt };
  }

  /** Bootstrap admin tokens revoked so far (hashes only), oldest first. */
  revokedAdminTokens(): RevokedAdminToken[] {
    const list = this.#meta.get(REVOKED_ADMIN_META);
    return Array.isArray(list) ? (list as RevokedAdminToken[]) : [];
  }

  async #setAdminToken(secret: string): Promise<void> {
    const old = this.#tokens.get(ADMIN_TOKEN_ID);
    const token: ApiToken = { id: ADMIN_TOKEN_ID, name: 'admin', hash: hashSecret(secret), scopes: ['*'], app: null, createdAt: old?.createdAt ?? Date.now() };
    if (old?.hash === token.hash) return;
    await this.#committer({ op: 'putToken', token });
  }

  // ---- apps ----

  getApp(name: string): App | undefined {
    return this.#apps.get(name);
  }

  listApps(): App[] {
    return [...this.#apps.getRange()].map((e) => e.value);
  }

  /** Replaces an app record whole. Prefer createApp and updateApp, which cannot lose a concurrent change. */
  async putApp(app: App): Promise<void> {
    await this.#committer({ op: 'putApp', app });
  }

  /**
   * Creates an app unless one of that name exists by the time the change is applied (on a
   * cluster: by stream order, so two nodes creating the same name agree on the first).
   * Returns false when the name was taken.
   */
  async createApp(app: App): Promise<boolean> {
    return this.#committer({ op: 'createApp', app });
  }

  /**
   * Changes the given fields of an app, merged into the record current when the change is
   * applied (concurrent updates of different fields all stick). Returns the app after the
   * change, or undefined if it does not exist (any more).
   */
  async updateApp(name: string, changes: AppChanges): Promise<App | undefined> {
    const applied = await this.#committer({ op: 'updateApp', name, changes });
    return applied ? this.#apps.get(name) : undefined;
  }

  /**
   * Gives the app a new play-token secret: every play token signed with the old one stops
   * working (the workers end the viewers holding them when the new app table reaches them).
   * A field-level change, so it cannot undo a concurrent PATCH of other fields.
   */
  async rotatePlaySecret(name: string): Promise<App | undefined> {
    if (!this.#apps.get(name)) return undefined;
    return this.updateApp(name, { playSecret: randomBytes(32).toString('hex') });
  }

  /** Deletes an app with its camera keys and the tokens restricted to it. */
  async deleteApp(name: string): Promise<boolean> {
    if (!this.#apps.get(name)) return false;
    await this.#committer({ op: 'deleteApp', name });
    return true;
  }

  // ---- API tokens ----

  async createToken(input: { name: string; scopes: string[]; app: string | null }): Promise<{ token: ApiToken; secret: string }> {
    const secret = newSecret(API_TOKEN_PREFIX);
    const id = freshId('tok_', (taken) => this.#tokens.get(taken) !== undefined);
    const token: ApiToken = { id, name: input.name, hash: hashSecret(secret), scopes: input.scopes, app: input.app, createdAt: Date.now() };
    await this.#committer({ op: 'putToken', token });
    return { token, secret };
  }

  getToken(id: string): ApiToken | undefined {
    return this.#tokens.get(id);
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
    if (id === ADMIN_TOKEN_ID) {
      // Remembered first, so FRAMEHUB_ADMIN_TOKEN cannot bring it back on the next start.
      const revoked = [...this.revokedAdminTokens().filter((r) => r.hash !== token.hash), { hash: token.hash, at: Date.now() }].slice(-REVOKED_ADMIN_KEEP);
      await this.#committer({ op: 'setMeta', name: REVOKED_ADMIN_META, value: revoked });
    }
    await this.#committer({ op: 'deleteToken', id });
    return token;
  }

  // ---- camera keys ----

  async mintKey(input: KeyInput): Promise<{ key: CameraKey; secret: string }> {
    const minted = this.#newKey(input, new Set());
    await this.#committer({ op: 'putKey', key: minted.key });
    return minted;
  }

  /** Mints several keys in one transaction (all or none); the secrets are returned once. */
  async mintKeys(inputs: KeyInput[]): Promise<{ key: CameraKey; secret: string }[]> {
    const ids = new Set<string>();
    const minted = inputs.map((input) => this.#newKey(input, ids));
    if (minted.length) await this.#committer({ op: 'putKeys', keys: minted.map((m) => m.key) });
    return minted;
  }

  /** A new key record and its secret; its id is in neither the store nor `ids` (it is added to `ids`). */
  #newKey(input: KeyInput, ids: Set<string>): { key: CameraKey; secret: string } {
    const secret = newSecret(STREAM_KEY_PREFIX);
    const id = freshId('wsi_', (taken) => this.#keys.get(taken) !== undefined || ids.has(taken));
    ids.add(id);
    return { key: { id, app: input.app, room: input.room, identity: input.identity, hash: hashSecret(secret), createdAt: Date.now(), lastSeenAt: null }, secret };
  }

  /** Revokes several keys in one transaction. */
  async revokeKeys(ids: string[]): Promise<void> {
    if (ids.length) await this.#committer({ op: 'deleteKeys', ids });
  }

  findKeyByHash(hash: string): CameraKey | undefined {
    const id = this.#keyByHash.get(hash);
    return id === undefined ? undefined : this.#keys.get(id);
  }

  getKey(id: string): CameraKey | undefined {
    return this.#keys.get(id);
  }

  /** Every key of every app, in one read. */
  listAllKeys(): CameraKey[] {
    return [...this.#keys.getRange()].map((e) => e.value);
  }

  listKeys(app: string): CameraKey[] {
    return this.listAllKeys().filter((k) => k.app === app);
  }

  async revokeKey(id: string): Promise<CameraKey | undefined> {
    const key = this.#keys.get(id);
    if (!key) return undefined;
    await this.#committer({ op: 'deleteKey', id });
    return key;
  }

  /**
   * Records when a key was last used (on the handshake, not awaited there). Node-local:
   * in a cluster each node knows when a key last connected to it. The read and the write
   * are one transaction: a revoke committed in between is seen, so the record of a revoked
   * key is never written back.
   */
  async touchKey(id: string, at: number): Promise<void> {
    await this.#root.transaction(() => {
      const key = this.#keys.get(id);
      if (key) this.#keys.put(id, { ...key, lastSeenAt: at });
    });
  }
}
