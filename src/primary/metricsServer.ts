// The Prometheus endpoint: `GET /metrics` on its own port, served by the primary. It asks
// every worker for its registry as JSON and aggregates them with its own (counters and
// gauges summed; per-shard series carry a shard label so nothing collides).
import http from 'node:http';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '../telemetry.js';

export interface MetricsSource {
  primary(): Promise<object[]>;
  workers(): Promise<object[][]>;
}

export function startMetricsServer(host: string, port: number, source: MetricsSource, log: Logger): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || (path !== '/metrics' && path !== '/healthz')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
      return;
    }
    Promise.all([source.primary(), source.workers()])
      .then(async ([own, workers]) => {
        const registry = AggregatorRegistry.aggregate([own, ...workers]);
        const body = await registry.metrics();
        res.writeHead(200, { 'Content-Type': registry.contentType }).end(body);
      })
      .catch((err: Error) => {
        log.error({ err: err.message }, 'metrics scrape failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n');
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
