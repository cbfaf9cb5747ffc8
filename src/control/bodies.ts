// The bodies of control-plane changes (apps, tokens, camera keys), validated the same way
// whether they come from the HTTP API or the CLI: zod schemas, strict (an unknown field is
// an error), with messages that name the rule.
import { z } from 'zod';
import { APP_NAME, APP_NAME_RULE, IDENTITY, ROOM_NAME, ROOM_NAME_RULE } from '../names.js';
import { SCOPES } from './scopes.js';

const bool = z.boolean({ message: 'must be true or false' });
const limit = (min: number, max: number) => z.number({ message: 'must be a number' }).int('must be a whole number').min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);

/** The app settings a body may give (both bodies of apps). */
function settingsSchema(maxFrameBytes: number) {
  return {
    wsIngest: bool.optional(),
    publicPlayback: bool.optional(),
    maxCameras: limit(0, 1_000_000).optional(),
    maxFps: limit(1, 120).nullable().optional(),
    maxFrameBytes: limit(1024, maxFrameBytes).nullable().optional(),
    idleTimeoutSec: limit(1, 3600).nullable().optional(),
  };
}

/** Body of app creation. */
export function appCreateSchema(maxFrameBytes: number) {
  return z.strictObject({ name: z.string({ message: 'must be a string' }).regex(APP_NAME, APP_NAME_RULE), ...settingsSchema(maxFrameBytes) });
}

/** Body of an app update. */
export function appUpdateSchema(maxFrameBytes: number) {
  return z.strictObject(settingsSchema(maxFrameBytes)).refine((b) => Object.keys(b).length > 0, 'give at least one setting to change');
}

/** Body of token creation. */
export const TokenCreate = z.strictObject({
  name: z.string({ message: 'must be a string' }).min(1, 'must not be empty').max(64, 'must be at most 64 characters').regex(/^[\x20-\x7e]+$/, 'must be printable ASCII'),
  scopes: z.array(z.enum(['*', ...SCOPES], { message: `each scope must be * or one of ${SCOPES.join(', ')}` }), { message: 'must be a list of scopes' }).min(1, 'give at least one scope').max(16),
  app: z.string({ message: 'must be a string or null' }).regex(APP_NAME, APP_NAME_RULE).nullable().optional(),
});

/** Body of key minting. */
export const MintBody = z.strictObject({
  room: z.string({ message: 'must be a string' }).regex(ROOM_NAME, ROOM_NAME_RULE),
  identity: z.string({ message: 'must be a string' }).min(1).max(64, 'must be at most 64 characters').regex(IDENTITY, 'must be printable ASCII').optional(),
});
