// The bench runner: `npm run bench -- <case...>|all [options]`. Runs the named cases in
// order, prints each case's one comparable line on stdout (a JSON object per line with
// --json), progress on stderr, and a summary table at the end. `npm run bench -- plot`
// redraws the charts from saved JSON.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CASES } from './cases/index.js';
import type { BenchCase, CaseContext, CaseResult } from './cases/types.js';
import { table } from './lib/format.js';
import { IPERF3_INSTALL_HINT } from './lib/loopbackFloor.js';
import { Progress } from './lib/progress.js';
import { serverLauncher } from './lib/serverNode.js';
import { plotResults } from './lib/resultPlots.js';
import { TARGET_DOCS, TARGET_KINDS, type TargetKind } from './lib/target.js';

const DEFAULT_TARGETS: TargetKind[] = ['framehub', 'baseline'];
const caseKinds = (c: BenchCase): readonly TargetKind[] => c.kinds ?? DEFAULT_TARGETS;

const HELP = `framehub bench: load tests against a node, raced against the tutorial baseline

Usage: npm run bench -- <case...>|all [options]   (all: every case but soak)
       npm run bench -- plot [--from <dir>] [--out <dir>]

Cases:
${CASES.map((c) => `  ${c.name.padEnd(10)} ${c.description}`).join('\n')}
  plot       redraw saturate.svg and fleet-cpu.svg from <dir>/saturate.json, fleet.json and
             workers.json (default bench/results), into --out (default: the same folder)

Targets (--target, a comma list; default ${DEFAULT_TARGETS.join(',')}):
${TARGET_KINDS.map((k) => `  ${k.padEnd(10)} ${TARGET_DOCS[k]}`).join('\n')}
  fleet, saturate and workers take all three; the other cases framehub and baseline (a
  target a case does not take is skipped with a note). \`both\` = framehub,baseline.

Options:
  --json              one JSON object per case on stdout (the summary table goes to stderr)
  --smoke             tiny loads and short windows (correctness only; used by npm test)
  --duration <s>      measuring window per phase (per window in saturate), in seconds
  --gen-threads <n>   load generator threads (default ${Math.max(1, availableParallelism())})
  --target <t,t,...>  servers to race: framehub, baseline, floor (default ${DEFAULT_TARGETS.join(',')})
  --steps <n,n,...>   camera counts for saturate (default 300..3300 by 300, 3 windows each,
                      graded on the median window), viewer counts for fanout
  --cameras <n>       camera count for cluster (default 300)
  --minutes <n>       soak length in minutes, one sample a minute (default 30)
  --server-node <n>   Node that runs the servers: 24 or 22 (in the Debian 13 root of
                      scripts/trixie-root.sh, needs root) or a path to a node binary
                      (default: the bench's own)
  --save <dir>        write <dir>/<case>.json with every figure, then redraw the charts
                      from the JSON in <dir> (as \`plot --from <dir>\` does)
  --from <dir>        plot: where the JSON is (default bench/results)
  --out <dir>         plot: where the SVGs go (default: --from)
  --quiet             no progress display (else: bars on a terminal, a line every 5 s elsewhere)

The fleet case first measures the kernel's loopback floor with iperf3 (5 s) and gives each
server's CPU per GB moved as a multiple of it; without iperf3 the floor is n/a:
${IPERF3_INSTALL_HINT}.
For real runs on a shared machine: nice -n -20 node dist/bench/run.js <case> ...
`;

/** The commit the run measured (short hash, `+dirty` with uncommitted changes), or null outside git. */
function gitCommit(): string | null {
  try {
    const opts = { cwd: path.resolve(import.meta.dirname, '..', '..'), encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'] };
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], opts).trim() !== '';
    return `${hash}${dirty ? '+dirty' : ''}`;
  } catch {
    return null;
  }
}

/** Parses --target: a comma list of kinds (or `both`), or an error message. */
function parseTargets(text: string): TargetKind[] | string {
  const parts = text.split(',').map((t) => t.trim()).filter(Boolean).flatMap((t) => (t === 'both' ? DEFAULT_TARGETS : [t]));
  const bad = parts.filter((t) => !(TARGET_KINDS as readonly string[]).includes(t));
  if (bad.length || parts.length === 0) return `bench: --target takes a comma list of ${TARGET_KINDS.join(', ')} (or both); got ${text}`;
  return [...new Set(parts as TargetKind[])];
}

/** A path as the user would type it: relative to the working directory when under it. */
const shown = (f: string): string => {
  const rel = path.relative(process.cwd(), f);
  return rel && !rel.startsWith('..') ? rel : f;
};

