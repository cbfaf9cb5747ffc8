// The progress display on stderr, drawn with cli-progress. On a terminal: a bar per
// measuring window (fills with time: warm-up, window, settle) and per long run (the saturate
// climb, the soak's samples), each with elapsed time and ETA, and a line of live rates under
// them; phase lines scroll above. Not on a terminal (a log file, CI): no bars, a text line
// every 5 s with the same figures, and the phase lines. Silent with --quiet.
import { MultiBar, type SingleBar } from 'cli-progress';

/** A bar a case or a window holds: moved by time (clock) or by increment() (counter). */
interface ProgressBar {
  /** Counts one more unit done (counter bars). */
  increment(by?: number): void;
  /** What the bar's work is doing now (e.g. `measuring`), shown after it. */
  stage(text: string): void;
  /** Removes the bar. */
  stop(): void;
}

interface BarState {
  label: string;
  total: number;
  /** Unit after value/total: `s` for clock bars. */
  unit: string;
  /** Clock bars: value is the seconds since start. */
  clock: boolean;
  value: number;
  stage: string;
  start: number;
  bar: SingleBar | null;
}

/** m:ss (or h:mm:ss) */
function fmtDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60));
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

const NON_TTY_EVERY_MS = 5000;

export class Progress {
  readonly #tty: boolean;
  readonly #quiet: boolean;
  readonly #stream: NodeJS.WritableStream;
  readonly #t0 = performance.now();
  readonly #bars: BarState[] = [];
  #multi: MultiBar | null = null;
  #ratesBar: SingleBar | null = null;
  #rates = '';
  #lastPrinted = -Infinity;
  #open = false;
  #prefix = '';

  constructor(quiet: boolean, stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr) {
    this.#quiet = quiet;
    this.#stream = stream;
    this.#tty = Boolean(stream.isTTY);
  }

