// uWS.js silently falls back to a slow pure-JS server when its native binary does not
// load (wrong Node ABI or glibc). framehub refuses to run on that fallback.

export class UwsFallbackError extends Error {
  override readonly name = 'UwsFallbackError';
}

export function assertNativeUws(uws: unknown): void {
  const u = uws as { us_socket_local_port?: unknown; SSLApp?: unknown };
  const native = typeof u.us_socket_local_port === 'function' && String(u.us_socket_local_port).includes('[native code]') && 'SSLApp' in (u as object);
  if (!native) {
    throw new UwsFallbackError(
      `uWebSockets.js loaded its pure-JS fallback instead of the native binary (Node ${process.version}, ABI ${process.versions.modules}). ` +
        'framehub needs the native build: use Node 20 (ABI 115) on glibc >= 2.27, and reinstall with `npm ci`.',
    );
  }
}
