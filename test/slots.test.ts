// The shared frame arena: publish/read, ownership and the writer lock, the doorbell, and a
// multi-thread stress run in which readers verify every byte of every frame they copy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createArenas, Doorbell, FrameArena, type ArenaLayout } from '../src/slots.js';

const layout: ArenaLayout = { arenas: 2, slotsPerArena: 4, slotBytes: 64 * 1024 };

test('publish then readLatest returns the same bytes and meta; empty slot reads null', () => {
  const arena = new FrameArena(createArenas(layout), layout);
  const slot = arena.slotId(1, 2);
  assert.equal(arena.readLatest(slot, Buffer.alloc(100)), null);
  arena.resetSlot(slot);
  arena.setOwner(slot, 7);
  const frame = Buffer.from('hello frame');
  assert.equal(arena.publish(slot, 7, frame, 1234.5), 'ok');
  const into = Buffer.alloc(100);
  const meta = arena.readLatest(slot, into, 10)!;
  assert.deepEqual(meta, { seq: 1, length: frame.length, receivedAt: 1234.5 });
  assert.deepEqual(into.subarray(10, 10 + frame.length), frame);
  assert.equal(arena.bytesPublished(slot), frame.length);
});

test('only the owning connection may write; reset bumps the generation', () => {
  const arena = new FrameArena(createArenas(layout), layout);
  const g1 = arena.resetSlot(0);
  arena.setOwner(0, 1);
  assert.equal(arena.publish(0, 2, Buffer.from('x'), 0), 'not_owner');
  arena.setOwner(0, 2);
  assert.equal(arena.publish(0, 2, Buffer.from('x'), 0), 'ok');
  assert.equal(arena.resetSlot(0), g1 + 1);
  assert.equal(arena.latestSeq(0), 0);
});

test('viewer bits: the doorbell rings other workers and reports the writer\'s own', () => {
  const arena = new FrameArena(createArenas(layout), layout);
  const bell = new Doorbell(new SharedArrayBuffer(Doorbell.byteLength(3, arena.totalSlots)), arena.totalSlots);
  arena.setViewing(5, 0, true);
  arena.setViewing(5, 2, true);
  assert.equal(bell.ringMask(arena.viewersMask(5), 5, 0), true);
  const dirty2: number[] = [];
  bell.drain(2, (s) => dirty2.push(s));
  assert.deepEqual(dirty2, [5]);
  const dirty0: number[] = [];
  bell.drain(0, (s) => dirty0.push(s));
  assert.deepEqual(dirty0, [], 'the writer handles its own viewers directly');
  arena.setViewing(5, 2, false);
  assert.equal(arena.viewersMask(5), 1);
  arena.clearWorker(0);
  assert.equal(arena.viewersMask(5), 0);
});

test('doorbell.listen wakes a waiting thread', async () => {
  const arena = new FrameArena(createArenas(layout), layout);
  const bell = new Doorbell(new SharedArrayBuffer(Doorbell.byteLength(2, arena.totalSlots)), arena.totalSlots);
  const got: number[] = [];
  let wake!: () => void;
  const woke = new Promise<void>((r) => (wake = r));
  const stop = bell.listen(1, () => {
    bell.drain(1, (s) => got.push(s));
    if (got.length) wake();
  });
  bell.ring(1, 3);
  await woke;
  stop();
  assert.deepEqual(got, [3]);
});

test('no torn frame: a writer thread and two reader threads hammer one slot', async () => {
  const buffers = createArenas(layout);
  const arena = new FrameArena(buffers, layout);
  const slot = arena.slotId(0, 1);
  arena.resetSlot(slot);
  arena.setOwner(slot, 9);
  const durationMs = 1500;
  const data = { arenas: buffers, layout, slot, connId: 9, durationMs };
  const writer = new Worker(new URL('./fixtures/slotWriter.js', import.meta.url), { workerData: data });
  const readers = [0, 1].map(() => new Worker(new URL('./fixtures/slotReader.js', import.meta.url), { workerData: data }));
  const once = (w: Worker) => new Promise<any>((resolve, reject) => (w.once('message', resolve), w.once('error', reject)));
  const [written, ...reads] = await Promise.all([once(writer), ...readers.map(once)]);
  const total = reads.reduce((a, r) => ({ verified: a.verified + r.verified, corrupt: a.corrupt + r.corrupt, distinct: a.distinct + r.distinct }), { verified: 0, corrupt: 0, distinct: 0 });
  console.log(`slot stress: ${written.published} frames published, ${total.verified} reads verified, ${total.distinct} distinct frames seen, ${total.corrupt} corrupt`);
  assert.equal(total.corrupt, 0);
  assert.ok(written.published > 1000, `published ${written.published}`);
  assert.ok(total.distinct > 100, `readers saw ${total.distinct} distinct frames`);
});
