// The public port, claimed before the workers start: an exclusive bind that fails when
// someone already listens there, and resolves port 0 to a free port (uSockets sets
// SO_REUSEPORT only for a non-zero port, so the workers need the number).
import net from 'node:net';
import { ConfigError } from '../errors.js';

/**
 * Checks that nobody listens on `port` (0: picks a free one) with an exclusive bind. The
 * workers then share it with SO_REUSEPORT; without this check a second server started on
 * the same port would silently take half of the first one's connections.
 */
export function claimPort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ConfigError(`port ${port} on ${host} is in use (PORT / HOST): is another framehub or program listening there?`) : err),
    );
    probe.listen(port, host, () => {
      const bound = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(bound));
    });
  });
}
