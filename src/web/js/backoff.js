// Reconnect delays: exponential from `baseMs`, capped at `capMs`, with jitter (each delay
// is drawn from the upper half of its step) so many viewers do not return in lockstep.
export class Backoff {
  #attempt = 0;

  constructor(baseMs = 500, capMs = 10_000) {
    this.baseMs = baseMs;
    this.capMs = capMs;
  }

  /** The next delay in ms; each call doubles the step up to the cap. */
  next() {
    const step = Math.min(this.capMs, this.baseMs * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return Math.round(step / 2 + Math.random() * (step / 2));
  }

  /** Call when a connection worked (a frame arrived): the next failure starts small again. */
  reset() {
    this.#attempt = 0;
  }
}
