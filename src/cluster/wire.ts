// What goes into Redis for the replicated control plane, and how a node checks what comes
// out. Every stream entry and snapshot is signed with HMAC-SHA256 under a key derived from
// FRAMEHUB_CLUSTER_SECRET, so whoever can write to Redis (but lacks the secret) cannot make
// nodes apply anything; the play-token secrets of apps are encrypted (AES-256-GCM, bound to
// the app's name), so whoever can read Redis cannot mint play tokens. Everything read back
// is validated with zod: an entry that fails any check is reported with a reason and skipped.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { SCOPES } from '../control/scopes.js';
import type { App, ControlOp, ControlState } from '../keys.js';
import { APP_NAME, ROOM_NAME } from '../names.js';

/** Why an entry or snapshot was refused (the `reason` label of the metric). */
export type RejectReason = 'unsigned' | 'bad_signature' | 'invalid';

export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

/** The two keys derived from the cluster secret: one signs, one encrypts. */
export interface ClusterKeys {
  readonly sign: Buffer;
  readonly encrypt: Buffer;
  /** The Redis key prefix: part of every signature, so entries cannot move between clusters. */
  readonly prefix: string;
}

export function clusterKeys(secret: string, prefix: string): ClusterKeys {
  const derive = (info: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'framehub-cluster', info, 32));
  return { sign: derive('framehub entry signing v1'), encrypt: derive('framehub play-secret encryption v1'), prefix };
}

// ---- signatures ----

function mac(keys: ClusterKeys, parts: string[]): string {
  const h = createHmac('sha256', keys.sign);
  for (const p of parts) h.update(`${p.length}:${p}\n`);
  return h.digest('hex');
}

function checkMac(expected: string, given: string | undefined): void {
  if (given === undefined || given === '') throw new WireError('unsigned', 'no signature');
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(/^[0-9a-f]{64}$/.test(given) ? given : '', 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new WireError('bad_signature', 'signature does not match (another cluster secret, or forged)');
}

/** The fields of one stream entry: the op (JSON), who wrote it, the entry before it, the MAC (over these and the entry's own id). */
interface EntryFields {
  op: string;
  node: string;
  prev: string;
  sig: string;
}

/** The MAC of one entry: over its own stream id and the one before it, so it fits in one place only. */
export function signEntry(keys: ClusterKeys, id: string, prev: string, node: string, op: string): string {
  return mac(keys, ['entry-v1', keys.prefix, id, prev, node, op]);
}

/** Reads Redis's flat field list (`[name, value, ...]`). */
export function entryFields(flat: string[]): Partial<EntryFields> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** Checks one entry (stream id `id`): signature, then contents; throws WireError naming what is wrong. */
export function openEntry(keys: ClusterKeys, id: string, f: Partial<EntryFields>): { op: ControlOp; node: string; prev: string } {
  if (typeof f.op !== 'string' || typeof f.node !== 'string' || typeof f.prev !== 'string') {
    if (f.sig === undefined) throw new WireError('unsigned', 'no signature');
    throw new WireError('invalid', 'missing op, node or prev field');
  }
  checkMac(signEntry(keys, id, f.prev, f.node, f.op), f.sig);
  return { op: decodeOp(keys, parseJson(f.op)), node: f.node, prev: f.prev };
}

// ---- snapshots ----

interface SnapshotEnvelope {
  v: 1;
  id: string;
  /** The state as JSON (secrets encrypted); signed as these exact bytes. */
  state: string;
  sig: string;
}

export function sealSnapshot(keys: ClusterKeys, id: string, state: ControlState): string {
  const json = JSON.stringify(encodeState(keys, state));
  const env: SnapshotEnvelope = { v: 1, id, state: json, sig: mac(keys, ['snapshot-v1', keys.prefix, id, json]) };
  return JSON.stringify(env);
}

const Envelope = z.strictObject({ v: z.literal(1), id: z.string().regex(/^\d+-\d+$/), state: z.string(), sig: z.string() });

export function openSnapshot(keys: ClusterKeys, raw: string): { id: string; state: ControlState } {
  const json = parseJson(raw);
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) {
    const o = json as { sig?: unknown } | null;
    throw new WireError(o && typeof o === 'object' && 'sig' in o ? 'invalid' : 'unsigned', `snapshot: ${issue(parsed.error)}`);
  }
  const env = parsed.data;
  checkMac(mac(keys, ['snapshot-v1', keys.prefix, env.id, env.state]), env.sig);
  return { id: env.id, state: decodeState(keys, parseJson(env.state)) };
}

