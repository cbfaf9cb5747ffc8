// The worker's frame hub, alone (no sockets, no threads): fan-out of one read to every
// viewer, latest frame wins, a congested viewer skips and is caught up, the counts, and
// how rooms end; plus the Fanout that wakes it (local publish vs another worker's doorbell).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RoomInfo } from '../src/protocol.js';
import { createArenas, Doorbell, FrameArena, type ArenaLayout } from '../src/slots.js';
import { Fanout } from '../src/worker/fanout.js';
import { Hub, type HubMetrics, type OutgoingFrame, type Viewer, type ViewerEnd } from '../src/worker/hub.js';

const layout: ArenaLayout = { arenas: 1, slotsPerArena: 4, slotBytes: 64 * 1024 };
const SHARD = 0;
const CONN = 7;

function room(slot: number, name = `live-cam${slot}`): RoomInfo {
  return { room: name, app: 'live', name: name.slice(5), slot, gen: 1, state: 'live', streamId: `s${slot}`, startedAt: 0 };
}

/** A viewer that records what it was written; `congested` makes it skip like a backed-up socket. */
class FakeViewer implements Viewer {
  lastSeq = 0;
  congested = false;
  readonly got: { seq: number; jpeg: string; part: string }[] = [];
  readonly states: string[] = [];
  ended: ViewerEnd | null = null;
  constructor(readonly transport: Viewer['transport'] = 'ws') {}
  deliver(frame: OutgoingFrame): boolean {
    if (this.congested) return false;
    this.got.push({ seq: frame.seq, jpeg: Buffer.from(frame.jpeg).toString('latin1'), part: Buffer.from(frame.part).toString('latin1') });
    this.lastSeq = frame.seq;
    return true;
  }
  roomState(state: RoomInfo['state']): void {
    this.states.push(state);
  }
  end(reason: ViewerEnd): void {
    this.ended = reason;
  }
}

function setup() {
  const arena = new FrameArena(createArenas(layout), layout);
  const counts = { delivered: new Map<string, number>(), bytes: new Map<string, number>(), dropped: new Map<string, number>(), viewers: new Map<string, number>() };
  const add = (m: Map<string, number>, k: string, n: number): void => void m.set(k, (m.get(k) ?? 0) + n);
  const metrics: HubMetrics = {
    delivered: (t, frames, bytes) => {
      add(counts.delivered, t, frames);
      add(counts.bytes, t, bytes);
    },
    dropped: (reason, n = 1) => add(counts.dropped, reason, n),
    fanoutLatency: () => {},
    viewerCount: (t, delta) => add(counts.viewers, t, delta),
  };
  const hub = new Hub({ arena, shard: SHARD, metrics });
  const open = (slot: number): void => {
    arena.resetSlot(slot);
    arena.setOwner(slot, CONN);
  };
  const publish = (slot: number, text: string): void => assert.equal(arena.publish(slot, CONN, Buffer.from(text, 'latin1'), 1000), 'ok');
  /** A new viewer of the room in `slot`, attached. */
  const watch = (slot: number, transport?: Viewer['transport']): FakeViewer => {
    const v = new FakeViewer(transport);
    hub.attach(room(slot), v);
    return v;
  };
  return { arena, hub, counts, open, publish, watch };
}

test('one frame reaches every viewer of the room, the same bytes; other rooms see nothing', () => {
  const { hub, counts, open, publish, watch } = setup();
  open(1);
  open(2);
  const a = watch(1, 'ws');
  const b = watch(1, 'mjpeg');
  const other = watch(2, 'ws');
  publish(1, 'JPEG-1');
  hub.onFrame(1);
  assert.deepEqual(a.got.map((f) => [f.seq, f.jpeg]), [[1, 'JPEG-1']]);
  assert.deepEqual(b.got.map((f) => [f.seq, f.jpeg]), [[1, 'JPEG-1']]);
  assert.match(b.got[0]!.part, /^Content-Type: image\/jpeg\r\nContent-Length: 6\r\nX-Timestamp: 1\.000000\r\n\r\nJPEG-1\r\n--frame\r\n$/);
  assert.equal(other.got.length, 0);
  assert.equal(counts.delivered.get('ws'), 1);
  assert.equal(counts.delivered.get('mjpeg'), 1);
  assert.equal(counts.bytes.get('ws'), 6);
  // The same frame twice is not written again.
  hub.onFrame(1);
  assert.equal(a.got.length, 1);
});

test('latest frame wins: frames published between two fan-outs are skipped, not queued', () => {
  const { hub, open, publish } = setup();
  open(1);
  const v = new FakeViewer();
  hub.attach(room(1), v);
  publish(1, 'one');
  publish(1, 'two');
  publish(1, 'three');
  hub.onFrame(1);
  assert.deepEqual(v.got.map((f) => [f.seq, f.jpeg]), [[3, 'three']]);
});

