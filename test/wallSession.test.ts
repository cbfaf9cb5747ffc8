// The camera wall's session, alone (a fake socket, a fake hub): subscribe/replace, tiles
// that wait for offline rooms, throttling to the wall's fps and full rate when focused,
// a backed-up socket skipping frames, and the tiles leaving the hub on close.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RoomInfo } from '../src/protocol.js';
import { Directory } from '../src/worker/directory.js';
import type { OutgoingFrame, Viewer } from '../src/worker/hub.js';
import { WALL_MAX_BUFFERED, WallSession } from '../src/worker/wallSession.js';

function room(name: string, state: RoomInfo['state'] = 'live'): RoomInfo {
  return { room: `live-${name}`, app: 'live', name, slot: 0, gen: 1, state, streamId: 's', startedAt: 0 };
}

function frame(seq: number, jpeg: string): OutgoingFrame {
  const bytes = Buffer.from(jpeg, 'latin1');
  return { seq, receivedAt: 0, now: Date.now(), jpeg: bytes, part: bytes };
}

function setup() {
  const sent: { data: Buffer | string; binary: boolean }[] = [];
  let buffered = 0;
  const socket = { send: (data: Buffer | string, binary: boolean) => sent.push({ data, binary }), getBufferedAmount: () => buffered };
  const attached = new Map<string, Viewer>();
  const hub = {
    attach: (info: RoomInfo, v: Viewer) => void attached.set(info.room, v),
    detach: (name: string, v: Viewer) => void (attached.get(name) === v && attached.delete(name)),
  };
  const directory = new Directory();
  directory.setRooms([room('cam1'), room('cam2', 'away')]);
  const session = new WallSession({ socket, app: 'live', hub, directory });
  const texts = (): unknown[] => sent.filter((s) => !s.binary).map((s) => JSON.parse(String(s.data)));
  const frames = (): string[] => sent.filter((s) => s.binary).map((s) => {
    const b = s.data as Buffer;
    return `${b.subarray(1, 1 + b[0]!).toString()}:${b.subarray(1 + b[0]!).toString('latin1')}`;
  });
  return { session, sent, attached, directory, texts, frames, setBuffered: (n: number) => (buffered = n) };
}

test('subscribe attaches live rooms, reports offline ones, takes short or full names; a later subscribe replaces the set', () => {
  const { session, attached, texts } = setup();
  session.subscribe(['cam1', 'live-cam2', 'cam3', 'cam3'], undefined);
  assert.deepEqual(session.rooms.sort(), ['live-cam1', 'live-cam2', 'live-cam3']);
  assert.deepEqual([...attached.keys()].sort(), ['live-cam1', 'live-cam2']);
  assert.deepEqual(texts(), [
    { type: 'state', room: 'live-cam1', state: 'live' },
    { type: 'state', room: 'live-cam2', state: 'away' },
    { type: 'state', room: 'live-cam3', state: 'offline' },
  ]);
  session.subscribe(['cam2'], undefined);
  assert.deepEqual(session.rooms, ['live-cam2']);
  assert.deepEqual([...attached.keys()], ['live-cam2']);
});

test('a waiting tile attaches when its room opens; a tile whose room ended waits again', () => {
  const { session, attached, texts } = setup();
  session.subscribe(['cam3'], undefined);
  assert.equal(attached.size, 0);
  session.roomOpened(room('cam3'));
  const tile = attached.get('live-cam3')!;
  assert.ok(tile);
  tile.end('stream_ended');
  attached.delete('live-cam3'); // the hub drops a viewer it ends
  assert.deepEqual(texts().at(-1), { type: 'state', room: 'live-cam3', state: 'offline' });
  session.roomOpened(room('cam3'));
  assert.ok(attached.get('live-cam3'), 'attached again');
});

test('tiles are throttled to the wall fps (not counted as congestion); the focused tile is not', () => {
  const { session, attached, frames } = setup();
  session.subscribe(['cam1'], 1);
  const tile = attached.get('live-cam1')!;
  assert.equal(tile.deliver(frame(1, 'a')), true);
  assert.equal(tile.deliver(frame(2, 'b')), false);
  assert.equal(tile.throttled, true);
  session.focus('cam1');
  assert.equal(tile.deliver(frame(3, 'c')), true);
  assert.equal(tile.lastSeq, 3);
  assert.deepEqual(frames(), ['live-cam1:a', 'live-cam1:c']);
  assert.equal(session.fpsFor('live-cam2'), 1);
});

test('a backed-up socket skips frames (latest frame wins) but still gets state messages', () => {
  const { session, attached, frames, texts, setBuffered } = setup();
  session.subscribe(['cam1'], 30);
  session.focus('live-cam1');
  const tile = attached.get('live-cam1')!;
  setBuffered(WALL_MAX_BUFFERED + 1);
  assert.equal(tile.deliver(frame(1, 'x')), false);
  assert.equal(tile.throttled, false, 'a congestion skip');
  tile.roomState('away');
  assert.deepEqual(texts().at(-1), { type: 'state', room: 'live-cam1', state: 'away' });
  setBuffered(0);
  assert.equal(tile.deliver(frame(2, 'y')), true);
  assert.deepEqual(frames(), ['live-cam1:y']);
});

test('close detaches every tile and sends nothing more', () => {
  const { session, attached, sent } = setup();
  session.subscribe(['cam1', 'cam2'], undefined);
  const tile = attached.get('live-cam1')!;
  const before = sent.length;
  session.close();
  assert.equal(attached.size, 0);
  assert.deepEqual(session.rooms, []);
  assert.equal(tile.deliver(frame(9, 'z')), false);
  assert.equal(sent.length, before);
});
