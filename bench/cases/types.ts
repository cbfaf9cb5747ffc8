// What a bench case is: a name, a run function, and what it hands back to the runner
// (its one comparable line, its figures for --json, rows for the summary table).
import type { Progress } from '../lib/progress.js';
import type { TargetKind } from '../lib/target.js';

export interface CaseContext {
  /** Tiny loads and short windows: correctness only (the test suite's smoke run). */
  smoke: boolean;
  /** Generator threads (piscina). */
  genThreads: number;
  /** Window length override in seconds (--duration). */
  durationSec: number | null;
  progress: Progress;
  /** Where to write figures files (--save), or null. */
  saveDir: string | null;
  /** Camera counts (saturate) or viewer counts (fanout) instead of the case's own (--steps). */
  steps: number[] | null;
  /** Which targets to race (--target; default framehub and baseline), only kinds the case takes. */
  targets: TargetKind[];
  /** Camera count instead of the case's own (--cameras; cluster). */
  cameras: number | null;
  /** Run length in minutes (--minutes; soak). */
  minutes: number | null;
}

export interface SummaryRow {
  case: string;
  target: string;
  load: string;
  delivered: string;
  p50: string;
  p99: string;
  max: string;
  cores: string;
  usPerFrame: string;
  rss: string;
}

export interface CaseResult {
  case: string;
  /** The one comparable line. */
  line: string;
  /** Every figure, for --json. */
  data: Record<string, unknown>;
  rows: SummaryRow[];
}

export interface BenchCase {
  name: string;
  description: string;
  /** false: only run when named (a long case such as soak), not by `all`. */
  inAll?: boolean;
  /** The target kinds it can race (default framehub and baseline); others asked for are skipped with a note. */
  kinds?: readonly TargetKind[];
  run(ctx: CaseContext): Promise<CaseResult>;
}

/** Time after a window for frames stamped inside it to arrive: short in smoke runs. */
export const settleMs = (ctx: CaseContext): number => (ctx.smoke ? 300 : 1000);

/** Window length: the --duration override, else `smoke` or `full` seconds. */
export function windowMs(ctx: CaseContext, fullSec: number, smokeSec: number): number {
  return 1000 * (ctx.durationSec ?? (ctx.smoke ? smokeSec : fullSec));
}
