// The bench never rots: the pieces that parse and count (stamp, MJPEG parser, histogram)
// checked exactly, and every case run in --smoke mode as a user would run it, checking
// that it prints its one line and that the numbers are sane. No timing assertions.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { MjpegParser } from '../bench/gen/mjpegParser.js';
import { readStamp, stampFrame, stampText, STAMP_HEAD_BYTES } from '../bench/gen/stamp.js';
import { Histogram } from '../bench/lib/histogram.js';
import { loadFrames } from '../src/camera/frames.js';

const RUN = path.resolve(import.meta.dirname, '../bench/run.js');

test('stamps are fixed width and read back from the first bytes of a frame', () => {
  assert.equal(stampText(1, 1.5).length, stampText(1234567, 1795528086754.481).length);
  const frame = stampFrame(loadFrames('qvga')[0]!, 42, 1795528086754.125);
  assert.deepEqual(readStamp(frame.subarray(0, STAMP_HEAD_BYTES)), { seq: 42, sentAt: 1795528086754.125 });
  assert.equal(readStamp(loadFrames('qvga')[0]!), null);
});

test('the MJPEG parser reads both boundary placements, split anywhere', () => {
  const jpegs = loadFrames('qvga').slice(0, 3).map((f, i) => stampFrame(f, i + 1, 1000 + i));
  const part = (j: Buffer): Buffer => Buffer.from(`Content-Type: image/jpeg\r\nContent-Length: ${j.length}\r\n\r\n`);
  // framehub: boundary after each JPEG; baseline: boundary before each part.
  const framehub = Buffer.concat([Buffer.from('--frame\r\n'), ...jpegs.flatMap((j) => [part(j), j, Buffer.from('\r\n--frame\r\n')])]);
  const baseline = Buffer.concat(jpegs.flatMap((j) => [Buffer.from('--frame\r\n'), part(j), j, Buffer.from('\r\n')]));
  for (const stream of [framehub, baseline]) {
    for (const step of [1, 7, 100, stream.length]) {
      const got: { seq: number; length: number; eoi: boolean }[] = [];
      const p = new MjpegParser({ onPart: (head, length, eoi) => got.push({ seq: readStamp(head)!.seq, length, eoi }), onError: (m) => assert.fail(m) });
      for (let i = 0; i < stream.length; i += step) p.push(stream, i, Math.min(stream.length, i + step));
      assert.deepEqual(got, jpegs.map((j, i) => ({ seq: i + 1, length: j.length, eoi: true })), `step ${step}`);
    }
  }
  const errors: string[] = [];
  new MjpegParser({ onPart: () => {}, onError: (m) => errors.push(m) }).push(Buffer.from('--frame\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc'));
  assert.equal(errors.length, 1);
});

test('the latency histogram merges across threads and gives bucket-edge quantiles', () => {
  const a = new Histogram();
  const b = new Histogram();
  for (let i = 1; i <= 99; i++) a.record(1);
  b.record(250);
  const h = Histogram.merge([a.toData(), b.toData()]);
  assert.equal(h.total, 100);
  assert.ok(h.quantile(0.5) > 1 && h.quantile(0.5) <= 1.01);
  assert.equal(h.quantile(0.99), 1.01);
  assert.equal(h.max, 250);
  assert.equal(h.quantile(1), 250);
});

/** Runs `npm run bench -- <name> --smoke --json`; checks and returns its one JSON line (and stderr). */
async function runCase(name: string): Promise<any> {
  const { out, err } = await new Promise<{ out: string; err: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, name, '--smoke', '--json', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve({ out, err }) : reject(new Error(`bench ${name} exited ${code}: ${err.slice(-3000)}`))));
  });
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 1, `one JSON line on stdout, got ${out}`);
  const json = JSON.parse(lines[0]!);
  assert.equal(json.case, name);
  assert.ok(typeof json.line === 'string' && json.line.startsWith(`${name} `), json.line);
  assert.ok(!json.line.includes('\n'));
  return Object.assign(json, { stderr: err });
}

