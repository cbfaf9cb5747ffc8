// The bench runner: `npm run bench -- <case...>|all [options]`. Runs the named cases in
// order, prints each case's one comparable line on stdout (a JSON object per line with
// --json), progress on stderr, and a summary table at the end.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CASES } from './cases/index.js';
import type { CaseContext, CaseResult } from './cases/types.js';
import { table } from './lib/format.js';
import { Progress } from './lib/progress.js';
import { serverLauncher } from './lib/serverNode.js';

const HELP = `framehub bench: load tests against a node, raced against the tutorial baseline

Usage: npm run bench -- <case...>|all [options]   (all: every case but soak)

Cases:
${CASES.map((c) => `  ${c.name.padEnd(10)} ${c.description}`).join('\n')}

Options:
  --json              one JSON object per case on stdout (the summary table goes to stderr)
  --smoke             tiny loads and short windows (correctness only; used by npm test)
  --duration <s>      measuring window per phase, in seconds
  --gen-threads <n>   load generator threads (default ${Math.max(1, availableParallelism())})
  --target <t>        framehub, baseline or both (default both)
  --steps <n,n,...>   camera counts for saturate, viewer counts for fanout
  --cameras <n>       camera count for cluster (default 300)
  --minutes <n>       soak length in minutes, one sample a minute (default 30)
  --server-node <n>   Node that runs the servers: 24 or 22 (in the Debian 13 root of
                      scripts/trixie-root.sh, needs root) or a path to a node binary
                      (default: the bench's own)
  --save <dir>        write <dir>/<case>.json (and saturate.svg) with every figure
  --quiet             no progress display
`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      duration: { type: 'string' },
      'gen-threads': { type: 'string' },
      target: { type: 'string', default: 'both' },
      save: { type: 'string' },
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
  const names = positionals.includes('all') ? CASES.filter((c) => c.inAll !== false).map((c) => c.name) : positionals;
  const unknown = names.filter((n) => !CASES.some((c) => c.name === n));
  if (unknown.length) {
    process.stderr.write(`bench: unknown case ${unknown.join(', ')}; cases: ${CASES.map((c) => c.name).join(', ')}, all\n`);
    return 2;
  }
  if (!['both', 'framehub', 'baseline'].includes(values.target!)) {
    process.stderr.write('bench: --target must be framehub, baseline or both\n');
    return 2;
  }
  const ctx: CaseContext = {
    smoke: values.smoke!,
    genThreads: Number(values['gen-threads'] ?? Math.max(1, availableParallelism())),
    durationSec: values.duration ? Number(values.duration) : null,
    progress: new Progress(values.quiet!),
    saveDir: values.save ? path.resolve(values.save) : null,
    steps: values.steps ? values.steps.split(',').map(Number) : null,
    targets: values.target === 'both' ? ['framehub', 'baseline'] : [values.target as 'framehub' | 'baseline'],
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
  const results: CaseResult[] = [];
  let failed = 0;
  for (const name of names) {
    const c = CASES.find((x) => x.name === name)!;
    ctx.progress.context(name);
    try {
      const result = await c.run(ctx);
      results.push(result);
      ctx.progress.done();
      const meta = { date: new Date().toISOString(), smoke: ctx.smoke, genThreads: ctx.genThreads, cores: availableParallelism(), node: process.version, serverNode: serverLauncher().label };
      process.stdout.write(values.json ? `${JSON.stringify({ case: result.case, line: result.line, ...meta, ...result.data })}\n` : `${result.line}\n`);
      if (ctx.saveDir) writeFileSync(path.join(ctx.saveDir, `${name}.json`), `${JSON.stringify({ case: name, line: result.line, ...meta, ...result.data }, null, 1)}\n`);
    } catch (err) {
      failed++;
      ctx.progress.done();
      process.stderr.write(`bench: case ${name} failed: ${(err as Error).stack ?? err}\n`);
    }
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
