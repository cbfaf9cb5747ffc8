// One server per data dir. The lock is a Linux abstract-namespace socket named after the
// data dir: the kernel releases it when the process ends, even on SIGKILL, so there is no
// stale lock file to clean up. The CLI does not take it (it may run beside the server).
import { createHash } from 'node:crypto';
import net from 'node:net';
import { ConfigError } from '../errors.js';

export async function lockDataDir(dataDir: string): Promise<{ release(): void }> {
  const name = `\0framehub-${createHash('sha256').update(dataDir).digest('hex').slice(0, 32)}`;
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ConfigError(`data dir ${dataDir} is in use by another framehub server on this machine; stop it first or set another FRAMEHUB_DATA_DIR`) : err),
    );
    server.listen({ path: name }, () => resolve());
  });
  server.unref();
  return { release: () => server.close() };
}