/** A measured phase whose figures make sense (no speed asserted). */
function assertSanePhase(p: any, what: string): void {
  assert.ok(p.cameras > 0, `${what}: cameras`);
  assert.ok(p.delivered.mjpeg + p.delivered.ws > 0, `${what}: frames were delivered`);
  assert.ok(p.deliveredPct.all > 0 && p.deliveredPct.all <= 100, `${what}: delivered ${p.deliveredPct.all}%`);
  assert.ok(p.latency.all.p50 >= 0 && p.latency.all.p50 <= p.latency.all.p99 && p.latency.all.p99 <= p.latency.all.max, `${what}: latency order`);
  assert.ok(p.latency.all.max < 60_000, `${what}: latency under a minute`);
  assert.ok(p.server.cores >= 0 && p.server.rssMB > 10, `${what}: server cpu ${p.server.cores}, rss ${p.server.rssMB}`);
  assert.ok(p.bytesInPerSec > 0 && p.bytesOutPerSec > 0, `${what}: bytes`);
  assert.equal(p.errors.bad, 0, `${what}: every part was a complete stamped JPEG`);
  assert.ok(p.generator.cores >= 0 && p.machine.cores >= 1, `${what}: generator and machine figures`);
}

test('bench fleet --smoke: both targets measured, ratios computed', { timeout: 120_000 }, async () => {
  const r = await runCase('fleet');
  assert.deepEqual(r.phases.map((p: any) => p.kind), ['framehub', 'baseline']);
  for (const p of r.phases) {
    assertSanePhase(p, `fleet ${p.target}`);
    assert.ok(p.viewers.ws > 0 && p.snapshots.ok > 0, 'WS viewers and snapshot pollers ran');
  }
  assert.ok(r.phases[0].server.metrics, 'framehub /metrics was read');
  assert.ok(r.ratios.cpuPerFrame > 0);
  assert.match(r.stderr, /case +target +load/, 'summary table on stderr');
});

test('bench saturate --smoke: climbs and says what limited it', { timeout: 120_000 }, async () => {
  const r = await runCase('saturate');
  assert.equal(r.climbs.length, 2);
  for (const c of r.climbs) {
    assert.ok(c.steps.length > 0 && typeof c.limit === 'string' && c.limit.length > 0);
    assert.ok(Number.isInteger(c.sustained) && c.sustained <= c.steps.at(-1).cameras);
    for (const s of c.steps) assertSanePhase(s.result, `saturate ${c.target} ${s.cameras}`);
  }
});

test('bench fanout --smoke: every viewer gets frames', { timeout: 120_000 }, async () => {
  const r = await runCase('fanout');
  for (const run of r.runs) {
    for (const s of run.steps) {
      assertSanePhase(s.result, `fanout ${run.target} ${s.viewers}`);
      assert.equal(s.result.viewers.mjpeg, s.viewers);
      // About 15; a camera catching up after a stall may put a few more frames in a 1 s window.
      assert.ok(s.fpsPerViewer > 0 && s.fpsPerViewer < 40, `fps per viewer ${s.fpsPerViewer}`);
    }
  }
});

test('bench slots --smoke: three mechanisms, no bad frame', { timeout: 120_000 }, async () => {
  const r = await runCase('slots');
  assert.equal(r.runs.length, 12);
  for (const run of r.runs) {
    assert.ok(run.nsPerFrame > 0, `${run.mechanism} ${run.pattern} ns`);
    assert.equal(run.bad, 0);
    if (run.mechanism !== 'slot' || run.pattern === 'handoff') assert.equal(run.deliveredPct, 100, `${run.mechanism} ${run.pattern} delivers every frame`);
  }
});

test('bench workers --smoke: 1 and N shard workers, and the baseline', { timeout: 180_000 }, async () => {
  const r = await runCase('workers');
  assert.equal(r.phases.length, 3);
  assert.equal(r.phases[0].target, 'framehub w1');
  for (const p of r.phases) assertSanePhase(p, `workers ${p.target}`);
});

