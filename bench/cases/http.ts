// `http`: autocannon against the HTTP side. frame.jpg of a live camera (QVGA @ 8 fps)
// fetched as fast as possible, plainly and revalidating with If-None-Match (each
// connection sends the ETag it last saw, so most answers are 304 while the frame has not
// changed), on framehub and on the baseline; and key provisioning
// (POST /api/v1/apps/live/ws-ingest with the admin token), framehub only.
import autocannon, { type Options } from 'autocannon';
import { fmtRatio, ratio } from '../lib/format.js';
import { addFleet, withGenerator, withTarget } from '../lib/load.js';
import { processCpu } from '../lib/procstat.js';
import { BENCH_ADMIN_TOKEN, type Target, type TargetKind } from '../lib/target.js';
import type { BenchCase, CaseContext } from './types.js';

interface Cannon {
  name: string;
  target: string;
  requestsPerSec: number;
  latencyMeanMs: number;
  latencyP99Ms: number;
  statuses: Record<string, number>;
  errors: number;
  serverCores: number;
  /** Server CPU per request, microseconds. */
  cpuUsPerRequest: number;
}

async function cannon(ctx: CaseContext, target: Target, name: string, options: Omit<Options, 'url'>): Promise<Cannon> {
  ctx.progress.context(`http ${target.label} ${name}`);
  ctx.progress.status(`autocannon ${options.duration}s, ${options.connections} connections`);
  const c0 = processCpu(target.pid);
  const t0 = performance.now();
  const r = await autocannon({ url: target.base, ...options });
  const seconds = (performance.now() - t0) / 1000;
  const c1 = processCpu(target.pid);
  const cpu = c1.user + c1.system - c0.user - c0.system;
  const statuses: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statuses[code] = v.count;
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    name,
    target: target.label,
    requestsPerSec: total / r.duration,
    latencyMeanMs: r.latency.average,
    latencyP99Ms: r.latency.p99,
    statuses,
    errors: r.errors + r.timeouts,
    serverCores: cpu / seconds,
    cpuUsPerRequest: total ? (cpu * 1e6) / total : 0,
  };
}

function snapshotRuns(ctx: CaseContext, kind: TargetKind, duration: number, connections: number): Promise<Cannon[]> {
  return withTarget(kind, {}, (target) =>
    withGenerator(target, 1, async (gen) => {
      await addFleet(target, gen, { first: 0, count: 1, fps: 8, size: 'qvga', mjpegPerCamera: 0 });
      await new Promise((r) => setTimeout(r, 300));
      const path = '/live/live/cam0/frame.jpg';
      const out = [await cannon(ctx, target, 'frame.jpg', { connections, duration, requests: [{ method: 'GET', path }] })];
      // autocannon clears a connection's context after each pass over `requests`, so the
      // last ETag seen lives here, shared by the connections (they poll the same frame).
      let etag: string | null = null;
      out.push(
        await cannon(ctx, target, 'frame.jpg+etag', {
          connections,
          duration,
          requests: [
            {
              method: 'GET',
              path,
              setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...(etag ? { 'If-None-Match': etag } : {}) } }),
              onResponse: (status, _body, _context, headers) => {
                // Header names arrive as the server spelled them.
                const name = Object.keys(headers).find((h) => h.toLowerCase() === 'etag');
                if (status === 200 && name) etag = headers[name]!;
              },
            },
          ],
        }),
      );
      if (kind === 'framehub') {
        out.push(
          await cannon(ctx, target, 'mint key', {
            connections: Math.min(connections, 4),
            duration,
            requests: [{ method: 'POST', path: '/api/v1/apps/live/ws-ingest', headers: { Authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ room: 'bench-api' }) }],
          }),
        );
      }
      return out;
    }),
  );
}

const describe = (c: Cannon): string =>
  `${c.name} ${Math.round(c.requestsPerSec)} req/s latency mean ${c.latencyMeanMs.toFixed(2)} ms p99 ${c.latencyP99Ms} ms [${Object.entries(c.statuses).map(([k, v]) => `${k}:${v}`).join(' ')}${c.errors ? ` errors:${c.errors}` : ''}] cpu ${c.serverCores.toFixed(2)} cores (${c.cpuUsPerRequest.toFixed(1)} us/req)`;

export const http: BenchCase = {
  name: 'http',
  description: 'autocannon: frame.jpg with and without ETag revalidation, key minting API',
  async run(ctx) {
    const duration = ctx.durationSec ?? (ctx.smoke ? 1 : 8);
    const connections = ctx.smoke ? 2 : 20;
    const all: Cannon[] = [];
    for (const kind of ctx.targets) all.push(...(await snapshotRuns(ctx, kind, duration, connections)));
    const get = (t: string, n: string): Cannon | undefined => all.find((c) => c.target === t && c.name === n);
    const ratios = ['frame.jpg', 'frame.jpg+etag'].map((n) => `${n} req/s ${fmtRatio(ratio(get('framehub', n)?.requestsPerSec, get('baseline', n)?.requestsPerSec))}, cpu/req ${fmtRatio(ratio(get('framehub', n)?.cpuUsPerRequest, get('baseline', n)?.cpuUsPerRequest))}`);
    const targets = [...new Set(all.map((c) => c.target))];
    const line =
      `http autocannon ${connections} connections ${duration}s each | ${targets.map((t) => `${t}: ${all.filter((c) => c.target === t).map(describe).join('; ')}`).join(' | ')}` +
      (targets.length > 1 ? ` | framehub/baseline: ${ratios.join('; ')}` : '');
    return {
      case: 'http',
      line,
      data: { connections, duration, runs: all },
      rows: [],
    };
  },
};
