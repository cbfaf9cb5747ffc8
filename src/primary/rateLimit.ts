// Token buckets keyed by a string (an IP, or IP+room): `burst` tokens at most, refilled
// at `perSec`. Idle full buckets are forgotten so the map stays bounded by activity.

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #burst: number;
  readonly #perSec: number;

  constructor(burst: number, perSec: number) {
    this.#burst = burst;
    this.#perSec = perSec;
  }

  #refilled(key: string, now: number): Bucket {
    const b = this.#buckets.get(key);
    if (!b) return { tokens: this.#burst, at: now };
    return { tokens: Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#perSec), at: now };
  }

  /** Whether a token is left, without taking it. */
  has(key: string, now = Date.now()): boolean {
    return this.#refilled(key, now).tokens >= 1;
  }

  /** Takes a token; false if the bucket is empty. */
  take(key: string, now = Date.now()): boolean {
    const b = this.#refilled(key, now);
    if (b.tokens < 1) {
      this.#buckets.set(key, b);
      return false;
    }
    b.tokens -= 1;
    this.#buckets.set(key, b);
    return true;
  }

  /** Drops buckets that have refilled completely; call now and then. */
  sweep(now = Date.now()): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.#perSec >= this.#burst) this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }
}
