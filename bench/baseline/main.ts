// Runs the baseline relay as its own process: `PORT=0 node dist/bench/baseline/main.js`.
// Prints `baseline listening on <host>:<port>` on stderr once it accepts connections.
import type { AddressInfo } from 'node:net';
import { createBaselineRelay } from './relay.js';

const host = process.env.HOST ?? '127.0.0.1';
const server = createBaselineRelay();
server.listen(Number(process.env.PORT ?? 8090), host, () => {
  process.stderr.write(`baseline listening on ${host}:${(server.address() as AddressInfo).port}\n`);
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 200).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