test('a new viewer gets the newest frame at once', () => {
  const { hub, open, publish } = setup();
  open(1);
  publish(1, 'before');
  const v = new FakeViewer();
  hub.attach(room(1), v);
  assert.deepEqual(v.got.map((f) => f.jpeg), ['before']);
});

test('a congested viewer skips (counted slow_viewer) and catchUp writes it the newest frame once', () => {
  const { hub, counts, open, publish } = setup();
  open(1);
  const slow = new FakeViewer();
  const fast = new FakeViewer();
  hub.attach(room(1), slow);
  hub.attach(room(1), fast);
  slow.congested = true;
  publish(1, 'f1');
  hub.onFrame(1);
  publish(1, 'f2');
  hub.onFrame(1);
  assert.equal(slow.got.length, 0);
  assert.equal(fast.got.length, 2);
  assert.equal(counts.dropped.get('slow_viewer'), 2);
  slow.congested = false;
  hub.catchUp('live-cam1', slow);
  hub.catchUp('live-cam1', slow);
  assert.deepEqual(slow.got.map((f) => [f.seq, f.jpeg]), [[2, 'f2']]);
});

test('counts per room and transport; detach and the last viewer leaving forget the room', () => {
  const { arena, hub, counts, open, watch } = setup();
  open(1);
  open(2);
  const a = watch(1, 'ws');
  const b = watch(1, 'mjpeg');
  const c = watch(2, 'wall');
  assert.equal(hub.viewerTotal, 3);
  assert.deepEqual(hub.viewerCounts(), [
    { room: 'live-cam1', mjpeg: 1, ws: 1, wall: 0 },
    { room: 'live-cam2', mjpeg: 0, ws: 0, wall: 1 },
  ]);
  assert.equal(arena.viewersMask(1), 1 << SHARD);
  hub.detach('live-cam1', a);
  hub.detach('live-cam1', a); // twice: counted once
  hub.detach('live-cam1', b);
  assert.equal(hub.viewerTotal, 1);
  assert.equal(arena.viewersMask(1), 0, 'no viewer left: the worker no longer wants the doorbell for this slot');
  assert.deepEqual([...counts.viewers], [['ws', 0], ['mjpeg', 0], ['wall', 1]]);
});

test('room state changes reach the viewers; a closed room ends them with its reason', () => {
  const { hub, counts, open } = setup();
  open(1);
  open(2);
  const a = new FakeViewer();
  const b = new FakeViewer('mjpeg');
  hub.attach(room(1), a);
  hub.attach(room(2), b);
  hub.onRoom({ ...room(1), state: 'away' });
  hub.onRoom({ ...room(1), state: 'away' });
  assert.deepEqual(a.states, ['away']);
  hub.onRoomClosed('live-cam1');
  assert.equal(a.ended, 'stream_ended');
  hub.endWhere(() => true, 'going_away');
  assert.equal(b.ended, 'going_away');
  assert.equal(hub.viewerTotal, 0);
  assert.deepEqual([...counts.viewers.values()], [0, 0]);
});

test('the sweep reaches every viewer, even when one leaves the hub during its own sweep', () => {
  const { hub, open } = setup();
  open(1);
  const swept: string[] = [];
  const mk = (name: string, leave: boolean): Viewer => {
    const v: Viewer = Object.assign(new FakeViewer(), {
      sweep: (_now: number, pingRound: boolean) => {
        swept.push(`${name}:${pingRound}`);
        if (leave) hub.detach('live-cam1', v);
      },
    });
    return v;
  };
  hub.attach(room(1), mk('a', true));
  hub.attach(room(1), mk('b', false));
  hub.sweep(Date.now(), true);
  assert.deepEqual(swept, ['a:true', 'b:true']);
  assert.equal(hub.viewerTotal, 1);
});

test('Fanout: a local viewer is woken after the loop turn (coalesced); another worker by its doorbell', async () => {
  const { arena, hub, open } = setup();
  const workers = 2;
  const bell = new Doorbell(new SharedArrayBuffer(Doorbell.byteLength(workers, arena.totalSlots)), arena.totalSlots);
  const woken: number[] = [];
  const fanout = new Fanout({ arena, doorbell: bell, shard: SHARD, hub: { onFrame: (slot) => (woken.push(slot), hub.onFrame(slot)) } });
  open(1);
  const v = new FakeViewer();
  hub.attach(room(1), v);
  arena.setViewing(1, 1, true); // worker 1 watches slot 1 too
  assert.equal(fanout.publish(1, CONN, Buffer.from('a'), 1), 'ok');
  assert.equal(fanout.publish(1, CONN, Buffer.from('b'), 2), 'ok');
  assert.deepEqual(woken, [], 'not inside the camera handler');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(woken, [1], 'two publishes, one fan-out');
  assert.deepEqual(v.got.map((f) => f.jpeg), ['b']);
  const rung: number[] = [];
  bell.drain(1, (slot) => rung.push(slot));
  assert.deepEqual(rung, [1], "worker 1's doorbell rang for the slot");
  assert.equal(fanout.publish(1, CONN + 1, Buffer.from('c'), 3), 'not_owner');
});
