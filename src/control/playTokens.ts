// Play tokens as the control service mints them: signed with the app's play secret, valid
// `ttl` seconds (an hour unless asked, at most a day), for one room (with its playback URLs
// carrying the token) or for every room of the app (`*`: dashboard thumbnails, the wall).
// Needed for playback when the app's publicPlayback is off; rotating the play secret voids them.
import { CodedError } from '../errors.js';
import { fullRoom, type App } from '../keys.js';
import { signPlayToken } from '../playToken.js';
import { streamUrls, wsBase } from './urls.js';

const DEFAULT_TTL_SEC = 3600;
const MAX_TTL_SEC = 24 * 3600;

/** The lifetime asked for (`?ttl=`, null when absent) in seconds, or `invalid_field`. */
export function playTokenTtl(raw: string | null): number {
  const ttl = raw === null ? DEFAULT_TTL_SEC : Number(raw);
  if (!Number.isInteger(ttl) || ttl < 10 || ttl > MAX_TTL_SEC) throw new CodedError('invalid_field', `ttl: must be a whole number of seconds from 10 to ${MAX_TTL_SEC}`);
  return ttl;
}

function signed(app: App, room: string, ttlSec: number) {
  const exp = Math.floor(Date.now() / 1000) + ttlSec;
  return { token: signPlayToken({ app: app.name, room, exp }, app.playSecret), app: app.name, room, expiresAt: new Date(exp * 1000).toISOString() };
}

/** A token for every room of the app. */
export function appPlayToken(app: App, ttlSec: number) {
  return signed(app, '*', ttlSec);
}

/** A token for room `name` (short) of the app, with the room's playback URLs carrying it. */
export function roomPlayToken(app: App, name: string, ttlSec: number, base: string) {
  const minted = signed(app, fullRoom(app.name, name), ttlSec);
  const urls = streamUrls(base, app.name, name);
  const q = `token=${encodeURIComponent(minted.token)}`;
  return {
    ...minted,
    mjpegUrl: `${urls.mjpegUrl}?${q}`, frameUrl: `${urls.frameUrl}?${q}`, playerUrl: `${urls.playerUrl}?${q}`, embedUrl: `${urls.embedUrl}?${q}`,
    viewerWsUrl: `${wsBase(base)}/live/ws?app=${encodeURIComponent(app.name)}&room=${encodeURIComponent(name)}&${q}`,
  };
}
