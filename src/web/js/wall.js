// The camera wall (`/wall/<app>`): a tile per live room of the app, all through ONE
// WebSocket (browsers allow only 6 HTTP/1.1 connections per host, so no MJPEG per tile).
// Only tiles on screen are subscribed (IntersectionObserver), at the rate picked in the
// "Tile rate" control; a tile opened large (click or Enter) gets the full rate.
//
// Test hook: `window.framehubWall` = { tiles, tilesWithFrames, sockets, status,
// subscribed (full room names last sent) and fps (the rate last sent), focused, frames, framesFor(room) }.
import { pageParams, withToken } from './location.js';
import { formatAge, RateMeter } from './rate.js';
import { WallSocket } from './wallSocket.js';

const ROOMS_REFRESH_MS = 15_000;
const RETRY_MS = 1000;
const STALE_MS = 5000;

const { app, token } = pageParams();
const $ = (id) => document.getElementById(id);
const grid = $('grid');
const dialog = $('focus');
const rate = $('rate');
const filter = $('filter');
/** full room name -> tile */
const tiles = new Map();
const visible = new Set();
let subscribed = [];
let subscribedFps = 0;
let focused = null;
let focusUrl = null;
const focusRate = new RateMeter();
let frames = 0;

document.title = `${app} wall · framehub`;
$('app').textContent = app;

const socket = new WallSocket({ app, token, onFrame, onState: (room, state) => tiles.get(room) && setTileState(tiles.get(room), state), onStatus: renderStatus });

const observer = new IntersectionObserver((entries) => {
  for (const e of entries) {
    if (e.isIntersecting) visible.add(e.target.dataset.room);
    else visible.delete(e.target.dataset.room);
  }
  scheduleSubscribe();
});

let subscribeTimer = null;
function scheduleSubscribe() {
  clearTimeout(subscribeTimer);
  subscribeTimer = setTimeout(() => {
    const rooms = [...visible];
    if (focused && !visible.has(focused)) rooms.push(focused);
    subscribed = rooms;
    subscribedFps = Number(rate.value);
    socket.subscribe(rooms, subscribedFps);
    renderSummary();
  }, 100);
}

function makeTile(info) {
  const li = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'tile';
  button.dataset.room = info.room;
  button.setAttribute('aria-label', `Camera ${info.name}: open large`);
  const picture = document.createElement('div');
  picture.className = 'picture';
  const img = document.createElement('img');
  img.alt = `Latest picture of camera ${info.name}`;
  img.decoding = 'async';
  img.hidden = true;
  picture.append(img);
  const caption = document.createElement('span');
  caption.className = 'caption';
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = info.name;
  const state = document.createElement('span');
  state.className = 'badge';
  const age = document.createElement('span');
  age.className = 'age';
  caption.append(name, state, age);
  button.append(picture, caption);
  li.append(button);
  const tile = { room: info.room, name: info.name, li, button, img, stateEl: state, ageEl: age, url: null, frames: 0, lastFrameAt: null, state: '' };
  setTileState(tile, info.state);
  button.addEventListener('click', () => openFocus(tile));
  return tile;
}

function setTileState(tile, state) {
  tile.state = state;
  tile.stateEl.textContent = state === 'away' ? 'reconnecting' : state;
  tile.stateEl.dataset.state = state;
  if (focused === tile.room) {
    $('focus-state').textContent = tile.stateEl.textContent;
    $('focus-state').dataset.state = state;
  }
}

function onFrame(room, jpeg) {
  const tile = tiles.get(room);
  if (!tile) return;
  frames++;
  tile.frames++;
  tile.lastFrameAt = Date.now();
  const blob = new Blob([jpeg], { type: 'image/jpeg' });
  const old = tile.url;
  tile.url = URL.createObjectURL(blob);
  tile.img.src = tile.url;
  tile.img.hidden = false;
  if (old) URL.revokeObjectURL(old); // the old picture stays on screen until the new one decodes
  if (tile.state !== 'live') setTileState(tile, 'live');
  if (room === focused) {
    focusRate.tick();
    const oldFocus = focusUrl;
    focusUrl = URL.createObjectURL(blob);
    $('focus-img').src = focusUrl;
    if (oldFocus) URL.revokeObjectURL(oldFocus);
  }
}

