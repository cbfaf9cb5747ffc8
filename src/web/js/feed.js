// One room's live picture, for the player and embed pages. Asks stream.json for the
// stream type and state, plays the WS viewer feed (`/live/ws`: one binary message per
// JPEG, text messages for state) onto a canvas, falls back to an MJPEG <img> when
// WebSockets do not get through, and comes back with backoff when the camera or the
// server goes away. Emits `change` (state, transport) and `frame` events.
import { Backoff } from './backoff.js';
import { isRefusal, listen } from './liveSocket.js';
import { withToken, wsUrl } from './location.js';
import { RateMeter } from './rate.js';
import { readStamp } from './stamp.js';

/** WebSocket opens that fail in a row (while stream.json answers) before trying MJPEG. */
const WS_FAILURES_BEFORE_MJPEG = 2;
/** How often the MJPEG fallback asks stream.json for state and frame age. */
const MJPEG_POLL_MS = 5000;
const MAX_DELAYS = 1000;

const now = () => performance.timeOrigin + performance.now();

export class LiveFeed extends EventTarget {
  /** connecting | live | away (camera left, may come back) | offline | denied | error */
  state = 'connecting';
  /** Why, for the states that need a word (offline, denied, error). */
  message = '';
  /** 'ws' | 'mjpeg' | null */
  transport = null;
  frames = 0;
  /** Frames that arrived while an older one was still decoding, replaced by a newer one. */
  skipped = 0;
  /** When the last frame was drawn (epoch ms, same clock as Date.now()). */
  lastFrameAt = null;
  /** Camera send -> drawn on the page, ms, for frames carrying an `fh:` stamp. */
  delays = [];
  /** Every state change: {state, at}. */
  history = [];
  #rate = new RateMeter();
  #backoff = new Backoff();
  #timer = null;
  #poll = null;
  #ws = null;
  #wsFailures = 0;
  #pending = null;
  #decoding = false;
  #serverAge = null;

  /**
   * @param {{app: string, room: string, token: string|null, canvas: HTMLCanvasElement,
   *   img: HTMLImageElement, transport?: 'ws'|'mjpeg'}} options  transport forces one
   */
  constructor(options) {
    super();
    this.app = options.app;
    this.room = options.room;
    this.token = options.token;
    this.canvas = options.canvas;
    this.img = options.img;
    this.forceMjpeg = options.transport === 'mjpeg';
    this.info = null;
  }

  get fps() {
    return this.transport === 'ws' ? this.#rate.rate() : null;
  }

  /** Age of the picture shown: since the last frame (WS), or the server's figure (MJPEG). */
  get ageMs() {
    if (this.transport === 'mjpeg' && this.#serverAge) return this.#serverAge.ms + (now() - this.#serverAge.at);
    return this.lastFrameAt === null ? null : now() - this.lastFrameAt;
  }

  start() {
    this.#check();
    return this;
  }

  #setState(state, message = '') {
    if (state === this.state && message === this.message) return;
    this.state = state;
    this.message = message;
    this.history.push({ state, at: Date.now() });
    this.dispatchEvent(new Event('change'));
  }

