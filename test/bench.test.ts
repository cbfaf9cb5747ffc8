// The bench never rots: the pieces that parse and count (stamp, MJPEG parser, histogram)
// checked exactly, and every case run in --smoke mode as a user would run it, checking
// that it prints its one line and that the numbers are sane. No timing assertions.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { medianWindow } from '../bench/cases/saturate.js';
import { MjpegParser } from '../bench/gen/mjpegParser.js';
import { readStamp, stampFrame, stampText, STAMP_HEAD_BYTES } from '../bench/gen/stamp.js';
import { Histogram } from '../bench/lib/histogram.js';
import { failedCriteria, SATURATE_CRITERIA } from '../bench/lib/limits.js';
import { measureLoopbackFloor, parseIperf } from '../bench/lib/loopbackFloor.js';
import { Progress } from '../bench/lib/progress.js';
import { plotResults } from '../bench/lib/resultPlots.js';
import { loadFrames } from '../src/camera/frames.js';
import { BENCH_RUN, REPO } from './helpers/paths.js';

/** Where the smoke runs below save their JSON (`--save`), for the plot test at the end. */
const SAVED = mkdtempSync(path.join(tmpdir(), 'framehub-bench-smoke-'));
after(() => rmSync(SAVED, { recursive: true, force: true }));

