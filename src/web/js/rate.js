// Frames per second over a sliding window of arrival times.
export class RateMeter {
  #times = [];

  constructor(windowMs = 2000) {
    this.windowMs = windowMs;
  }

  tick(now = performance.now()) {
    this.#times.push(now);
    this.#trim(now);
  }

  /** Frames per second over the window, 0 when fewer than two frames arrived in it. */
  rate(now = performance.now()) {
    this.#trim(now);
    const t = this.#times;
    if (t.length < 2) return 0;
    return ((t.length - 1) * 1000) / Math.max(now - t[0], t[t.length - 1] - t[0]);
  }

  #trim(now) {
    while (this.#times.length && now - this.#times[0] > this.windowMs) this.#times.shift();
  }
}

/** `ms` as short text: `120 ms`, `3.4 s`, `2 min`. */
export function formatAge(ms) {
  if (ms === null || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
