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

export function checkPlayToken(token: string | null, secretHex: string, app: string, room: string, nowSec = Date.now() / 1000): PlayTokenCheck {
  if (!token) return 'missing';
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 1024) return 'invalid';
  const payload = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', Buffer.from(secretHex, 'hex')).update(payload).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return 'invalid';
  let claims: PlayClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as PlayClaims;
  } catch {
    return 'invalid';
  }
  if (typeof claims.exp !== 'number' || claims.exp < nowSec) return 'expired';
  if (claims.app !== app || (claims.room !== '*' && claims.room !== room)) return 'wrong_room';
  return 'ok';
}

/**
 * When a token that passed checkPlayToken expires, in ms since epoch. Playback ends a viewer
 * at that moment: a token is checked at connect and holds only until its `exp`.
 */
export function playTokenExpiresAt(token: string): number {
  const claims = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString()) as PlayClaims;
  return claims.exp * 1000;
}
