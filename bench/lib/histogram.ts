// A latency histogram that every generator thread fills and the runner merges: 10 µs
// buckets up to 100 ms, then 1 ms buckets up to 10 s, plus the exact maximum. Plain
// arrays of counts, so it crosses threads as a structured clone and merges by addition.

const FINE_MS = 100;
const FINE_PER_MS = 100;
const FINE = FINE_MS * FINE_PER_MS;
const COARSE = 9_900;

export interface HistogramData {
  counts: number[];
  max: number;
  total: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

export class Histogram {
  readonly counts = new Float64Array(FINE + COARSE + 1);
  max = 0;
  total = 0;

  /** Records one latency in milliseconds (negative values, from clock noise, count as 0). */
  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    const i = v < FINE_MS ? Math.floor(v * FINE_PER_MS) : Math.min(FINE + COARSE, FINE + Math.floor(v - FINE_MS));
    this.counts[i]!++;
    this.total++;
    if (v > this.max) this.max = v;
  }

  reset(): void {
    this.counts.fill(0);
    this.max = 0;
    this.total = 0;
  }

  /** A compact copy for postMessage: only the non-empty buckets as [index, count] pairs. */
  toData(): HistogramData {
    const counts: number[] = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] !== 0) counts.push(i, this.counts[i]!);
    return { counts, max: this.max, total: this.total };
  }

  add(data: HistogramData): this {
    for (let j = 0; j < data.counts.length; j += 2) this.counts[data.counts[j]!]! += data.counts[j + 1]!;
    this.total += data.total;
    if (data.max > this.max) this.max = data.max;
    return this;
  }

  /** Upper edge of the bucket holding quantile q (0..1), in ms; the max for q = 1. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, i < FINE ? (i + 1) / FINE_PER_MS : FINE_MS + (i - FINE) + 1);
    }
    return this.max;
  }

  percentiles(): Percentiles {
    return { p50: this.quantile(0.5), p99: this.quantile(0.99), max: this.max, count: this.total };
  }

  static merge(parts: HistogramData[]): Histogram {
    const h = new Histogram();
    for (const p of parts) h.add(p);
    return h;
  }
}