  #retry(ms = this.#backoff.next()) {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#check(), ms);
  }

  #infoUrl() {
    return withToken(`/live/${encodeURIComponent(this.app)}/${encodeURIComponent(this.room)}/stream.json`, this.token);
  }

  /** Asks stream.json; returns {ok, info} or {status, code, message}, or null when unreachable. */
  async #fetchInfo() {
    try {
      const res = await fetch(this.#infoUrl(), { cache: 'no-store' });
      const body = await res.json().catch(() => null);
      if (res.ok) return { ok: true, info: body?.data };
      return { ok: false, status: res.status, code: body?.error?.code, message: body?.error?.message ?? `server answered ${res.status}` };
    } catch {
      return null;
    }
  }

  /** Handles a failed stream.json answer; true when the feed should try again later. */
  #failed(answer) {
    if (!answer) this.#setState('offline', 'server unreachable');
    else if (answer.status === 401 || answer.status === 403) this.#setState('denied', answer.message);
    else if (answer.status === 404 && answer.code !== 'stream_offline') this.#setState('error', answer.message);
    else this.#setState('offline', answer.code === 'stream_offline' ? 'camera offline' : answer.message);
    return this.state === 'offline';
  }

  async #check() {
    const answer = await this.#fetchInfo();
    if (!answer?.ok) {
      if (this.#failed(answer)) this.#retry();
      return;
    }
    const info = answer.info;
    if (info?.type !== 'ws-mjpeg') {
      this.#setState('error', `unsupported stream type ${info?.type}`);
      return;
    }
    this.info = info;
    if (this.state !== 'live') this.#setState(info.state === 'away' ? 'away' : 'connecting');
    if (this.forceMjpeg || this.#wsFailures >= WS_FAILURES_BEFORE_MJPEG) this.#playMjpeg(info);
    else this.#playWs(info);
  }

  #setTransport(transport) {
    this.transport = transport;
    this.canvas.hidden = transport !== 'ws';
    this.img.hidden = transport !== 'mjpeg';
    this.dispatchEvent(new Event('change'));
  }

  #playWs(info) {
    this.#setTransport('ws');
    let ws;
    try {
      ws = new WebSocket(wsUrl(withToken(info.feeds.ws, this.token)));
    } catch {
      this.#wsFailures++;
      this.#retry();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    // A feed that closes before the server's hello never worked (a proxy without
    // WebSocket support, a broken middlebox): counts towards the MJPEG fallback.
    let greeted = false;
    listen(ws, {
      binary: (bytes) => this.#onJpeg(bytes),
      text: (msg) => {
        if (msg.type === 'hello') {
          greeted = true;
          this.#wsFailures = 0;
        }
        if (msg.type === 'hello' || msg.type === 'state') this.#setState(msg.state === 'away' ? 'away' : 'live');
      },
      closed: (code, detail) => {
        if (this.#ws !== ws) return;
        this.#ws = null;
        if (isRefusal(code)) {
          this.#setState('denied', detail ?? 'playback refused');
          return;
        }
        if (code === 4404) this.#setState('offline', 'camera offline');
        else if (code === 4429) this.#setState('offline', 'too many viewers; trying again');
        else {
          if (!greeted) this.#wsFailures++;
          this.#setState('offline', greeted ? 'connection lost' : 'cannot open the live feed');
        }
        this.#retry();
      },
    });
  }

  #onJpeg(bytes) {
    if (this.#decoding) {
      if (this.#pending) this.skipped++;
      this.#pending = bytes; // latest frame wins
      return;
    }
    void this.#draw(bytes);
  }

  async #draw(bytes) {
    this.#decoding = true;
    try {
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
      if (this.canvas.width !== bitmap.width || this.canvas.height !== bitmap.height) {
        this.canvas.width = bitmap.width;
        this.canvas.height = bitmap.height;
      }
      this.canvas.getContext('2d').drawImage(bitmap, 0, 0);
      bitmap.close();
      this.#shown(now(), readStamp(bytes));
    } catch {
      // A JPEG the browser cannot decode: skip it, the next one replaces it.
    }
    this.#decoding = false;
    const next = this.#pending;
    this.#pending = null;
    if (next) void this.#draw(next);
  }

  #shown(at, stamp) {
    this.frames++;
    this.lastFrameAt = at;
    this.#rate.tick(performance.now());
    this.#backoff.reset();
    if (stamp) {
      this.delays.push(at - stamp.sentAt);
      if (this.delays.length > MAX_DELAYS) this.delays.shift();
    }
    if (this.state !== 'live') this.#setState('live');
    this.dispatchEvent(new Event('frame'));
  }

  /** The fallback: a multipart MJPEG <img>; state and age come from polling stream.json. */
  #playMjpeg(info) {
    this.#setTransport('mjpeg');
    this.#serverAge = info.frameAgeMs === null ? null : { ms: info.frameAgeMs, at: now() };
    this.img.onload = () => this.#shown(now(), null);
    this.img.onerror = () => this.#stopMjpeg(true);
    this.img.src = withToken(info.feeds.mjpeg, this.token);
    clearInterval(this.#poll);
    this.#poll = setInterval(async () => {
      const answer = await this.#fetchInfo();
      if (this.transport !== 'mjpeg') return;
      if (!answer?.ok) {
        if (this.#failed(answer)) this.#stopMjpeg(true);
        else this.#stopMjpeg(false);
        return;
      }
      const age = answer.info.frameAgeMs;
      this.#serverAge = age === null ? null : { ms: age, at: now() };
      this.#setState(answer.info.state === 'away' ? 'away' : 'live');
    }, MJPEG_POLL_MS);
  }

  #stopMjpeg(retry) {
    clearInterval(this.#poll);
    this.img.onload = this.img.onerror = null;
    this.img.removeAttribute('src');
    if (this.state === 'live' || this.state === 'away' || this.state === 'connecting') this.#setState('offline', 'camera offline');
    if (retry) this.#retry();
  }
}
