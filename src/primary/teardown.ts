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

  /** Runs the start `start`; if it throws or rejects, runs the list (told the start failed) and throws its error. */
  async guard<T>(start: () => T | Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (err) {
      await this.run(true);
      throw err;
    }
  }
}
