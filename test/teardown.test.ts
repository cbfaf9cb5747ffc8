// The primary's stop list (src/primary/teardown.ts): what a failed start and close() run.
// Stops run newest first, each awaited, once; a failed step of the start runs them (told
// the start failed) and throws its error, or the error `wrap` makes of it; a stop that
// throws does not keep the others from running.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Teardown } from '../src/primary/teardown.js';

test('close: every stop, newest first, each awaited before the next; a second run does nothing', async () => {
  const teardown = new Teardown();
  const ran: string[] = [];
  teardown.add((failed) => ran.push(`lock ${failed}`));
  teardown.add(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    ran.push('store');
  });
  teardown.add(() => ran.push('workers'));
  assert.equal(teardown.stopping, false);
  await teardown.run();
  assert.equal(teardown.stopping, true);
  await teardown.run();
  assert.deepEqual(ran, ['workers', 'store', 'lock false']);
});

test('a failed start: what was added so far is stopped (told so), and the error comes out as it was or wrapped', async () => {
  const teardown = new Teardown();
  const ran: string[] = [];
  teardown.add((failed) => ran.push(`lock ${failed}`));
  assert.equal(await teardown.guard(Promise.resolve(8080)), 8080);
  teardown.add((failed) => ran.push(`workers ${failed}`));
  await assert.rejects(teardown.guard(Promise.reject(new Error('port in use')), (err) => new RangeError(`metrics: ${err.message}`)), { name: 'RangeError', message: 'metrics: port in use' });
  assert.deepEqual(ran, ['workers true', 'lock true']);

  const plain = new Teardown();
  await assert.rejects(plain.guard(Promise.reject(new Error('no lock'))), { message: 'no lock' });
});

test('a stop that throws does not keep the others from running; close() reports it, a failed start reports its own error', async () => {
  const closing = new Teardown();
  const ran: string[] = [];
  closing.add(() => ran.push('lock'));
  closing.add(() => {
    throw new Error('store would not close');
  });
  closing.add(() => ran.push('workers'));
  await assert.rejects(closing.run(), { message: 'store would not close' });
  assert.deepEqual(ran, ['workers', 'lock']);

  const failing = new Teardown();
  failing.add(() => ran.push('lock again'));
  failing.add(() => {
    throw new Error('store would not close');
  });
  await assert.rejects(failing.guard(Promise.reject(new Error('port in use'))), { message: 'port in use' });
  assert.deepEqual(ran.at(-1), 'lock again');
});

test('a synchronous throw inside a guarded start function runs the list too', async () => {
  const teardown = new Teardown();
  const ran: string[] = [];
  teardown.add((failed) => ran.push(`lock ${failed}`));
  await assert.rejects(
    teardown.guard(() => {
      throw new RangeError('arena too large');
    }),
    { name: 'RangeError' },
  );
  assert.deepEqual(ran, ['lock true']);
});
