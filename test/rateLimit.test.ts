// The token-bucket limiter (handshakes per IP, failed authentications) without a server:
// burst, refill at the rate, buckets per key, has() not taking, and sweep() forgetting full
// buckets. Time is passed in, so nothing here depends on the clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter } from '../src/primary/rateLimit.js';

test('a bucket gives `burst` tokens at once, then one per 1/perSec seconds', () => {
  const rl = new RateLimiter(3, 2);
  const t0 = 1_000_000;
  assert.deepEqual([rl.take('a', t0), rl.take('a', t0), rl.take('a', t0), rl.take('a', t0)], [true, true, true, false]);
  assert.equal(rl.take('a', t0 + 400), false, '0.8 of a token after 400 ms at 2/s');
  assert.equal(rl.take('a', t0 + 500), true, 'one token after 500 ms');
  assert.equal(rl.take('a', t0 + 500), false);
  assert.equal(rl.take('a', t0 + 100_000), true, 'refills up to the burst, not beyond');
  assert.equal(rl.take('a', t0 + 100_000), true);
  assert.equal(rl.take('a', t0 + 100_000), true);
  assert.equal(rl.take('a', t0 + 100_000), false);
});

test('keys have their own buckets; has() looks without taking', () => {
  const rl = new RateLimiter(1, 1);
  assert.equal(rl.has('a', 0), true);
  assert.equal(rl.has('a', 0), true);
  assert.equal(rl.take('a', 0), true);
  assert.equal(rl.has('a', 0), false);
  assert.equal(rl.take('b', 0), true);
});

test('a refused take does not push the refill back (the bucket keeps its fraction)', () => {
  const rl = new RateLimiter(1, 1);
  assert.equal(rl.take('a', 0), true);
  assert.equal(rl.take('a', 600), false);
  assert.equal(rl.take('a', 1000), true, 'a full second after the take, refusals in between or not');
});

test('sweep forgets buckets that refilled completely and keeps the others', () => {
  const rl = new RateLimiter(2, 1);
  rl.take('idle', 0);
  rl.take('busy', 0);
  rl.take('busy', 0);
  assert.equal(rl.size, 2);
  rl.sweep(1500);
  assert.equal(rl.size, 1, 'idle refilled after 1 s; busy needs 2 s');
  rl.sweep(2000);
  assert.equal(rl.size, 0);
});
