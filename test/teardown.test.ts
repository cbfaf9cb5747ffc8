// The primary's stop list (src/primary/teardown.ts): what a failed start and close() run.
// Stops run newest first, each awaited, once; a start that fails (rejects or throws) runs
// them, told the start failed, and its error comes out unchanged; a stop that throws does
// not keep the others from running.
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

test('a failed start: what was added so far is stopped (told so), and the error comes out as it was', async () => {
  const teardown = new Teardown();
  const ran: string[] = [];
  teardown.add((failed) => ran.push(`lock ${failed}`));
  const start = async (): Promise<number> => {
    teardown.add((failed) => ran.push(`workers ${failed}`));
    await Promise.resolve();
    throw new RangeError('metrics: port in use');
  };
  await assert.rejects(teardown.guard(start), { name: 'RangeError', message: 'metrics: port in use' });
  assert.deepEqual(ran, ['workers true', 'lock true']);

  const fine = new Teardown();
  assert.equal(await fine.guard(() => Promise.resolve(8080)), 8080);
  assert.equal(fine.stopping, false);
});

test('a synchronous throw of the start runs the list too', async () => {
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
  await assert.rejects(failing.guard(() => Promise.reject(new Error('port in use'))), { message: 'port in use' });
  assert.equal(ran.at(-1), 'lock again');
});
