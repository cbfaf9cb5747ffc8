// The node's bytes in and out per second, for the fleet view's link gauge: read on demand
// from every worker's received/sent byte counters (their metric registries), at most once
// per MIN_INTERVAL_MS however many dashboards poll, and turned into rates between reads.
// A caller gets the latest rates at once: while someone asks (a dashboard polls), a timer
// reads the counters every MIN_INTERVAL_MS in the background, so the workers' round trip
// never delays a poll; it stops a minute after the last question.

const MIN_INTERVAL_MS = 2000;
const IDLE_STOP_MS = 60_000;
const IN = 'framehub_received_bytes_total';
const OUT = 'framehub_sent_bytes_total';

interface MetricJson {
  name: string;
  values?: { value: number }[];
}

export interface TrafficRates {
  bytesInPerSec: number | null;
  bytesOutPerSec: number | null;
}

/** Sums the values of metric `name` over every worker's registry JSON. */
function total(workers: object[][], name: string): number {
  let sum = 0;
  for (const metrics of workers) {
    for (const m of metrics as MetricJson[]) if (m.name === name) for (const v of m.values ?? []) sum += v.value;
  }
  return sum;
}

export class NodeTraffic {
  readonly #read: () => Promise<object[][]>;
  #last: { at: number; bytesIn: number; bytesOut: number } | null = null;
  #rates: TrafficRates = { bytesInPerSec: null, bytesOutPerSec: null };
  #pending: Promise<TrafficRates> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #askedAt = 0;

  /** `read`: every live worker's metrics as prom-client JSON. */
  constructor(read: () => Promise<object[][]>) {
    this.#read = read;
  }

  /** The latest rates (null until two reads were made; a worker restart resets its counters). */
  rates(now = Date.now()): TrafficRates {
    this.#askedAt = now;
    if (!this.#timer) {
      void this.refresh();
      this.#timer = setInterval(() => {
        if (Date.now() - this.#askedAt > IDLE_STOP_MS) this.stop();
        else void this.refresh();
      }, MIN_INTERVAL_MS);
      this.#timer.unref();
    }
    return this.#rates;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Reads the workers' counters now (one read at a time); resolves with the new rates. */
  refresh(): Promise<TrafficRates> {
    this.#pending ??= this.#read()
      .then((workers) => {
        const at = Date.now();
        const cur = { at, bytesIn: total(workers, IN), bytesOut: total(workers, OUT) };
        const prev = this.#last;
        this.#last = cur;
        if (prev && at > prev.at && cur.bytesIn >= prev.bytesIn && cur.bytesOut >= prev.bytesOut) {
          const dt = (at - prev.at) / 1000;
          this.#rates = { bytesInPerSec: Math.round((cur.bytesIn - prev.bytesIn) / dt), bytesOutPerSec: Math.round((cur.bytesOut - prev.bytesOut) / dt) };
        }
        return this.#rates;
      })
      .catch(() => this.#rates) // a worker gone mid-read: the next poll reads again
      .finally(() => (this.#pending = null));
    return this.#pending;
  }
}
