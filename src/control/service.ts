// The control service: the one implementation of the control plane (apps, API tokens,
// camera keys, keys in bulk: bulk.ts, play secrets and play tokens: playTokens.ts, and on a
// running node its live streams: streams.ts), called by the HTTP API (src/primary/api) and
// the CLI (src/cli).
// Bodies are validated here, the store's write path is the only one (LMDB, or a cluster's
// replication through the store's committer), and on a running node (`live`) a change
// tells the workers and closes the cameras it no longer admits. The CLI has no live node:
// the server notices its change by the store revision (src/primary/housekeeping.ts).
// Who may call what (token scopes, a token restricted to one app) is the caller's check;
// what a token may hand out or revoke is here, as `grantor`.
import type { CloseReasonToken } from '../errors.js';
import { CodedError } from '../errors.js';
import { defaultApp, type ApiToken, type App, type CameraKey, type ControlStore } from '../keys.js';
import { ROOM_NAME } from '../names.js';
import type { Logger } from '../telemetry.js';
import { bulkMint, bulkRevoke } from './bulk.js';
import { appCreateSchema, appUpdateSchema, MintBody, TokenCreate } from './bodies.js';
import { appPlayToken, playTokenTtl, roomPlayToken } from './playTokens.js';
import { scopesBeyond } from './scopes.js';
import { appStream, appStreams, type StreamSources, type StreamView } from './streams.js';
import { validate } from './validate.js';

/** The message a live camera gets when a change closes it, by reason (API, CLI and the store-revision poll alike). */
export const KICK_MESSAGE = {
  unknown_app: 'the app was deleted',
  ws_ingest_disabled: 'WS ingest was disabled for this app',
  key_revoked: 'the stream key was revoked',
} as const satisfies Partial<Record<CloseReasonToken, string>>;

/** What a running node adds to a change: its workers told, its live cameras closed. */
export interface LiveNode {
  /** The app table changed: tell the workers. */
  appsChanged(): void;
  /** Closes the live cameras matching `pred` with `reason`; how many. */
  kickWhere(pred: (c: { app: string; keyId: string }) => boolean, reason: CloseReasonToken, message: string): number;
  /** What its streams are read from. */
  streams: StreamSources;
}

export interface ControlServiceDeps {
  store: ControlStore;
  /** The node's FRAMEHUB_MAX_FRAME_BYTES: an app's own limit may not exceed it. */
  maxFrameBytes: number;
  /** Base URL of the links returned (FRAMEHUB_PUBLIC_URL or http://localhost:<port>). */
  publicBase(): string;
  log: Logger;
  /** Null in the CLI. */
  live: LiveNode | null;
}

export class ControlService {
  readonly #d: ControlServiceDeps;
  readonly #create: ReturnType<typeof appCreateSchema>;
  readonly #update: ReturnType<typeof appUpdateSchema>;

  constructor(deps: ControlServiceDeps) {
    this.#d = deps;
    this.#create = appCreateSchema(deps.maxFrameBytes);
    this.#update = appUpdateSchema(deps.maxFrameBytes);
  }

  // ---- apps ----

  /** The app, or `not_found`. */
  requireApp(name: string): App {
    const app = this.#d.store.getApp(name);
    if (!app) throw new CodedError('not_found', `unknown app ${name}`);
    return app;
  }

