// The primary's stop list (src/primary/teardown.ts): what a failed start and close() run.
// Stops run newest first, each awaited, once; a failed step of the start runs them (told
// the start failed) and throws its error, or the error `wrap` makes of it.
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