  #elapsed(): string {
    return fmtDuration((performance.now() - this.#t0) / 1000);
  }

  /** Names what runs now (e.g. `fleet framehub`), printed in front of every status and new bar. */
  context(prefix: string): void {
    this.#prefix = prefix;
  }

  /** A phase begins: always printed (above the bars on a terminal). */
  phase(text: string): void {
    if (this.#quiet) return;
    const line = `[${this.#elapsed()}] ${this.#prefix}: ${text}`;
    if (this.#multi) this.#multi.log(`${line}\n`);
    else this.#write(line, true);
  }

  /** Live rates: under the bars on a terminal (or one rewritten line with no bar open); a line every 5 s elsewhere. */
  status(text: string): void {
    if (this.#quiet) return;
    this.#rates = text;
    if (this.#tty) {
      if (this.#ratesBar) this.#ratesBar.update({ rates: text });
      else this.#write(`[${this.#elapsed()}] ${this.#prefix}: ${text}`, false);
      return;
    }
    const now = performance.now();
    if (now - this.#lastPrinted < NON_TTY_EVERY_MS) return;
    this.#lastPrinted = now;
    const bars = this.#bars.map((b) => this.#describe(b)).join(' | ');
    this.#write(`[${this.#elapsed()}] ${bars ? `${bars} | ` : `${this.#prefix}: `}${text}`, true);
  }

  /** A bar that fills with time over `seconds` (a measuring window). */
  clock(label: string, seconds: number): ProgressBar {
    return this.#add(label, seconds, 's', true);
  }

  /** A bar of `total` units moved by increment() (a climb of windows, a run of samples). */
  counter(label: string, total: number, unit: string): ProgressBar {
    return this.#add(label, total, ` ${unit}`, false);
  }

  #add(label: string, total: number, unit: string, clock: boolean): ProgressBar {
    const state: BarState = { label: `${this.#prefix}: ${label}`, total: Math.max(total, 1e-9), unit, clock, value: 0, stage: '', start: performance.now(), bar: null };
    if (this.#quiet) return { increment() {}, stage() {}, stop() {} };
    this.#bars.push(state);
    this.#redraw();
    return {
      increment: (by = 1) => {
        state.value = Math.min(state.total, state.value + by);
        this.#refresh(state);
      },
      stage: (text) => {
        state.stage = text;
        this.#refresh(state);
      },
      stop: () => this.#remove(state),
    };
  }

  /**
   * (Re)builds the terminal display for the open bars: the old one is flushed and cleared,
   * a new one drawn with every open bar and the rates line under them. (Rebuilding is
   * simpler and cleaner on screen than cli-progress's MultiBar.remove().)
   */
  #redraw(): void {
    if (!this.#tty) return;
    this.#stopMulti();
    if (this.#bars.length === 0) return;
    this.#startMulti();
    for (const b of this.#bars) {
      this.#refresh(b);
      b.bar = this.#multi!.create(b.total, b.value, this.#payload(b));
    }
    this.#ratesBar = this.#multi!.create(1, 0, { rates: this.#rates }, { format: '  {rates}' });
  }

  #startMulti(): void {
    this.#clearLine();
    this.#multi = new MultiBar({
      stream: this.#stream as NodeJS.WriteStream,
      format: '{label} [{bar}] {percentage}% {progress} {stage}| {elapsed} elapsed, eta {remaining}',
      barsize: 24,
      fps: 4,
      clearOnComplete: true,
      // cli-progress cuts each bar line to the terminal's width itself; `false` would switch the
      // terminal's wrapping off, and a Ctrl-C would leave it off.
      hideCursor: false,
      linewrap: true,
    });
    // Clock bars move with time: refresh them before every redraw.
    this.#multi.on('update-pre', () => {
      for (const b of this.#bars) if (b.clock) this.#refresh(b);
    });
  }

  #now(b: BarState): number {
    return (performance.now() - b.start) / 1000;
  }

  #eta(b: BarState): string {
    if (b.clock) return fmtDuration(b.total - Math.min(b.total, this.#now(b)));
    if (b.value <= 0) return '?';
    return fmtDuration((this.#now(b) * (b.total - b.value)) / b.value);
  }

  #progressText(b: BarState): string {
    const v = b.clock ? Math.min(b.total, Math.floor(this.#now(b))) : b.value;
    return `${v}/${+b.total.toFixed(1)}${b.unit}`;
  }

  #payload(b: BarState): Record<string, string> {
    return { label: b.label, progress: this.#progressText(b), stage: b.stage ? `${b.stage} ` : '', elapsed: fmtDuration(this.#now(b)), remaining: this.#eta(b) };
  }

  #refresh(b: BarState): void {
    if (b.clock) b.value = Math.min(b.total, this.#now(b));
    b.bar?.update(b.value, this.#payload(b));
  }

  /** One bar as text, for the non-terminal lines. */
  #describe(b: BarState): string {
    if (b.clock) b.value = Math.min(b.total, this.#now(b));
    const pct = Math.floor((100 * b.value) / b.total);
    return `${b.label} ${b.stage ? `${b.stage} ` : ''}${this.#progressText(b)} (${pct}%, eta ${this.#eta(b)})`;
  }

  #remove(b: BarState): void {
    const i = this.#bars.indexOf(b);
    if (i < 0) return;
    this.#bars.splice(i, 1);
    b.bar = null;
    this.#redraw();
  }

  #stopMulti(): void {
    for (const b of this.#bars) b.bar = null;
    if (!this.#multi) return;
    // Draw once more so phase lines logged since the last redraw are printed, then clear the bars.
    this.#multi.update();
    this.#multi.stop();
    this.#multi.removeAllListeners();
    this.#multi = null;
    this.#ratesBar = null;
  }

  #write(line: string, keep: boolean): void {
    if (this.#quiet) return;
    if (this.#tty) {
      this.#stream.write(`\r\x1b[2K${line}${keep ? '\n' : ''}`);
      this.#open = !keep;
    } else {
      this.#stream.write(`${line}\n`);
    }
  }

  #clearLine(): void {
    if (this.#tty && this.#open) this.#stream.write('\r\x1b[2K');
    this.#open = false;
  }

  /** Removes every bar and any rewritten status line, before other output. */
  done(): void {
    this.#bars.length = 0;
    this.#stopMulti();
    this.#clearLine();
    this.#rates = '';
  }
}
