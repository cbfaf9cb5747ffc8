// Filtering, searching and sorting the fleet's rooms (rows of GET /api/v1/apps/:app/fleet),
// shared by the cards and the table. Pure functions over plain objects.

/** Does `room` pass the summary-strip filter? */
function passesFilter(room, filter) {
  switch (filter) {
    case 'live':
    case 'away':
    case 'offline':
    case 'never':
      return room.state === filter;
    case 'weak':
      return room.weakSignal;
    case 'lowheap':
      return room.lowHeap;
    case 'flapping':
      return room.flapping;
    case 'drops':
      return room.droppedLastMinute > 0;
    default:
      return true;
  }
}

/** Case-insensitive substring search over room name, identity and key ids. */
function matchesSearch(room, q) {
  if (!q) return true;
  const needle = q.toLowerCase();
  if (room.name.toLowerCase().includes(needle)) return true;
  if (room.identity && room.identity.toLowerCase().includes(needle)) return true;
  return room.keys.some((k) => k.id.toLowerCase().includes(needle));
}

const STATE_ORDER = { live: 0, away: 1, offline: 2, never: 3 };
const time = (iso) => (iso ? Date.parse(iso) : null);

/** The value a room sorts by (null sorts last whatever the direction). */
const VALUE = {
  name: (r) => r.name,
  state: (r) => STATE_ORDER[r.state],
  since: (r) => time(r.since),
  fps: (r) => r.fps,
  rssi: (r) => r.stats?.rssi ?? null,
  heap: (r) => r.stats?.heapFree ?? null,
  viewers: (r) => r.viewers,
  identity: (r) => r.identity,
  lastSeen: (r) => time(r.lastSeenAt),
  lastClose: (r) => r.lastClose?.code ?? null,
  drops: (r) => r.droppedLastMinute,
  connects: (r) => r.connectsLastHour,
  bytes: (r) => r.bytesPerSec,
};

function compareRooms(sort, dir) {
  const value = VALUE[sort] ?? VALUE.name;
  const sign = dir === 'desc' ? -1 : 1;
  return (a, b) => {
    const x = value(a);
    const y = value(b);
    if (x !== y) {
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      if (x < y) return -sign;
      if (x > y) return sign;
    }
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  };
}

/** The rooms to show, in order. */
export function visibleRooms(rooms, state) {
  return rooms.filter((r) => passesFilter(r, state.filter) && matchesSearch(r, state.q)).sort(compareRooms(state.sort, state.dir));
}