const hasIperf3 = ((): boolean => {
  try {
    execFileSync('iperf3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

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

/** Runs `npm run bench -- <args...>`; resolves with stdout and stderr once it exited 0. */
function runBench(args: string[]): Promise<{ out: string; err: string }> {
  return new Promise<{ out: string; err: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH_RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve({ out, err }) : reject(new Error(`bench ${args.join(' ')} exited ${code}: ${err.slice(-3000)}`))));
  });
}

/** Runs `npm run bench -- <name> --smoke --json [extra...]`; checks and returns its one JSON line (and stderr). */
async function runCase(name: string, extra: string[] = []): Promise<any> {
  const { out, err } = await new Promise<{ out: string; err: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH_RUN, name, '--smoke', '--json', '--quiet', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
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

test('bench fleet --smoke: framehub, baseline and the uWS floor measured; CPU per GB against the iperf3 loopback floor', { timeout: 150_000 }, async () => {
  const r = await runCase('fleet', ['--target', 'framehub,baseline,floor', '--save', SAVED]);
  assert.deepEqual(r.phases.map((p: any) => p.kind), ['framehub', 'baseline', 'floor']);
  assert.deepEqual(r.targets, ['framehub', 'baseline', 'floor']);
  for (const p of r.phases) {
    assertSanePhase(p, `fleet ${p.target}`);
    assert.ok(p.viewers.ws > 0 && p.snapshots.ok > 0, `${p.target}: WS viewers and snapshot pollers ran`);
    assert.ok(p.server.coreSecondsPerGB > 0, `${p.target}: core-s per GB`);
  }
  assert.ok(r.phases[0].server.metrics, 'framehub /metrics was read');
  assert.ok(r.ratios.cpuPerFrame > 0 && r.ratiosOverFloorTarget.cpuPerFrame > 0);
  assert.match(r.line, /framehub\/floor: cpu per frame \d/);
  // The loopback floor: measured where iperf3 is installed, else n/a with how to install it.
  const f = r.loopbackFloor;
  assert.equal(f.available, hasIperf3, `iperf3 on PATH: ${hasIperf3}; floor ${JSON.stringify(f)}`);
  if (f.available) {
    assert.ok(f.bytes > 0 && f.seconds > 0 && f.coreSeconds > 0 && f.coreSecondsPerGB > 0, JSON.stringify(f));
    assert.match(f.command, /^iperf3 -c 127\.0\.0\.1 .* -J$/);
    for (const p of r.phases) {
      assert.ok(Math.abs(r.floorMultiples[p.target] - p.server.coreSecondsPerGB / f.coreSecondsPerGB) < 1e-9, `${p.target} multiple of the floor`);
      assert.match(r.line, new RegExp(`${p.target}: .* core-s/GB in\\+out \\(\\d+\\.\\dx floor\\)`));
    }
    assert.match(r.line, /loopback floor \(iperf3\) \d+\.\d\d core-s\/GB/);
  } else {
    assert.match(f.reason, /apt-get install iperf3/);
    assert.match(r.line, /loopback floor n\/a/);
  }
  assert.match(r.stderr, /case +target +load/, 'summary table on stderr');
  assert.ok(existsSync(path.join(SAVED, 'fleet.json')) && existsSync(path.join(SAVED, 'fleet-cpu.svg')), '--save wrote the JSON and drew the chart');
});

test('loopback floor: iperf3 JSON read from its end fields; n/a, never a failure, without iperf3', async () => {
  const f = parseIperf({ end: { sum_received: { bytes: 5e9, seconds: 5 }, cpu_utilization_percent: { host_total: 20, remote_total: 10, host_system: 18, remote_system: 9 } } }, 'iperf3 -c 127.0.0.1 -t 5 -J', 0.4);
  assert.ok(f.available);
  assert.equal(f.coreSeconds, 1.5, '(20 % + 10 %) of a core for 5 s');
  assert.equal(f.coreSecondsPerGB, 0.3);
  assert.equal(f.gbitPerSec, 8);
  assert.deepEqual(parseIperf({ error: 'unable to connect to server' }, 'x', 0), { available: false, reason: 'iperf3: unable to connect to server' });
  assert.equal(parseIperf({ end: {} }, 'x', 0).available, false);
  const path0 = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    const missing = await measureLoopbackFloor(1);
    assert.equal(missing.available, false);
    assert.match((missing as { reason: string }).reason, /iperf3 is not installed; install it with `apt-get install iperf3`/);
  } finally {
    process.env.PATH = path0;
  }
});

/** A phase with the figures the saturate grading reads. */
const win = (p99: number, delivered = 100): any => ({ latency: { all: { p99 } }, deliveredPct: { all: delivered } });

test('saturate grades a step on its median window, never the best one', () => {
  // Two windows pass, one misses: the median passes.
  assert.equal(medianWindow([win(3), win(9), win(4)]), 2);
  // One window passes, two miss (on different criteria): the median misses.
  const mixed = [win(2, 99.5), win(8), win(3)];
  assert.equal(failedCriteria(mixed[medianWindow(mixed)], SATURATE_CRITERIA).length, 1);
  // All pass: the middle p99.
  assert.equal(medianWindow([win(4.5), win(1), win(2)]), 2);
  // p99 must stay below 5 ms.
  assert.deepEqual(failedCriteria(win(5), SATURATE_CRITERIA), ['p99 5.0 ms >= 5 ms']);
});

test('bench saturate --smoke: three windows a step, graded on the median, says what limited it', { timeout: 150_000 }, async () => {
  const r = await runCase('saturate', ['--save', SAVED]);
  assert.equal(r.climbs.length, 2);
  assert.equal(r.plan.windowsPerStep, 3);
  for (const c of r.climbs) {
    assert.ok(c.steps.length > 0 && typeof c.limit === 'string' && c.limit.length > 0);
    assert.ok(Number.isInteger(c.sustained) && c.sustained <= c.steps.at(-1).cameras);
    for (const s of c.steps) {
      assert.equal(s.windows.length, 3, 'every window is kept');
      for (const w of s.windows) assertSanePhase(w, `saturate ${c.target} ${s.cameras}`);
      assert.equal(s.median, medianWindow(s.windows));
      assert.equal(s.passed, failedCriteria(s.windows[s.median], SATURATE_CRITERIA).length === 0, 'passed = the median window passed');
    }
    assert.equal(c.sustained, Math.max(0, ...c.steps.filter((s: any) => s.passed).map((s: any) => s.cameras)));
    assert.ok(r.line.includes(`${c.target}: highest step passed ${c.sustained} cameras`), r.line);
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

test('bench workers --smoke: 1 worker, the default (accept balanced), accept=all, and the baseline', { timeout: 200_000 }, async () => {
  const r = await runCase('workers', ['--save', SAVED]);
  const n = r.workers[1];
  assert.deepEqual(r.phases.map((p: any) => p.target), ['framehub w1', `framehub w${n}`, `framehub w${n} accept=all`, 'baseline']);
  for (const p of r.phases) assertSanePhase(p, `workers ${p.target}`);
  for (const p of r.phases.slice(0, 3)) assert.equal(p.server.metrics.shards.cameras.reduce((a: number, b: number) => a + b, 0), p.cameras, `${p.target}: cameras per shard add up`);
  assert.equal(r.phases[0].server.metrics.shards.cameras.length, 1);
  // Balanced accept starts worker 1 only when worker 0 gets busy; a smoke load never does.
  assert.equal(r.phases[1].server.metrics.shards.cameras.length, 1, 'the default phase runs one worker (the others dormant)');
  assert.equal(r.phases[2].server.metrics.shards.cameras.length, n, 'accept=all runs every worker');
  assert.ok(r.ratios.cpuPerFrameNOver1 > 0 && r.ratios.cpuPerFrameAllOverBalanced > 0);
  assert.match(r.line, new RegExp(`cpu per frame: 1 worker [\\d.]+ us, default ${n} workers [\\d.]+ us: w${n}/w1 [\\d.]+x \\(goal <= 1.1x: (met|not met)\\), accept=all [\\d.]+ us`));
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

test('bench plot: redraws saturate.svg and fleet-cpu.svg from the smoke runs\' JSON and from the committed results', { timeout: 60_000 }, async () => {
  for (const f of ['saturate.svg', 'fleet-cpu.svg']) rmSync(path.join(SAVED, f), { force: true });
  const { out } = await runBench(['plot', '--from', SAVED]);
  assert.match(out, /plot: wrote .*saturate\.svg/);
  assert.match(out, /plot: wrote .*fleet-cpu\.svg/);
  const saturate = readFileSync(path.join(SAVED, 'saturate.svg'), 'utf8');
  assert.match(saturate, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  for (const t of ['framehub (highest passed', 'baseline (highest passed', 'End-to-end latency p99', 'CPU per delivered frame', 'each step 3 windows', 'SMOKE']) assert.ok(saturate.includes(t), `saturate.svg has ${t}`);
  const fleet = readFileSync(path.join(SAVED, 'fleet-cpu.svg'), 'utf8');
  for (const t of ['framehub w1', 'accept=all', 'relay (baseline)', 'floor (bare uWS)', '>user<', '>kernel<', 'goal: 0.5x the relay']) assert.ok(fleet.includes(t), `fleet-cpu.svg has ${t}`);
  assert.equal((fleet.match(/<rect [^>]*fill-opacity="1" stroke/g) ?? []).length, 7, 'a bar for w1, w2, accept=all (workers), framehub, relay, floor (fleet), relay (workers)');
  // The committed results (older JSON layouts included) still draw; an empty folder draws nothing and says why.
  const out2 = mkdtempSync(path.join(tmpdir(), 'framehub-bench-plot-'));
  try {
    assert.equal(plotResults(path.join(REPO, 'bench/results'), out2).written.length, 2);
    assert.ok(readFileSync(path.join(out2, 'saturate.svg'), 'utf8').includes('</svg>'));
    assert.ok(readFileSync(path.join(out2, 'fleet-cpu.svg'), 'utf8').includes('</svg>'));
    const empty = mkdtempSync(path.join(out2, 'empty-'));
    assert.deepEqual(plotResults(empty), { written: [], skipped: [`saturate.svg: no saturate.json with climbs in ${empty}`, `fleet-cpu.svg: neither fleet.json nor workers.json in ${empty}`] });
  } finally {
    rmSync(out2, { recursive: true, force: true });
  }
});

/** A stream that keeps what was written; `tty` makes it look like a terminal to cli-progress. */
function capture(tty: boolean): Writable & { text: () => string; isTTY?: boolean; columns?: number } {
  let text = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      text += chunk;
      cb();
    },
  }) as Writable & { text: () => string; isTTY?: boolean; columns?: number };
  w.text = () => text;
  if (tty) Object.assign(w, { isTTY: true, columns: 160 });
  return w;
}

test('progress: cli-progress bars with elapsed/ETA and the live rates on a terminal, text lines elsewhere, nothing with --quiet', () => {
  const tty = capture(true);
  const p = new Progress(false, tty as unknown as NodeJS.WriteStream);
  p.context('saturate framehub');
  const climb = p.counter('climb to 600 cameras', 6, 'windows');
  climb.increment();
  p.context('saturate framehub 300 cams');
  const window = p.clock('window 2/3', 9);
  window.stage('measuring');
  p.status('cams 300 viewers 300 | sent 2.4k/s');
  p.phase('passed on the median window');
  window.stop();
  p.done();
  const screen = tty.text();
  assert.match(screen, /saturate framehub: climb to 600 cameras \[=+-+\] 16% 1\/6 windows \| \d:\d\d elapsed, eta \d:\d\d/);
  assert.match(screen, /saturate framehub 300 cams: window 2\/3 \[-+\] 0% 0\/9s measuring \| 0:00 elapsed, eta 0:0\d/);
  assert.match(screen, / {2}cams 300 viewers 300 \| sent 2\.4k\/s/);
  assert.match(screen, /\[\d:\d\d\] saturate framehub 300 cams: passed on the median window\n/);

  const log = capture(false);
  const q = new Progress(false, log as unknown as NodeJS.WriteStream);
  q.context('fleet framehub');
  const bar = q.clock('window', 20);
  q.status('cams 600');
  q.status('cams 600 again'); // within 5 s of the last line: not printed
  bar.stop();
  q.done();
  assert.doesNotMatch(log.text(), /\x1b|\[=/, 'no escapes, no bars in a log file');
  assert.match(log.text(), /^\[\d:\d\d\] fleet framehub: window 0\/20s \(0%, eta 0:\d\d\) \| cams 600\n$/);

  const quiet = capture(true);
  const r = new Progress(true, quiet as unknown as NodeJS.WriteStream);
  r.counter('x', 2, 'steps').increment();
  r.phase('hello');
  r.status('rates');
  r.done();
  assert.equal(quiet.text(), '');
});
