// Play tokens: short-lived, signed (HMAC-SHA256 with the app's secret), scoped to one
// app and room. Format: base64url(JSON {app, room, exp}) "." base64url(mac).
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface PlayClaims {
  app: string;
  /** Full room name, or `*` for every room of the app (dashboards, the camera wall). */
  room: string;
  /** Expiry, seconds since epoch. */
  exp: number;
}

export function signPlayToken(claims: PlayClaims, secretHex: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = createHmac('sha256', Buffer.from(secretHex, 'hex')).update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

export type PlayTokenCheck = 'ok' | 'missing' | 'invalid' | 'expired' | 'wrong_room';

/**
 * The check, and for a token that passed, when it expires (ms since epoch): playback ends a
 * viewer at that moment, since a token is checked at connect and holds only until its `exp`.
 */
export type PlayTokenResult = { check: 'ok'; expiresAt: number } | { check: Exclude<PlayTokenCheck, 'ok'> };

export function checkPlayToken(token: string | null, secretHex: string, app: string, room: string, nowSec = Date.now() / 1000): PlayTokenResult {
  if (!token) return { check: 'missing' };
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 1024) return { check: 'invalid' };
  const payload = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', Buffer.from(secretHex, 'hex')).update(payload).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return { check: 'invalid' };
  let claims: PlayClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as PlayClaims;
  } catch {
    return { check: 'invalid' };
  }
  if (typeof claims.exp !== 'number' || claims.exp < nowSec) return { check: 'expired' };
  if (claims.app !== app || (claims.room !== '*' && claims.room !== room)) return { check: 'wrong_room' };
  return { check: 'ok', expiresAt: claims.exp * 1000 };
}
