// A throwaway self-signed certificate for localhost/127.0.0.1 (openssl CLI).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './paths.js';

export function selfSigned(cn = 'localhost'): { cert: string; key: string; certPem: Buffer; dir: string } {
  const dir = tempDir('framehub-tls-');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${cn}`, '-addext', `subjectAltName=DNS:${cn},IP:127.0.0.1`], { stdio: 'ignore' });
  return { cert, key, certPem: readFileSync(cert), dir };
}