function plotCommand(from: string, out: string): number {
  if (!existsSync(from)) {
    process.stderr.write(`plot: ${from} does not exist (--from: the folder a --save run wrote)\n`);
    return 1;
  }
  mkdirSync(out, { recursive: true });
  const { written, skipped } = plotResults(from, out);
  for (const f of written) process.stdout.write(`plot: wrote ${shown(f)}\n`);
  for (const s of skipped) process.stderr.write(`plot: skipped ${s}\n`);
  return written.length ? 0 : 1;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      duration: { type: 'string' },
      'gen-threads': { type: 'string' },
      target: { type: 'string', default: DEFAULT_TARGETS.join(',') },
      save: { type: 'string' },
      from: { type: 'string' },
      out: { type: 'string' },
      steps: { type: 'string' },
      cameras: { type: 'string' },
      minutes: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'server-node': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (positionals[0] === 'plot') {
    const from = path.resolve(values.from ?? 'bench/results');
    return plotCommand(from, values.out ? path.resolve(values.out) : from);
  }
  const names = positionals.includes('all') ? CASES.filter((c) => c.inAll !== false).map((c) => c.name) : positionals;
  const unknown = names.filter((n) => !CASES.some((c) => c.name === n));
  if (unknown.length) {
    process.stderr.write(`bench: unknown case ${unknown.join(', ')}; cases: ${CASES.map((c) => c.name).join(', ')}, all\n`);
    return 2;
  }
  const targets = parseTargets(values.target!);
  if (typeof targets === 'string') {
    process.stderr.write(`${targets}\n`);
    return 2;
  }
  const ctx: CaseContext = {
    smoke: values.smoke!,
    genThreads: Number(values['gen-threads'] ?? Math.max(1, availableParallelism())),
    durationSec: values.duration ? Number(values.duration) : null,
    progress: new Progress(values.quiet!),
    saveDir: values.save ? path.resolve(values.save) : null,
    steps: values.steps ? values.steps.split(',').map(Number) : null,
    targets,
    cameras: values.cameras ? Number(values.cameras) : null,
    minutes: values.minutes ? Number(values.minutes) : null,
  };
  if (ctx.cameras !== null && !(Number.isInteger(ctx.cameras) && ctx.cameras >= 3)) {
    process.stderr.write('bench: --cameras must be a whole number >= 3\n');
    return 2;
  }
  if (ctx.minutes !== null && !(ctx.minutes > 0)) {
    process.stderr.write('bench: --minutes must be a positive number\n');
    return 2;
  }
  if (ctx.steps?.some((n) => !Number.isInteger(n) || n < 1)) {
    process.stderr.write('bench: --steps must be a comma-separated list of positive whole numbers\n');
    return 2;
  }
  if (values['server-node'] !== undefined) {
    try {
      serverLauncher(values['server-node']);
    } catch (err) {
      process.stderr.write(`bench: ${(err as Error).message}\n`);
      return 2;
    }
    process.env.BENCH_SERVER_NODE = values['server-node'];
  }
  if (ctx.saveDir) mkdirSync(ctx.saveDir, { recursive: true });
  const commit = gitCommit();
  const results: CaseResult[] = [];
  let failed = 0;
  for (const name of names) {
    const c = CASES.find((x) => x.name === name)!;
    const skipped = targets.filter((t) => !caseKinds(c).includes(t));
    if (skipped.length) process.stderr.write(`bench: ${name} does not race ${skipped.join(', ')}; skipped there (it takes ${caseKinds(c).join(', ')})\n`);
    const caseTargets = targets.filter((t) => caseKinds(c).includes(t));
    if (caseTargets.length === 0) continue;
    ctx.progress.context(name);
    try {
      const result = await c.run({ ...ctx, targets: caseTargets });
      results.push(result);
      ctx.progress.done();
      const meta = { date: new Date().toISOString(), commit, smoke: ctx.smoke, genThreads: ctx.genThreads, cores: availableParallelism(), node: process.version, serverNode: serverLauncher().label, targets: caseTargets };
      process.stdout.write(values.json ? `${JSON.stringify({ case: result.case, line: result.line, ...meta, ...result.data })}\n` : `${result.line}\n`);
      if (ctx.saveDir) writeFileSync(path.join(ctx.saveDir, `${name}.json`), `${JSON.stringify({ case: name, line: result.line, ...meta, ...result.data }, null, 1)}\n`);
    } catch (err) {
      failed++;
      ctx.progress.done();
      process.stderr.write(`bench: case ${name} failed: ${(err as Error).stack ?? err}\n`);
    }
  }
  if (ctx.saveDir && results.length) {
    const { written } = plotResults(ctx.saveDir);
    for (const f of written) process.stderr.write(`bench: drew ${shown(f)} from the JSON in ${shown(ctx.saveDir)}\n`);
  }
  const rows = results.flatMap((r) => r.rows);
  if (rows.length) {
    const text = table(
      ['case', 'target', 'load', 'delivered', 'e2e p50', 'p99', 'max', 'cpu cores', 'us/frame', 'rss'],
      rows.map((r) => [r.case, r.target, r.load, r.delivered, r.p50, r.p99, r.max, r.cores, r.usPerFrame, r.rss]),
    );
    (values.json ? process.stderr : process.stdout).write(`\n${text}\n`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
