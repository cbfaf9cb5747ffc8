// The wall's one WebSocket to `/live/wall` (protocol in src/worker/wall.ts): sends the
// set of visible rooms and the focused room, receives `[n][room][JPEG]` frames and
// `{"type":"state"}` texts, and reconnects with backoff, re-sending what it last asked for.
import { Backoff } from './backoff.js';
import { isRefusal, listen } from './liveSocket.js';
import { withToken, wsUrl } from './location.js';

const utf8 = new TextDecoder();

export class WallSocket {
  /** Sockets opened so far (1 unless the connection was lost). */
  opened = 0;
  /** connecting | open | reconnecting | denied */
  status = 'connecting';
  message = '';
  #ws = null;
  #backoff = new Backoff();
  #subscription = { type: 'subscribe', rooms: [], fps: 1 };
  #focus = null;

  /**
   * @param {{app: string, token: string|null, onFrame: (room: string, jpeg: Uint8Array) => void,
   *   onState: (room: string, state: string) => void, onStatus: () => void}} options
   */
  constructor(options) {
    this.options = options;
  }

  connect() {
    const { app, token } = this.options;
    const ws = new WebSocket(wsUrl(withToken(`/live/wall?app=${encodeURIComponent(app)}`, token)));
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    ws.onopen = () => {
      this.opened++;
      this.#send(this.#subscription);
      if (this.#focus) this.#send({ type: 'focus', room: this.#focus });
      this.#setStatus('open');
    };
    listen(ws, {
      binary: (bytes) => {
        this.#backoff.reset();
        const n = bytes[0];
        this.options.onFrame(utf8.decode(bytes.subarray(1, 1 + n)), bytes.subarray(1 + n));
      },
      text: (msg) => {
        if (msg.type === 'state') this.options.onState(msg.room, msg.state);
      },
      closed: (code, detail) => {
        if (this.#ws !== ws) return;
        this.#ws = null;
        if (isRefusal(code)) this.#setStatus('denied', detail ?? 'the wall needs an app-wide play token (?token=)');
        else {
          this.#setStatus('reconnecting', code === 4429 ? 'too many viewers' : 'connection lost');
          setTimeout(() => this.connect(), this.#backoff.next());
        }
      },
    });
  }

  /** The rooms on screen (full names) and their rate; replaces the previous set. */
  subscribe(rooms, fps) {
    this.#subscription = { type: 'subscribe', rooms, fps };
    this.#send(this.#subscription);
  }

  /** One room at full rate (null: none). */
  focus(room) {
    this.#focus = room;
    this.#send({ type: 'focus', room });
  }

  #send(msg) {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(msg));
  }

  #setStatus(status, message = '') {
    this.status = status;
    this.message = message;
    this.options.onStatus();
  }
}
