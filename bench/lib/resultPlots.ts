// The charts, always drawn from saved JSON (never from a run's memory), so they can be
// regenerated at any time: `npm run bench -- plot --from bench/results`, and after every
// `--save` run. Reads <dir>/saturate.json, fleet.json and workers.json (older layouts too)
// and writes saturate.svg (e2e p99 and CPU per frame against cameras, every target) and
// fleet-cpu.svg (user and kernel CPU per frame of every server in the fleet and workers
// cases, stacked).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { saturatePlot, stackedBarsPlot, type Series, type StackedBar } from './plot.js';

/** The parts of a saved phase (bench/lib/measure.ts PhaseResult) the charts read. */
interface SavedPhase {
  target: string;
  kind: string;
  latency: { all: { p99: number } };
  deliveredPct?: { all: number | null };
  server: { cpuUsPerFrame: number | null; sysUsPerFrame: number | null; cores: number };
  machine?: { busyCores: number; cores: number };
}

interface SavedStep {
  cameras: number;
  passed: boolean;
  /** Since the median-of-three change; older files have `result` (one window) instead. */
  windows?: SavedPhase[];
  median?: number;
  result?: SavedPhase;
}

interface SavedFile {
  case: string;
  date?: string;
  commit?: string | null;
  smoke?: boolean;
  cores?: number;
  genThreads?: number;
}

interface SaturateFile extends SavedFile {
  climbs: { target: string; kind: string; sustained: number; steps: SavedStep[] }[];
}

interface PhasesFile extends SavedFile {
  phases: SavedPhase[];
}

const KIND_COLORS: Record<string, string> = { framehub: '#1f6feb', baseline: '#d97706', floor: '#059669' };
/** framehub's variants in the CPU chart: 1 worker dark, the default as in the other charts, accept=all light. */
const framehubShade = (target: string): string => (/\bw1\b/.test(target) ? '#0b3d91' : /accept=all/.test(target) ? '#7aa7f7' : KIND_COLORS.framehub!);

function readJson<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** `fleet.json 2026-12-05 14:02 UTC, 1a2b3c4` */
function describeFile(name: string, f: SavedFile): string {
  const when = f.date ? `${f.date.slice(0, 16).replace('T', ' ')} UTC` : 'undated';
  return `${name} ${when}${f.commit ? `, ${f.commit}` : ''}${f.smoke ? ' (SMOKE: not a measurement)' : ''}`;
}

const stepWindows = (s: SavedStep): SavedPhase[] => s.windows ?? (s.result ? [s.result] : []);
const stepMedian = (s: SavedStep): SavedPhase | undefined => (s.windows ? s.windows[s.median ?? 0] : s.result);

/** saturate.svg from saturate.json. */
function saturateSvg(file: SaturateFile): string {
  const series = (pick: (p: SavedPhase) => number | null): Series[] =>
    file.climbs.map((c) => ({
      name: `${c.target} (highest passed: ${c.sustained})`,
      color: KIND_COLORS[c.kind] ?? '#555',
      points: c.steps.flatMap((s) => {
        const m = stepMedian(s);
        const y = m ? pick(m) : null;
        if (y == null) return [];
        const all = stepWindows(s).map(pick).filter((v): v is number => v != null);
        return [{ x: s.cameras, y, miss: !s.passed, ...(all.length > 1 ? { lo: Math.min(...all), hi: Math.max(...all) } : {}) }];
      }),
    }));
  const windows = file.climbs[0]?.steps[0]?.windows?.length ?? 1;
  const busy = file.climbs.flatMap((c) => c.steps.flatMap((s) => stepWindows(s).map((w) => w.machine?.busyCores ?? 0)));
  return saturatePlot(series((p) => p.latency.all.p99), series((p) => p.server.cpuUsPerFrame), [
    `framehub bench saturate: ${describeFile('saturate.json', file)}; ${file.cores ?? '?'} cores, ${file.genThreads ?? '?'} generator threads on the same machine`,
    windows > 1
      ? `each step ${windows} windows: dot = median window (hollow: the step missed), whisker = lowest to highest window`
      : 'one window per step (a file from before the median-of-three grading)',
    `machine busy ${Math.min(...busy).toFixed(2)}-${Math.max(...busy).toFixed(2)} of ${file.cores ?? '?'} cores over the windows (server, generator and anything else)`,
  ]);
}

/** fleet-cpu.svg from fleet.json and/or workers.json. */
function fleetCpuSvg(fleet: PhasesFile | null, workers: PhasesFile | null): string {
  const bars: StackedBar[] = [];
  const bar = (p: SavedPhase, source: string): void => {
    if (p.server.cpuUsPerFrame == null) return;
    const kernel = p.server.sysUsPerFrame ?? 0;
    const color = p.kind === 'framehub' ? framehubShade(p.target) : (KIND_COLORS[p.kind] ?? '#555');
    const label = p.kind === 'baseline' ? 'relay (baseline)' : p.kind === 'floor' ? 'floor (bare uWS)' : p.target === 'framehub' ? 'framehub (default workers)' : p.target;
    bars.push({ label, source, color, parts: [{ name: 'user', value: p.server.cpuUsPerFrame - kernel }, { name: 'kernel', value: kernel }] });
  };
  // framehub with 1 worker, the default and accept=all first, then the fleet case's servers.
  for (const p of workers?.phases.filter((q) => q.kind === 'framehub') ?? []) bar(p, 'workers case');
  for (const p of fleet?.phases ?? []) bar(p, 'fleet case');
  for (const p of workers?.phases.filter((q) => q.kind !== 'framehub') ?? []) bar(p, 'workers case');
  const relay = fleet?.phases.find((p) => p.kind === 'baseline');
  const reference = relay?.server.cpuUsPerFrame != null ? { x: relay.server.cpuUsPerFrame / 2, label: 'goal: 0.5x the relay (fleet case)' } : undefined;
  const sources = [fleet ? describeFile('fleet.json', fleet) : null, workers ? describeFile('workers.json', workers) : null].filter((t): t is string => t !== null);
  return stackedBarsPlot('Fleet profile (600 QVGA cameras @ 8 fps, an MJPEG viewer each): server CPU per delivered frame', 'microseconds per delivered frame (user + kernel)', bars, sources, reference);
}

/** Writes every chart whose JSON is in `fromDir` into `outDir`; says what it wrote and what it could not. */
export function plotResults(fromDir: string, outDir = fromDir): { written: string[]; skipped: string[] } {
  const written: string[] = [];
  const skipped: string[] = [];
  const saturate = readJson<SaturateFile>(path.join(fromDir, 'saturate.json'));
  if (saturate?.climbs?.length) {
    const file = path.join(outDir, 'saturate.svg');
    writeFileSync(file, saturateSvg(saturate));
    written.push(file);
  } else skipped.push(`saturate.svg: no saturate.json with climbs in ${fromDir}`);
  const fleet = readJson<PhasesFile>(path.join(fromDir, 'fleet.json'));
  const workers = readJson<PhasesFile>(path.join(fromDir, 'workers.json'));
  if (fleet?.phases?.length || workers?.phases?.length) {
    const file = path.join(outDir, 'fleet-cpu.svg');
    writeFileSync(file, fleetCpuSvg(fleet?.phases?.length ? fleet : null, workers?.phases?.length ? workers : null));
    written.push(file);
  } else skipped.push(`fleet-cpu.svg: neither fleet.json nor workers.json in ${fromDir}`);
  return { written, skipped };
}