// ---- secrets ----

/** Encrypts an app's play secret, bound to the app's name (a ciphertext cannot be moved to another app). */
function sealSecret(keys: ClusterKeys, app: string, secret: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', keys.encrypt, iv);
  c.setAAD(Buffer.from(`app:${app}`));
  const ct = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64url'), ct.toString('base64url'), c.getAuthTag().toString('base64url')].join('.');
}

function openSecret(keys: ClusterKeys, app: string, sealed: string): string {
  const [v, iv, ct, tag] = sealed.split('.');
  if (v !== 'v1' || !iv || !ct || !tag) throw new WireError('invalid', `app ${app}: sealed play secret is malformed`);
  try {
    const d = createDecipheriv('aes-256-gcm', keys.encrypt, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(`app:${app}`));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
  } catch {
    throw new WireError('invalid', `app ${app}: the play secret does not decrypt with this cluster secret`);
  }
}

// ---- schemas (what a node accepts) ----

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const time = z.number().int().nonnegative();
const printable = z.string().min(1).max(64).regex(/^[\x20-\x7e]+$/);
const appName = z.string().regex(APP_NAME);
const nullableLimit = z.number().int().positive().nullable();

const appSettings = {
  wsIngest: z.boolean(),
  publicPlayback: z.boolean(),
  maxCameras: z.number().int().nonnegative(),
  maxFps: nullableLimit,
  maxFrameBytes: nullableLimit,
  idleTimeoutSec: nullableLimit,
};
/** An app as it travels: the play secret sealed. */
const WireApp = z.strictObject({ name: appName, ...appSettings, playSecretSealed: z.string().min(1).max(200), createdAt: time });
const WireAppChanges = z.strictObject({ ...appSettings, playSecretSealed: z.string().min(1).max(200) }).partial();
const Token = z.strictObject({
  id: z.string().regex(/^tok_[A-Za-z0-9_]{1,40}$/),
  name: printable,
  hash: hex64,
  scopes: z.array(z.enum(['*', ...SCOPES])).min(1).max(16),
  app: appName.nullable(),
  createdAt: time,
});
const Key = z.strictObject({
  id: z.string().regex(/^wsi_[A-Za-z0-9_]{1,40}$/),
  app: appName,
  room: z.string().regex(ROOM_NAME),
  identity: printable.nullable(),
  hash: hex64,
  createdAt: time,
  lastSeenAt: time.nullable(),
});
const metaName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
const WireOp = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('putApp'), app: WireApp }),
  z.strictObject({ op: z.literal('createApp'), app: WireApp }),
  z.strictObject({ op: z.literal('updateApp'), name: appName, changes: WireAppChanges }),
  z.strictObject({ op: z.literal('deleteApp'), name: appName }),
  z.strictObject({ op: z.literal('putToken'), token: Token }),
  z.strictObject({ op: z.literal('deleteToken'), id: Token.shape.id }),
  z.strictObject({ op: z.literal('putKey'), key: Key }),
  z.strictObject({ op: z.literal('deleteKey'), id: Key.shape.id }),
  // Bulk provisioning (src/control/bulk.ts): one entry, applied in one transaction.
  z.strictObject({ op: z.literal('putKeys'), keys: z.array(Key).max(1000) }),
  z.strictObject({ op: z.literal('deleteKeys'), ids: z.array(Key.shape.id).max(1000) }),
  z.strictObject({ op: z.literal('setMeta'), name: metaName, value: z.json() }),
]);
const WireState = z.strictObject({ apps: z.array(WireApp), tokens: z.array(Token), keys: z.array(Key), meta: z.record(metaName, z.json()) });

type WireAppT = z.infer<typeof WireApp>;

// ---- heartbeats ----

