// Numbered requests over a message port: each request gets an id and a timeout, and
// every pending one is rejected with a coded error when the other side goes away.
import { CodedError } from './errors.js';
import type { ReplyResult } from './protocol.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  onLate?: (result: ReplyResult) => void;
}

/** Timed-out requests whose late reply still matters (`onLate`), kept this long at most. */
const LATE_KEEP_MS = 5 * 60_000;

export class RequestChannel<Req> {
  readonly #send: (msg: { type: 'request'; id: number; body: Req }) => void;
  readonly #pending = new Map<number, Pending>();
  /** Timed-out requests with an `onLate` handler, by id: a reply that still comes goes there. */
  readonly #late = new Map<number, { onLate: (result: ReplyResult) => void; at: number }>();
  #nextId = 1;
  #closed = false;

  constructor(send: (msg: { type: 'request'; id: number; body: Req }) => void) {
    this.#send = send;
  }

  /**
   * Sends a request; rejects with `timeout` after `timeoutMs`. A reply that arrives after
   * that goes to `onLate` (say, to hand back what the other side granted meanwhile).
   */
  request<T>(body: Req, timeoutMs = 5000, onLate?: (result: ReplyResult) => void): Promise<T> {
    if (this.#closed) return Promise.reject(new CodedError('worker_gone', 'the other thread has exited'));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        if (onLate) this.#keepLate(id, onLate);
        reject(new CodedError('timeout', `request ${id} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, onLate });
      this.#send({ type: 'request', id, body });
    });
  }

  #keepLate(id: number, onLate: (result: ReplyResult) => void): void {
    const now = Date.now();
    for (const [lateId, l] of this.#late) {
      if (now - l.at < LATE_KEEP_MS) break; // insertion order is age order
      this.#late.delete(lateId);
    }
    this.#late.set(id, { onLate, at: now });
  }

  /** Settles the pending request `id` with the reply's result (or hands a late one over). */
  settle(id: number, result: ReplyResult): void {
    const p = this.#pending.get(id);
    if (!p) {
      const late = this.#late.get(id);
      if (late) {
        this.#late.delete(id);
        late.onLate(result);
      }
      return;
    }
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (result.ok) p.resolve(result.value);
    else p.reject(new CodedError(result.error.code as never, result.error.message));
  }

  /** Rejects everything pending and refuses new requests. */
  close(reason = 'the other thread has exited'): void {
    this.#closed = true;
    this.#late.clear();
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new CodedError('worker_gone', reason));
      this.#pending.delete(id);
    }
  }
}

/** Runs a request handler and turns its outcome into a reply result. */
export async function replyTo(handler: () => unknown | Promise<unknown>): Promise<ReplyResult> {
  try {
    return { ok: true, value: await handler() };
  } catch (err) {
    const e = err instanceof CodedError ? err : new CodedError('internal', (err as Error)?.message ?? String(err));
    return { ok: false, error: { code: e.code, message: e.message } };
  }
}
