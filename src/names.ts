// Rules for app and room names, shared by the API, ingest and playback routes.
// App names have no dash, so a full room `<app>-<room>` splits at its first dash.

export const APP_NAME = /^[a-z0-9][a-z0-9_]{0,31}$/;
export const ROOM_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const APP_NAME_RULE = '1-32 characters of a-z, 0-9 and _, starting with a letter or digit';
export const ROOM_NAME_RULE = '1-64 characters of A-Z, a-z, 0-9, _ and -, starting with a letter or digit';

export function isAppName(s: string): boolean {
  return APP_NAME.test(s);
}

export function isRoomName(s: string): boolean {
  return ROOM_NAME.test(s);
}

/** A camera's identity (minted with its key, or `?identity=` on the handshake): shown in lists and logs. */
export const IDENTITY = /^[\x20-\x7e]{1,64}$/;
export const IDENTITY_RULE = '1-64 printable ASCII characters';

export function isIdentity(s: string): boolean {
  return IDENTITY.test(s);
}
