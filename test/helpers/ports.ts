// TCP ports for the programs a test or a bench case starts beside the server (Redis,
// HAProxy, nginx, Prometheus, a child server on a fixed port): a free one, and waiting
// until one listens. The server itself listens on port 0 and reports its port; these are
// for the others. No imports beyond node:net, so bench/ uses it too.
import net from 'node:net';

/** A loopback port that was free a moment ago (for programs that cannot listen on port 0 and report it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port` (polling every 20 ms); throws after `timeoutMs`. */
export async function waitListening(port: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = net.connect(port, '127.0.0.1');
    const ok = await new Promise<boolean>((r) => (s.once('connect', () => r(true)), s.once('error', () => r(false))));
    s.destroy();
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} is not listening on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