/** What the cluster view reads of a stream in a heartbeat (the rest travels along as is). */
const HeartbeatStream = z.object({ app: appName, room: z.string().max(200), state: z.enum(['live', 'away']), node: z.string().max(64), bytesPerSec: z.number().nonnegative() });
export type HeartbeatStream = z.infer<typeof HeartbeatStream>;

/** A node's heartbeat as the cluster view reads it; streams keep any further fields. */
const Heartbeat = z.strictObject({
  node: z.string().regex(/^[A-Za-z0-9_:.-]{1,64}$/),
  at: time,
  streams: z.array(HeartbeatStream.loose()).max(100_000),
});
export type HeartbeatContent = z.infer<typeof Heartbeat>;

export function sealHeartbeat(keys: ClusterKeys, hb: object): string {
  const json = JSON.stringify(hb);
  return JSON.stringify({ v: 1, hb: json, sig: mac(keys, ['heartbeat-v1', keys.prefix, json]) });
}

export function openHeartbeat(keys: ClusterKeys, raw: string): HeartbeatContent {
  const env = parseJson(raw) as { v?: unknown; hb?: unknown; sig?: unknown } | null;
  if (!env || typeof env !== 'object' || typeof env.hb !== 'string') throw new WireError(env && typeof env === 'object' && 'sig' in env ? 'invalid' : 'unsigned', 'heartbeat: not a signed envelope');
  checkMac(mac(keys, ['heartbeat-v1', keys.prefix, env.hb]), typeof env.sig === 'string' ? env.sig : undefined);
  const parsed = Heartbeat.safeParse(parseJson(env.hb));
  if (!parsed.success) throw new WireError('invalid', `heartbeat: ${issue(parsed.error)}`);
  return parsed.data;
}

function sealApp(keys: ClusterKeys, app: App): WireAppT {
  const { playSecret, ...rest } = app;
  return { ...rest, playSecretSealed: sealSecret(keys, app.name, playSecret) };
}

function openApp(keys: ClusterKeys, app: WireAppT): App {
  const { playSecretSealed, ...rest } = app;
  return { ...rest, playSecret: openSecret(keys, app.name, playSecretSealed) };
}

/** The op as it goes into Redis: records as they are, play secrets sealed. */
export function encodeOp(keys: ClusterKeys, op: ControlOp): string {
  switch (op.op) {
    case 'putApp':
    case 'createApp':
      return JSON.stringify({ op: op.op, app: sealApp(keys, op.app) });
    case 'updateApp': {
      const { playSecret, ...changes } = op.changes;
      return JSON.stringify({ op: op.op, name: op.name, changes: playSecret === undefined ? changes : { ...changes, playSecretSealed: sealSecret(keys, op.name, playSecret) } });
    }
    default:
      return JSON.stringify(op);
  }
}

function decodeOp(keys: ClusterKeys, json: unknown): ControlOp {
  const parsed = WireOp.safeParse(json);
  if (!parsed.success) throw new WireError('invalid', `op: ${issue(parsed.error)}`);
  const op = parsed.data;
  switch (op.op) {
    case 'putApp':
    case 'createApp':
      return { op: op.op, app: openApp(keys, op.app) };
    case 'updateApp': {
      const { playSecretSealed, ...changes } = op.changes;
      return { op: op.op, name: op.name, changes: playSecretSealed === undefined ? changes : { ...changes, playSecret: openSecret(keys, op.name, playSecretSealed) } };
    }
    default:
      return op as ControlOp;
  }
}

function encodeState(keys: ClusterKeys, s: ControlState): object {
  return { apps: s.apps.map((a) => sealApp(keys, a)), tokens: s.tokens, keys: s.keys, meta: s.meta };
}

function decodeState(keys: ClusterKeys, json: unknown): ControlState {
  const parsed = WireState.safeParse(json);
  if (!parsed.success) throw new WireError('invalid', `snapshot state: ${issue(parsed.error)}`);
  return { ...parsed.data, apps: parsed.data.apps.map((a) => openApp(keys, a)) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new WireError('invalid', 'not JSON');
  }
}

function issue(err: z.ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.join('.') || '(root)'}: ${i.message}` : 'invalid';
}
