// WebSocket viewers: `/live/ws?app=&room=`. One binary message per JPEG; text messages
// only for state: `{"type":"hello",...}` on open, `{"type":"state","state":"away"|"live"}`
// when the camera leaves or returns within the grace period. When the room ends the
// socket closes with 4404 `stream_ended`. A viewer with anything still buffered skips
// frames and gets the newest one on drain.
import type { WebSocket } from 'uWebSockets.js';
import type { RoomInfo } from '../protocol.js';
import type { AccessResult } from './directory.js';
import type { OutgoingFrame, Viewer } from './hub.js';
import { closeWithError, type SocketState } from './sockets.js';

/** Per-socket data of a WS viewer. */
export interface ViewerSocketData extends SocketState {
  kind: 'viewer';
  access: AccessResult;
  ip: string;
  viewer: WsViewer | null;
  openedAt: number;
  /** Gives back the viewer's place under the viewer limits. */
  release: (() => void) | null;
  /** Forgets the play-token session (set when the app is private). */
  forgetSession: (() => void) | null;
}

export class WsViewer implements Viewer {
  readonly transport = 'ws' as const;
  lastSeq = 0;
  #closed = false;
  readonly #ws: WebSocket<ViewerSocketData>;

  constructor(ws: WebSocket<ViewerSocketData>) {
    this.#ws = ws;
  }

  hello(info: RoomInfo): void {
    this.#ws.send(JSON.stringify({ type: 'hello', room: info.room, streamId: info.streamId, streamType: 'ws-mjpeg', state: info.state }), false);
  }

  deliver(frame: OutgoingFrame): boolean {
    if (this.#closed || this.#ws.getBufferedAmount() > 0) return false;
    this.#ws.send(frame.jpeg, true);
    this.lastSeq = frame.seq;
    return true;
  }

  roomState(state: RoomInfo['state']): void {
    if (!this.#closed) this.#ws.send(JSON.stringify({ type: 'state', state }), false);
  }

  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeWithError(this.#ws, 'stream_ended', 'the camera did not come back within the grace period');
  }

  /** The socket closed; stop using it. */
  closed(): void {
    this.#closed = true;
  }
}
