// Waiting in tests: poll a condition until it holds (the way to wait for something a server
// does), and a plain delay for the few places that must let time pass.
import { setTimeout as delay } from 'node:timers/promises';

/** Polls `fn` every 20 ms until it returns a truthy value; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(20);
  }
}

export const sleep = (ms: number): Promise<void> => delay(ms);