  /** Creates an app from a creation body (`name` and settings); `conflict` if the name is taken. */
  async createApp(body: unknown): Promise<App> {
    const input = validate(this.#create, body);
    if (this.#d.store.getApp(input.name)) throw new CodedError('conflict', `app ${input.name} exists`);
    const app: App = { ...defaultApp(input.name), ...input };
    if (!(await this.#d.store.createApp(app))) throw new CodedError('conflict', `app ${input.name} exists (created at the same time elsewhere)`);
    this.#d.live?.appsChanged();
    this.#d.log.info({ event: 'app_created', app: app.name }, 'app created');
    return app;
  }

  /** Changes the given settings; turning WS ingest off closes the app's live cameras (4403). */
  async updateApp(name: string, body: unknown): Promise<App> {
    const app = this.requireApp(name);
    const changes = validate(this.#update, body);
    const next = await this.#d.store.updateApp(app.name, changes);
    if (!next) throw new CodedError('not_found', `unknown app ${app.name} (deleted meanwhile)`);
    this.#d.live?.appsChanged();
    if (app.wsIngest && !next.wsIngest) this.#d.live?.kickWhere((c) => c.app === app.name, 'ws_ingest_disabled', KICK_MESSAGE.ws_ingest_disabled);
    this.#d.log.info({ event: 'app_updated', app: app.name, changed: Object.keys(changes) }, 'app updated');
    return next;
  }

  /** Deletes an app with its keys and app-restricted tokens; its live cameras close with 4401. */
  async deleteApp(name: string): Promise<{ deleted: string; closedCameras: number }> {
    const app = this.requireApp(name);
    if (!(await this.#d.store.deleteApp(app.name))) throw new CodedError('not_found', `unknown app ${app.name}`);
    this.#d.live?.appsChanged();
    const closed = this.#d.live?.kickWhere((c) => c.app === app.name, 'unknown_app', KICK_MESSAGE.unknown_app) ?? 0;
    this.#d.log.info({ event: 'app_deleted', app: app.name, closedCameras: closed }, 'app deleted');
    return { deleted: app.name, closedCameras: closed };
  }

  /** A new play-token secret: every play token of the app stops working (the workers end their viewers). */
  async rotatePlaySecret(name: string): Promise<App> {
    const app = this.requireApp(name);
    const next = await this.#d.store.rotatePlaySecret(app.name);
    if (!next) throw new CodedError('not_found', `unknown app ${app.name}`);
    this.#d.live?.appsChanged();
    this.#d.log.info({ event: 'play_secret_rotated', app: app.name }, 'play secret rotated; viewers holding old play tokens are ended');
    return next;
  }

  // ---- API tokens ----

  /**
   * Creates a token from a creation body. With a `grantor` (an API call) the new token can
   * only have what the grantor has: its scopes, and its app if it is restricted to one (the
   * new token's app defaults to it). Without one (the operator's CLI) anything goes.
   */
  async createToken(body: unknown, grantor: ApiToken | null): Promise<{ token: ApiToken; secret: string }> {
    const input = validate(TokenCreate, body);
    const app = input.app ?? grantor?.app ?? null;
    if (grantor && grantor.app !== null && app !== grantor.app) throw new CodedError('forbidden', `this token can only create tokens for app ${grantor.app}`);
    if (app !== null && !this.#d.store.getApp(app)) throw new CodedError('invalid_field', `app: unknown app ${app}`);
    if (grantor) {
      const beyond = scopesBeyond(grantor, input.scopes);
      if (beyond.length) throw new CodedError('forbidden', `cannot grant scopes this token lacks: ${beyond.join(', ')}`);
    }
    const created = await this.#d.store.createToken({ name: input.name, scopes: [...new Set(input.scopes)], app });
    this.#d.log.info({ event: 'token_created', tokenId: created.token.id, scopes: created.token.scopes, app }, 'API token created');
    return created;
  }

  /**
   * Revokes a token. With a `revoker` (an API call) revoking is bounded like granting: only a
   * token of its own app (others are `not_found`), and none holding scopes it lacks (a
   * delegated tokens:write token cannot lock the operator's admin token out).
   */
  async revokeToken(id: string, revoker: ApiToken | null): Promise<{ revoked: string }> {
    const target = this.#d.store.getToken(id);
    if (!target || (revoker && revoker.app !== null && target.app !== revoker.app)) throw new CodedError('not_found', `no token ${id}`);
    if (revoker) {
      const beyond = scopesBeyond(revoker, target.scopes);
      if (beyond.length) throw new CodedError('forbidden', `cannot revoke a token with scopes this token lacks: ${beyond.join(', ')}`);
    }
    if (!(await this.#d.store.revokeToken(target.id))) throw new CodedError('not_found', `no token ${id}`);
    this.#d.log.info({ event: 'token_revoked', tokenId: target.id }, 'API token revoked');
    return { revoked: target.id };
  }

  // ---- camera keys ----

  /** An app's camera keys (`not_found` for an unknown app). */
  listKeys(appName: string): CameraKey[] {
    return this.#d.store.listKeys(this.requireApp(appName).name);
  }

  /** Mints a key from a minting body (`room`, `identity`?); the secret is returned this once. */
  async mintKey(appName: string, body: unknown): Promise<{ key: CameraKey; secret: string }> {
    const app = this.requireApp(appName);
    const input = validate(MintBody, body);
    const minted = await this.#d.store.mintKey({ app: app.name, room: input.room, identity: input.identity ?? null });
    this.#d.log.info({ event: 'key_minted', app: app.name, room: input.room, keyId: minted.key.id }, 'camera key minted');
    return minted;
  }

  /** Revokes a key (of `appName` when given); its live camera closes with 4401. */
  async revokeKey(id: string, appName: string | null): Promise<{ revoked: string; closedCameras: number }> {
    const app = appName === null ? null : this.requireApp(appName);
    const key = this.#d.store.getKey(id);
    if (!key || (app && key.app !== app.name)) throw new CodedError('not_found', app ? `no key ${id} in app ${app.name}` : `no key ${id}`);
    if (!(await this.#d.store.revokeKey(key.id))) throw new CodedError('not_found', `no key ${id}`);
    const closed = this.#d.live?.kickWhere((c) => c.keyId === key.id, 'key_revoked', KICK_MESSAGE.key_revoked) ?? 0;
    this.#d.log.info({ event: 'key_revoked', app: key.app, room: key.room, keyId: key.id, closedCameras: closed }, 'camera key revoked');
    return { revoked: key.id, closedCameras: closed };
  }

  /** Mints a key per item ({room, identity?}), all or nothing (a BulkError lists what to fix). */
  async bulkMint(appName: string, items: unknown[], opts: { allowExistingRooms?: boolean } = {}): Promise<{ key: CameraKey; secret: string }[]> {
    const app = this.requireApp(appName);
    const minted = await bulkMint(this.#d.store, app.name, items, opts);
    this.#d.log.info({ event: 'keys_minted', app: app.name, count: minted.length }, 'camera keys minted in bulk');
    return minted;
  }

  /** Revokes keys by id and every key of the named rooms, all or nothing; their live cameras close with 4401. */
  async bulkRevoke(appName: string, input: { ids?: string[]; rooms?: string[] }): Promise<{ revoked: CameraKey[]; closedCameras: number }> {
    const app = this.requireApp(appName);
    const revoked = await bulkRevoke(this.#d.store, app.name, input);
    const ids = new Set(revoked.map((k) => k.id));
    const closed = this.#d.live?.kickWhere((c) => ids.has(c.keyId), 'key_revoked', KICK_MESSAGE.key_revoked) ?? 0;
    this.#d.log.info({ event: 'keys_revoked', app: app.name, count: revoked.length, closedCameras: closed }, 'camera keys revoked in bulk');
    return { revoked, closedCameras: closed };
  }

  // ---- play tokens ----

  /** A play token for every room of the app, valid `ttl` seconds (`?ttl=` as given, null: the default). */
  appPlayToken(appName: string, ttl: string | null) {
    return appPlayToken(this.requireApp(appName), playTokenTtl(ttl));
  }

  /**
   * A play token for one room, with its playback URLs. The room may be given short (`cam1`)
   * or full (`<app>-cam1`); a full name is taken as short only when the app has no room of
   * that very name.
   */
  roomPlayToken(appName: string, room: string, ttl: string | null) {
    const app = this.requireApp(appName);
    if (!ROOM_NAME.test(room)) throw new CodedError('invalid_field', 'room: must be a valid room name');
    const name = room.startsWith(`${app.name}-`) && !this.#d.store.listKeys(app.name).some((k) => k.room === room) ? room.slice(app.name.length + 1) : room;
    return roomPlayToken(app, name, playTokenTtl(ttl), this.#d.publicBase());
  }

  // ---- live streams (a running node only) ----

  /** The app's live streams on this node and the other nodes of its cluster. */
  async streams(appName: string): Promise<StreamView[]> {
    return appStreams(this.#streams(), this.requireApp(appName).name);
  }

  /** One live stream of the app, by full or short room name (`stream_offline` when none). */
  async stream(appName: string, room: string): Promise<StreamView> {
    return appStream(this.#streams(), this.requireApp(appName).name, room);
  }

  #streams(): StreamSources {
    if (!this.#d.live) throw new CodedError('unavailable', 'live streams are known only to a running node');
    return this.#d.live.streams;
  }
}
