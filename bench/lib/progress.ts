// The progress display on stderr: case, target, phase, elapsed time and current rates.
// On a terminal one status line is rewritten in place; otherwise (a log file, CI) a line
// is printed every 5 s. Silent with --quiet.

export class Progress {
  readonly #tty: boolean;
  readonly #quiet: boolean;
  readonly #t0 = performance.now();
  #lastPrinted = 0;
  #open = false;
  #prefix = '';

  constructor(quiet: boolean, stream: NodeJS.WriteStream = process.stderr) {
    this.#quiet = quiet;
    this.#tty = Boolean(stream.isTTY);
  }

  #elapsed(): string {
    const s = Math.round((performance.now() - this.#t0) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }

  /** Names what runs now (e.g. `fleet framehub`), printed in front of every status. */
  context(prefix: string): void {
    this.#prefix = prefix;
  }

  /** A phase begins: always printed. */
  phase(text: string): void {
    this.#write(`${text}`, true);
  }

  /** A rate update: rewritten on a terminal, throttled to one line per 5 s elsewhere. */
  status(text: string): void {
    const now = performance.now();
    if (!this.#tty && now - this.#lastPrinted < 5000) return;
    this.#lastPrinted = now;
    this.#write(text, false);
  }

  #write(text: string, keep: boolean): void {
    if (this.#quiet) return;
    const line = `[${this.#elapsed()}] ${this.#prefix}: ${text}`;
    if (this.#tty) {
      process.stderr.write(`\r\x1b[2K${line}${keep ? '\n' : ''}`);
      this.#open = !keep;
    } else {
      process.stderr.write(`${line}\n`);
    }
  }

  /** Ends a rewritten status line before other output. */
  done(): void {
    if (this.#tty && this.#open) process.stderr.write('\r\x1b[2K');
    this.#open = false;
  }
}
