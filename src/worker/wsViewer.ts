// WebSocket viewers: `/live/ws?app=&room=`. One binary message per JPEG; text messages
// only for state: `{"type":"hello",...}` on open, `{"type":"state","state":"away"|"live"}`
// when the camera leaves or returns within the grace period. When the room ends the
// socket closes with 4404 `stream_ended` (1001 `going_away` at shutdown). A viewer with
// anything still buffered skips frames and gets the newest one on drain. Pinged by its
// sweep (the hub's, once a second) on ping rounds.
import type { WebSocket } from 'uWebSockets.js';
import type { RoomInfo } from '../protocol.js';
import type { AccessResult } from './directory.js';
import type { OutgoingFrame, Viewer, ViewerEnd } from './hub.js';
import { closeWithError, pingOrDrop } from './sockets.js';
import type { ViewerSocketState } from './viewerSocket.js';

const END_DETAIL: Record<ViewerEnd, string> = {
  stream_ended: 'the camera did not come back within the grace period',
  going_away: 'server shutting down',
};

/** Per-socket data of a WS viewer. */
export interface ViewerSocketData extends ViewerSocketState {
  kind: 'viewer';
  access: AccessResult;
  ip: string;
  viewer: WsViewer | null;
  openedAt: number;
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

  end(reason: ViewerEnd): void {
    if (this.#closed) return;
    this.#closed = true;
    closeWithError(this.#ws, reason, END_DETAIL[reason]);
  }

  sweep(_now: number, pingRound: boolean): void {
    if (pingRound && !this.#closed) pingOrDrop(this.#ws);
  }

  /** The socket closed; stop using it. */
  closed(): void {
    this.#closed = true;
  }
}
