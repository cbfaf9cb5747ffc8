// Checks the TLS certificate and key at boot (readable, PEM, matching), so a bad path or a
// mismatched pair stops the server with a clear message instead of a worker failing to listen.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';

export function checkTlsFiles(config: Config): void {
  if (!config.tlsCertFile || !config.tlsKeyFile) return;
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(config.tlsCertFile);
  } catch (err) {
    throw new ConfigError(`invalid setting FRAMEHUB_TLS_CERT (--tls-cert): cannot read ${config.tlsCertFile}: ${(err as Error).message}`);
  }
  try {
    key = readFileSync(config.tlsKeyFile);
  } catch (err) {
    throw new ConfigError(`invalid setting FRAMEHUB_TLS_KEY (--tls-key): cannot read ${config.tlsKeyFile}: ${(err as Error).message}`);
  }
  try {
    tls.createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(`invalid setting FRAMEHUB_TLS_CERT / FRAMEHUB_TLS_KEY: ${(err as Error).message} (is the key the certificate's, both PEM?)`);
  }
}