function openFocus(tile) {
  focused = tile.room;
  $('focus-title').textContent = tile.name;
  $('focus-img').alt = `Live picture of camera ${tile.name}`;
  $('focus-img').src = tile.url ?? '';
  $('focus-player').href = withToken(`/play/${encodeURIComponent(app)}/${encodeURIComponent(tile.name)}`, token);
  setTileState(tile, tile.state);
  socket.focus(tile.room);
  scheduleSubscribe();
  dialog.showModal();
}

dialog.addEventListener('close', () => {
  const tile = tiles.get(focused);
  focused = null;
  socket.focus(null);
  scheduleSubscribe();
  if (focusUrl) URL.revokeObjectURL(focusUrl);
  focusUrl = null;
  tile?.button.focus();
});
$('focus-close').addEventListener('click', () => dialog.close());

async function loadRooms() {
  try {
    const res = await fetch(withToken(`/live/${encodeURIComponent(app)}/rooms.json`, token), { cache: 'no-store' });
    const body = await res.json();
    if (!res.ok) {
      $('notice').textContent = body?.error?.message ?? `server answered ${res.status}`;
      $('notice').hidden = false;
      return;
    }
    const live = new Set();
    for (const info of body.data.rooms) {
      live.add(info.room);
      if (tiles.has(info.room)) continue;
      const tile = makeTile(info);
      tiles.set(info.room, tile);
      grid.append(tile.li);
      applyFilter(tile);
      observer.observe(tile.button);
    }
    // Rooms gone from the list: subscribed ones hear it from the server; mark the rest.
    for (const tile of tiles.values()) if (!live.has(tile.room) && !subscribed.includes(tile.room)) setTileState(tile, 'offline');
    $('empty').hidden = tiles.size > 0;
    renderSummary();
  } catch {
    // Server unreachable or a torn answer: keep the tiles and try again soon, not only at
    // the next periodic refresh (an empty wall for 15 s looks broken).
    setTimeout(loadRooms, RETRY_MS);
  }
}

function applyFilter(tile) {
  const q = filter.value.trim().toLowerCase();
  tile.li.hidden = q !== '' && !tile.name.toLowerCase().includes(q);
}

filter.addEventListener('input', () => {
  for (const tile of tiles.values()) applyFilter(tile);
});
rate.addEventListener('change', scheduleSubscribe);

function renderStatus() {
  const el = $('status');
  el.textContent = socket.status === 'open' ? 'connected' : socket.status === 'denied' ? `no access: ${socket.message}` : socket.status;
  el.dataset.state = socket.status === 'open' ? 'live' : socket.status === 'denied' ? 'denied' : 'away';
}

function renderSummary() {
  $('summary').textContent = `${tiles.size} cameras, ${subscribed.length} on screen at ${subscribedFps} fps`;
}

/** Ages of the tiles on screen (and the focused one), once a second. */
setInterval(() => {
  const now = Date.now();
  for (const room of visible) {
    const tile = tiles.get(room);
    if (!tile) continue;
    const age = tile.lastFrameAt === null ? null : now - tile.lastFrameAt;
    tile.ageEl.textContent = formatAge(age);
    tile.ageEl.dataset.stale = String(age !== null && age > STALE_MS);
  }
  if (focused) {
    const tile = tiles.get(focused);
    $('focus-fps').textContent = focusRate.rate().toFixed(1);
    $('focus-age').textContent = formatAge(tile?.lastFrameAt ? now - tile.lastFrameAt : null);
  }
}, 1000);

window.framehubWall = {
  get tiles() { return tiles.size; },
  get tilesWithFrames() { let n = 0; for (const t of tiles.values()) if (t.frames > 0) n++; return n; },
  get sockets() { return socket.opened; },
  get status() { return socket.status; },
  get subscribed() { return subscribed.slice(); },
  get fps() { return subscribedFps; },
  get focused() { return focused; },
  get frames() { return frames; },
  framesFor: (room) => tiles.get(room)?.frames ?? 0,
};

renderStatus();
socket.connect();
await loadRooms();
setInterval(loadRooms, ROOMS_REFRESH_MS);