test('bench http --smoke: autocannon answers, 304s with ETag revalidation', { timeout: 120_000 }, async () => {
  const r = await runCase('http');
  const get = (t: string, n: string) => r.runs.find((c: any) => c.target === t && c.name === n);
  for (const c of r.runs) assert.ok(c.requestsPerSec > 0, `${c.target} ${c.name}`);
  assert.ok(get('framehub', 'frame.jpg+etag').statuses['304'] > 0, 'framehub revalidates');
  assert.ok(get('framehub', 'mint key').statuses['201'] > 0, 'keys minted');
  assert.ok(get('baseline', 'frame.jpg').statuses['200'] > 0);
});

test('bench cluster --smoke: 3 nodes + redis + haproxy, spread, key replication, failover, redis restart, vs one node', { timeout: 240_000 }, async () => {
  const r = await runCase('cluster');
  assert.deepEqual(r.phases.map((p: any) => p.target), ['cluster 3 nodes via haproxy', 'one node']);
  for (const p of r.phases) assertSanePhase(p, `cluster ${p.target}`);
  const spread = Object.values(r.spread) as number[];
  assert.equal(spread.reduce((a, b) => a + b, 0), r.plan.cameras, 'every camera on some node');
  assert.equal(r.keyReplication.samplesMs.length, r.plan.keySamples);
  assert.ok(r.keyReplication.samplesMs.every((ms: number) => ms >= 0 && ms < 10_000));
  // Failover: the killed node's cameras came back and streamed through the balancer; the others did not move.
  assert.ok(r.failover.rooms > 0);
  assert.ok(r.failover.camerasBackMs > 0 && r.failover.camerasBackMs <= r.failover.streamingMs);
  assert.equal(r.failover.othersReconnected, 0, 'consistent hashing moved only the dead node\'s rooms');
  assert.ok(!(r.failover.victim in r.failover.spreadAfter), 'the dead node left the cluster view');
  assert.equal(Object.values(r.failover.spreadAfter as Record<string, number>).reduce((a, b) => a + b, 0), r.plan.cameras);
  assert.equal(r.redisRestart.refusedWhileDown, true, 'writes refused (503) while Redis was down');
  assert.ok(r.redisRestart.writeBackMs > 0 && r.redisRestart.keyUsableMs >= r.redisRestart.writeBackMs);
  assert.ok(r.ratios.cpuPerFrame > 0 && r.ratios.p99 > 0);
});

test('bench soak --smoke: samples, drift and RSS slope', { timeout: 120_000 }, async () => {
  const r = await runCase('soak');
  assert.ok(r.samples.length >= 3);
  for (const s of r.samples) {
    assert.ok(s.rssMB > 10 && s.fds > 10, `rss ${s.rssMB}, fds ${s.fds}`);
    assert.ok(s.heapUsedMB > 1, `heap ${s.heapUsedMB}`);
    assert.ok(s.loopDelayP99Ms >= 0, 'event loop delay from /metrics');
    assert.ok(s.deliveredPct > 0 && s.p50Ms <= s.p99Ms);
  }
  assert.ok(r.samples.every((s: any, i: number) => i === 0 || s.minute > r.samples[i - 1].minute));
  assert.equal(r.drift.edgeSamples, 1);
  assert.ok(Number.isFinite(r.drift.rssSlopeMBPerHour) && Number.isFinite(r.drift.rssDriftPct));
  assertSanePhase(r.lastSample, 'soak last sample');
  assert.match(r.line, /slope [+-]\d+\.\d MB\/h/);
});

test('soak drift: edge averages and least squares slope', async () => {
  const { drift, slope } = await import('../bench/cases/soak.js');
  assert.equal(slope([0, 1, 2, 3], [10, 12, 14, 16]), 2);
  const samples = Array.from({ length: 30 }, (_, i) => ({ minute: i + 1, rssMB: 100 + i, p99Ms: 2, heapUsedMB: 20 }) as any);
  const d = drift(samples);
  assert.equal(d.edgeSamples, 5);
  assert.equal(d.rssFirstMB, 102);
  assert.equal(d.rssLastMB, 127);
  assert.ok(Math.abs(d.rssSlopeMBPerHour - 60) < 1e-9, 'one MB a minute is 60 MB/h');
  assert.equal(d.p99DriftPct, 0);
});
