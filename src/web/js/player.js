// The player (`/play/<app>/<room>`) and embed (`/embed/<app>/<room>`) pages: one LiveFeed
// drawn into the page, a state badge (aria-live), fps and frame age.
//
// Test hook: `window.framehubPlayer` = { state, message, transport, frames, fps, ageMs,
// lastFrameAt, delays, history }. lastFrameAt is epoch ms when the last frame was drawn;
// delays holds camera-send -> drawn times (ms) of frames with an `fh:` COM stamp.
import { LiveFeed } from './feed.js';
import { pageParams } from './location.js';
import { formatAge } from './rate.js';

const LABELS = { connecting: 'connecting', live: 'live', away: 'camera reconnecting', offline: 'offline', denied: 'no access', error: 'error' };

const { app, room, token, query } = pageParams();
const $ = (id) => document.getElementById(id);
const canvas = $('picture');
const img = $('mjpeg');
const badge = $('badge');
const placeholder = $('placeholder');

const name = room.startsWith(`${app}-`) ? room.slice(app.length + 1) : room;
document.title = `${name} · framehub`;
canvas.setAttribute('aria-label', `Live picture of camera ${name}`);
img.alt = `Live picture of camera ${name}`;
if ($('title')) $('title').textContent = name;
if ($('app')) $('app').textContent = app;

const feed = new LiveFeed({ app, room, token, canvas, img, transport: query.get('transport') ?? undefined });

function render() {
  badge.textContent = LABELS[feed.state] ?? feed.state;
  badge.dataset.state = feed.state;
  const showing = feed.frames > 0 && (feed.state === 'live' || feed.state === 'away');
  placeholder.hidden = showing;
  placeholder.textContent = placeholderText();
  if ($('transport')) $('transport').textContent = feed.transport === 'mjpeg' ? 'MJPEG (fallback)' : feed.transport === 'ws' ? 'WebSocket' : '–';
}

function placeholderText() {
  switch (feed.state) {
    case 'offline': return `Camera ${name} is offline${feed.message && feed.message !== 'camera offline' ? ` (${feed.message})` : ''}. Waiting for it to come back…`;
    case 'denied': return `No access: ${feed.message || 'this stream needs a valid play token (?token=)'}`;
    case 'error': return `Cannot play: ${feed.message}`;
    case 'away': return `Camera ${name} left; waiting for it to reconnect…`;
    default: return 'Connecting…';
  }
}

function tick() {
  const fps = feed.fps;
  if ($('fps')) $('fps').textContent = fps === null ? '–' : fps.toFixed(1);
  const age = feed.ageMs;
  const el = $('age');
  el.textContent = formatAge(age);
  el.dataset.stale = String(age !== null && age > 3000);
}

feed.addEventListener('change', render);
feed.addEventListener('frame', () => {
  if (!placeholder.hidden) render();
});
render();
setInterval(tick, 500);
feed.start();

window.framehubPlayer = {
  get state() { return feed.state; },
  get message() { return feed.message; },
  get transport() { return feed.transport; },
  get frames() { return feed.frames; },
  get fps() { return feed.fps; },
  get ageMs() { return feed.ageMs; },
  get lastFrameAt() { return feed.lastFrameAt; },
  get delays() { return feed.delays.slice(); },
  get history() { return feed.history.slice(); },
};
