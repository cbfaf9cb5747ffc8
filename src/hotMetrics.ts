// Metrics touched on every frame, kept as plain numbers and turned into Prometheus series
// only when scraped. prom-client's `counter.labels(...)` returns `inc.bind(this, labels)`,
// so label validation and hashing still run on every call, and `Histogram.observe`
// allocates per call; at ~5,000 frames/s per worker that showed up in profiles (about 3 %
// of the server's CPU). Here a frame costs an addition, or a short bucket scan.
import { Counter, type Registry } from 'prom-client';

/** One series of a hot counter: callers keep it and add to `value` (never decrease it). */
export interface HotSeries {
  value: number;
}

/**
 * A counter family with one label, exported through prom-client at scrape time. Callers
 * look a series up once (e.g. per camera at admission) and add to it per frame.
 */
export class HotCounter {
  readonly #series = new Map<string, HotSeries>();

  constructor(registry: Registry, name: string, help: string, labelName: string, initial: readonly string[] = []) {
    const series = this.#series;
    new Counter({
      name,
      help,
      labelNames: [labelName],
      registers: [registry],
      collect() {
        // Totals are kept here, so each scrape rebuilds the family from them.
        this.reset();
        for (const [label, s] of series) this.inc({ [labelName]: label }, s.value);
      },
    });
    for (const label of initial) this.series(label);
  }

  /** The series for one label value (created at 0, so it shows before its first increment). */
  series(label: string): HotSeries {
    let s = this.#series.get(label);
    if (!s) this.#series.set(label, (s = { value: 0 }));
    return s;
  }

  add(label: string, n = 1): void {
    this.series(label).value += n;
  }
}

/**
 * A histogram without labels and fixed buckets, observed with a bucket scan and no
 * allocation. It registers itself as a prom-client metric object: `get()` returns the
 * shape prom-client's own Histogram returns, so the primary's AggregatorRegistry sums it
 * across workers like any other histogram.
 */
export class HotHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly #bounds: Float64Array;
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  constructor(registry: Registry, name: string, help: string, buckets: readonly number[]) {
    this.name = name;
    this.help = help;
    this.#bounds = Float64Array.from(buckets);
    this.#counts = new Float64Array(buckets.length);
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  observe(value: number): void {
    this.#sum += value;
    this.#count++;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.#counts[i]!++;
        return;
      }
    }
  }

  get(): { name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: { labels: Record<string, string | number>; value: number; metricName: string }[] } {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    let acc = 0;
    for (let i = 0; i < this.#bounds.length; i++) {
      acc += this.#counts[i]!;
      values.push({ labels: { le: this.#bounds[i]! }, value: acc, metricName: `${this.name}_bucket` });
    }
    values.push({ labels: { le: '+Inf' }, value: this.#count, metricName: `${this.name}_bucket` });
    values.push({ labels: {}, value: this.#sum, metricName: `${this.name}_sum` });
    values.push({ labels: {}, value: this.#count, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.#counts.fill(0);
    this.#sum = 0;
    this.#count = 0;
  }
}
