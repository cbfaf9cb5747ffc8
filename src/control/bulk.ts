// Bulk provisioning of camera keys: many rooms minted, or many keys revoked, in one
// all-or-nothing step. Every item is checked first; any problem (a bad room name, a room
// twice in the list, a room that already has a key, an unknown id) fails the whole call
// with one error per item and writes nothing. Called through the control
// service (service.ts) by both the API route (src/primary/api/bulkKeys.ts) and the CLI
// (`framehub keys mint --from`), so both follow the store's write path (LMDB, or a
// cluster's replication).
import { z } from 'zod';
import { CodedError } from '../errors.js';
import { fullRoom, type CameraKey, type ControlStore } from '../keys.js';
import { MintBody } from './bodies.js';
import { streamUrls, type StreamUrls } from './urls.js';
import { firstProblem } from './validate.js';

/** Most cameras (or keys) one bulk call takes; a bigger fleet is provisioned in chunks. */
export const BULK_MAX = 1000;

export interface BulkItemError {
  /** Position in the request's list (0-based). */
  index: number;
  room?: string;
  id?: string;
  /** `invalid_field`, `duplicate` (twice in the list), `exists` (room already has a key), `not_found`. */
  code: 'invalid_field' | 'duplicate' | 'exists' | 'not_found';
  message: string;
}

/** A refused bulk call: nothing was written; `items` says what to fix. */
export class BulkError extends CodedError {
  constructor(
    message: string,
    readonly items: BulkItemError[],
  ) {
    super('invalid_field', message);
  }

  body(): string {
    return JSON.stringify({ error: { code: this.code, message: this.message, items: this.items } });
  }
}

export const BulkMintBody = z.strictObject({
  cameras: z.array(z.unknown(), { message: 'must be a list of {"room", "identity"?}' }).min(1, 'must not be empty').max(BULK_MAX, `at most ${BULK_MAX} cameras per call`),
  /** Mint another key for rooms that already have one (default: refused, so a re-run CSV mints nothing twice). */
  allowExistingRooms: z.boolean({ message: 'must be true or false' }).optional(),
});

export const BulkRevokeBody = z
  .strictObject({
    ids: z.array(z.string({ message: 'must be a string' }), { message: 'must be a list of key ids' }).max(BULK_MAX, `at most ${BULK_MAX} per call`).optional(),
    rooms: z.array(z.string({ message: 'must be a string' }), { message: 'must be a list of room names' }).max(BULK_MAX, `at most ${BULK_MAX} per call`).optional(),
  })
  .refine((b) => (b.ids?.length ?? 0) + (b.rooms?.length ?? 0) > 0, 'give "ids" or "rooms" (not both empty)');

export type MintedKey = { id: string; streamKey: string; room: string; name: string; identity: string | null } & StreamUrls;

/** A minted key as the API answers it (the secret shown this once). */
export function mintedView(base: string, key: CameraKey, secret: string): MintedKey {
  return { id: key.id, streamKey: secret, room: fullRoom(key.app, key.room), name: key.room, identity: key.identity, ...streamUrls(base, key.app, key.room) };
}

function refuse(what: string, total: number, items: BulkItemError[]): never {
  const shown = items.length === 1 ? `${items[0]!.room ?? items[0]!.id ?? `item ${items[0]!.index}`}: ${items[0]!.message}` : `${items.length} of ${total} ${what} have problems`;
  throw new BulkError(`${shown}; nothing was changed`, items);
}

/** Checks then mints every camera of `items` ({room, identity?}) in app `app`, all or nothing. */
export async function bulkMint(store: ControlStore, app: string, items: unknown[], opts: { allowExistingRooms?: boolean } = {}): Promise<{ key: CameraKey; secret: string }[]> {
  if (items.length > BULK_MAX) throw new CodedError('invalid_field', `cameras: at most ${BULK_MAX} cameras per call`);
  const errors: BulkItemError[] = [];
  const taken = new Set(opts.allowExistingRooms ? [] : store.listKeys(app).map((k) => k.room));
  const seen = new Map<string, number>();
  const valid: { room: string; identity: string | null }[] = [];
  items.forEach((item, index) => {
    const parsed = MintBody.safeParse(item);
    const room = typeof (item as { room?: unknown })?.room === 'string' ? (item as { room: string }).room : undefined;
    if (!parsed.success) {
      errors.push({ index, room, code: 'invalid_field', message: firstProblem(parsed.error, 'item') });
      return;
    }
    const first = seen.get(parsed.data.room);
    if (first !== undefined) errors.push({ index, room, code: 'duplicate', message: `room ${parsed.data.room} is also item ${first} of the list` });
    else if (taken.has(parsed.data.room)) errors.push({ index, room, code: 'exists', message: `room ${parsed.data.room} already has a key (revoke it first, or set allowExistingRooms)` });
    else valid.push({ room: parsed.data.room, identity: parsed.data.identity ?? null });
    seen.set(parsed.data.room, first ?? index);
  });
  if (errors.length) refuse('cameras', items.length, errors);
  return store.mintKeys(valid.map((v) => ({ app, ...v })));
}

/** Checks then revokes keys by id and every key of the named rooms (short names), all or nothing. */
export async function bulkRevoke(store: ControlStore, app: string, input: { ids?: string[]; rooms?: string[] }): Promise<CameraKey[]> {
  const keys = store.listKeys(app);
  const byId = new Map(keys.map((k) => [k.id, k]));
  const byRoom = new Map<string, CameraKey[]>();
  for (const k of keys) {
    const ofRoom = byRoom.get(k.room);
    if (ofRoom) ofRoom.push(k);
    else byRoom.set(k.room, [k]);
  }
  const errors: BulkItemError[] = [];
  const chosen = new Map<string, CameraKey>();
  const ids = input.ids ?? [];
  ids.forEach((id, index) => {
    const key = byId.get(id);
    if (key) chosen.set(id, key);
    else errors.push({ index, id, code: 'not_found', message: `no key ${id} in app ${app}` });
  });
  (input.rooms ?? []).forEach((room, i) => {
    const ofRoom = byRoom.get(room) ?? [];
    if (ofRoom.length === 0) errors.push({ index: ids.length + i, room, code: 'not_found', message: `room ${room} has no key in app ${app}` });
    for (const k of ofRoom) chosen.set(k.id, k);
  });
  if (errors.length) refuse('items', ids.length + (input.rooms?.length ?? 0), errors);
  const revoked = [...chosen.values()];
  await store.revokeKeys(revoked.map((k) => k.id));
  return revoked;
}
