// A snapshot poller: the dashboard's thumbnail of one camera, a GET of frame.jpg every
// intervalMs (first one at a random phase), optionally revalidating with If-None-Match.
// All pollers of a thread share one keep-alive agent, like a browser tab would.
import http from 'node:http';
import { Histogram } from '../lib/histogram.js';
import type { PollerSpec, SnapshotStats, TargetAddress } from './messages.js';
import { roomName } from './messages.js';
import type { GeneratorState } from './state.js';
import { nowMs } from './stamp.js';

export class SnapshotTally {
  requests = 0;
  ok = 0;
  notModified = 0;
  failed = 0;
  bytes = 0;
  readonly latency = new Histogram();

  reset(): void {
    this.requests = this.ok = this.notModified = this.failed = this.bytes = 0;
    this.latency.reset();
  }

  stats(): SnapshotStats {
    return { requests: this.requests, ok: this.ok, notModified: this.notModified, failed: this.failed, bytes: this.bytes, latency: this.latency.toData() };
  }
}

export class SnapshotPoller {
  readonly #timer: NodeJS.Timeout;
  #interval: NodeJS.Timeout | null = null;
  #etag: string | null = null;
  #busy = false;

  constructor(target: TargetAddress, spec: PollerSpec, agent: http.Agent, state: GeneratorState, tally: SnapshotTally) {
    const path = `/live/${target.app}/${roomName(spec.index)}/frame.jpg`;
    const poll = (): void => {
      if (this.#busy || state.stopping) return;
      this.#busy = true;
      const started = nowMs();
      const counted = state.inWindow(started);
      const headers: Record<string, string> = {};
      if (spec.etag && this.#etag) headers['If-None-Match'] = this.#etag;
      let finished = false;
      const done = (status: number, bytes: number, error?: string): void => {
        if (finished) return;
        if (status !== 200 && status !== 304) state.note('snapshot', error ?? `HTTP ${status}`);
        finished = true;
        this.#busy = false;
        state.counters.snapshots++;
        state.counters.bytesReceived += bytes;
        if (!counted) return;
        tally.requests++;
        tally.bytes += bytes;
        if (status === 200) tally.ok++;
        else if (status === 304) tally.notModified++;
        else tally.failed++;
        tally.latency.record(nowMs() - started);
      };
      const req = http.get({ host: target.host, port: target.port, path, agent, headers }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => {
          if (res.statusCode === 200 && typeof res.headers.etag === 'string') this.#etag = res.headers.etag;
          done(res.statusCode ?? 0, bytes);
        });
        res.on('error', (err: NodeJS.ErrnoException) => done(0, bytes, err.code ?? err.message));
      });
      req.on('error', (err: NodeJS.ErrnoException) => done(0, 0, err.code ?? err.message));
    };
    this.#timer = setTimeout(() => {
      poll();
      this.#interval = setInterval(poll, spec.intervalMs);
    }, Math.random() * spec.intervalMs);
  }

  stop(): void {
    clearTimeout(this.#timer);
    if (this.#interval) clearInterval(this.#interval);
  }
}
