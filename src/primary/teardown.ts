// The primary's one ordered stop list. Each part adds its stop as it is made or started; a
// failed start and close() both run the list, once, newest first, so every part stops
// before the parts it uses (the workers before the room table, the store last but the lock).
type Stop = (failedStart: boolean) => unknown;

export class Teardown {
  readonly #stops: Stop[] = [];
  #stopping = false;

  /** True once the list has begun to run. */
  get stopping(): boolean {
    return this.#stopping;
  }

  add(stop: Stop): void {
    this.#stops.push(stop);
  }

  /**
   * Runs every stop, newest first, each awaited; later calls do nothing. A stop that throws
   * does not keep the others from running (the lock is released last whatever happens);
   * the first such error is thrown at the end, except after a failed start, whose own
   * error is the one to report.
   */
  async run(failedStart = false): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const failures: unknown[] = [];
    for (const stop of this.#stops.reverse()) {
      try {
        await stop(failedStart);
      } catch (err) {
        failures.push(err);
      }
    }
    if (failures.length > 0 && !failedStart) throw failures[0];
  }

  /**
   * Awaits a step of the start (a promise, or a function run now, whose synchronous throw
   * counts too); if it fails, runs the list and throws its error (made by `wrap` if given).
   */
  async guard<T>(step: Promise<T> | (() => T | Promise<T>), wrap?: (err: Error) => Error): Promise<T> {
    try {
      return await (typeof step === 'function' ? step() : step);
    } catch (err) {
      await this.run(true);
      throw wrap ? wrap(err as Error) : err;
    }
  }
}
