// Accept balancing: the policy alone (chooseAcceptors), then a real node with 2 workers:
// one worker runs and takes new connections at light load, the other (dormant until then)
// starts and takes over when it dies, and FRAMEHUB_ACCEPT=all spreads connections over both.
import assert from 'node:assert/strict';
import http from 'node:http';
import test from 'node:test';
import { BUSY_ELU, CALM_MS, chooseAcceptors } from '../src/primary/acceptBalancer.js';
import { metricValue } from './helpers/metrics.js';
import { startTestServer } from './helpers/server.js';
import { waitFor } from './helpers/wait.js';

test('chooseAcceptors keeps one calm acceptor, opens every worker when it is busy, narrows only after a calm spell', () => {
  // One accepting worker with headroom: nothing changes, whatever the others do.
  assert.deepEqual(chooseAcceptors([0.3, 0.0], [true, false], 0), [true, false]);
  assert.deepEqual(chooseAcceptors([0.3, 0.45, 0.1], [true, false, false], 0), [true, false, false]);
  // The acceptor is busy: every live worker accepts (workers are only added under load).
  assert.deepEqual(chooseAcceptors([BUSY_ELU, 0.1], [true, false], 0), [true, true]);
  assert.deepEqual(chooseAcceptors([0.9, 0.1, null], [true, false, false], 0), [true, true, false]);
  // Everyone accepts and load falls: no narrowing until everything was calm for CALM_MS...
  assert.deepEqual(chooseAcceptors([0.1, 0.05], [true, true], CALM_MS - 1), [true, true]);
  // ...then one: the least-loaded of those accepting.
  assert.deepEqual(chooseAcceptors([0.1, 0.05], [true, true], CALM_MS), [false, true]);
  // The only acceptor died: the least-loaded live worker accepts.
  assert.deepEqual(chooseAcceptors([null, 0.2, 0.1], [false, false, false], 0), [false, false, true]);
  assert.deepEqual(chooseAcceptors([null, null], [false, false], 0), [false, false]);
});

/** The shard that answers a fresh connection (no keep-alive). */
function shardOfNewConnection(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(JSON.parse(body).shard));
    });
    req.on('error', reject);
  });
}

async function shardsOf(port: number, n: number): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const s = await shardOfNewConnection(port);
    seen.set(s, (seen.get(s) ?? 0) + 1);
  }
  return seen;
}

test('balanced (default): one worker runs and accepts at light load; when it dies the dormant one starts and accepts', { timeout: 60_000 }, async () => {
  const srv = await startTestServer({ workers: 2, faultInjection: true });
  try {
    assert.deepEqual((await srv.inspect()).map((w) => w.shard), [0], 'worker 1 is dormant until it is needed');
    const seen = await shardsOf(srv.port, 40);
    assert.deepEqual([...seen.keys()], [0], `every new connection on worker 0, got ${JSON.stringify([...seen])}`);
    const metrics = await srv.metrics();
    assert.equal(metricValue(metrics, 'framehub_shard_accepting', { shard: '0' }), 1);
    assert.equal(metricValue(metrics, 'framehub_shard_accepting', { shard: '1' }), 0);
    // Worker 0 crashes: worker 1 takes new connections without a refused one in between.
    srv.injectFault(0);
    const after = new Map<number, number>();
    const failures: string[] = [];
    const end = Date.now() + 3000;
    while (Date.now() < end) {
      try {
        const s = await shardOfNewConnection(srv.port);
        after.set(s, (after.get(s) ?? 0) + 1);
      } catch (err) {
        failures.push((err as NodeJS.ErrnoException).code ?? String(err));
      }
    }
    assert.ok((after.get(1) ?? 0) > 0, `worker 1 took new connections after worker 0 died: ${JSON.stringify([...after])}, failures ${failures}`);
    // Someone accepted all along: the crashing worker waits for worker 1 to listen before
    // its own listen socket goes. (The one request worker 0 was serving when it crashed is cut.)
    assert.equal(failures.filter((c) => c === 'ECONNREFUSED').length, 0, `refused while worker 0 restarted: ${failures}`);
    assert.ok(failures.length <= 1, `failures while worker 0 restarted: ${failures}`);
    await waitFor(async () => metricValue(await srv.metrics(), 'framehub_worker_restarts_total', { shard: '0' }) === 1, 5000, 'worker 0 restart');
    await waitFor(async () => ((await srv.inspect()).length === 2 ? true : null), 5000, 'both workers running');
  } finally {
    await srv.stop();
  }
});

test('FRAMEHUB_ACCEPT=all: the kernel spreads new connections over every worker', { timeout: 60_000 }, async () => {
  const srv = await startTestServer({ workers: 2, accept: 'all' });
  try {
    const seen = await waitFor(async () => {
      const s = await shardsOf(srv.port, 40);
      return s.size === 2 ? s : null;
    }, 20_000, 'connections on both workers');
    assert.equal(seen.size, 2);
    assert.equal(metricValue(await srv.metrics(), 'framehub_shard_accepting'), 2);
  } finally {
    await srv.stop();
  }
});
