// The two streaming viewers: an MJPEG reader (an NVR or an <img>) that parses every part
// of the multipart response, and a WebSocket viewer (the web player's feed). Both hand
// each frame to a FrameReceiver, which checks, deduplicates and times it.
import type { TargetAddress, ViewerSpec } from './messages.js';
import { roomName } from './messages.js';
import { HttpStream } from './httpStream.js';
import { MjpegParser } from './mjpegParser.js';
import { RawWs } from './rawWs.js';
import { FrameReceiver, type GeneratorState } from './state.js';

export interface BenchViewer {
  stop(): void;
  /** Room and the send time of the newest frame this viewer got (0: none yet). */
  status(): [index: number, lastSentAt: number];
}

export function connectViewer(target: TargetAddress, spec: ViewerSpec, state: GeneratorState): Promise<BenchViewer> {
  return spec.transport === 'mjpeg' ? mjpegViewer(target, spec, state) : wsViewer(target, spec, state);
}

/**
 * An MJPEG reader. With `reconnectMs` it behaves like a player: after the stream ends or a
 * request is refused (the room is offline while its camera moves to another node), it
 * asks again after that delay, with the same accounting (one viewer, sequence numbers go on).
 */
function mjpegViewer(target: TargetAddress, spec: ViewerSpec, state: GeneratorState): Promise<BenchViewer> {
  return new Promise((resolve, reject) => {
    const path = `/live/${target.app}/${roomName(spec.index)}/mjpeg`;
    let receiver: FrameReceiver | null = null;
    let stream: HttpStream | null = null;
    let retry: NodeJS.Timeout | null = null;
    let stopped = false;
    const viewer: BenchViewer = {
      stop: () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        stream?.close();
      },
      status: () => [spec.index, receiver?.lastSentAt ?? 0],
    };
    const connect = (): void => {
      let streaming = false;
      const parser = new MjpegParser({
        onPart: (head, length, eoi) => receiver?.frame(head, length, eoi),
        onError: () => {
          state.errors.bad++;
          stream?.close();
        },
      });
      stream = new HttpStream(target.host, target.port, path, {
        onHead: (status, headers) => {
          if (status !== 200 || !headers['content-type']?.startsWith('multipart/x-mixed-replace')) {
            if (!receiver) reject(new Error(`MJPEG ${path}: HTTP ${status} ${headers['content-type']}`));
            return false;
          }
          streaming = true;
          state.counters.viewers++;
          if (!receiver) {
            receiver = new FrameReceiver(state, 'mjpeg', spec.index);
            resolve(viewer);
          }
          return true;
        },
        onBody: (buf, start, end) => parser.push(buf, start, end),
        onClose: (reason) => {
          if (!receiver) return reject(new Error(`MJPEG ${path}: ${reason}`));
          if (streaming) {
            state.counters.viewers--;
            if (!state.stopping) state.errors.viewerCloses++;
            state.note('mjpeg viewer', reason);
          }
          if (spec.reconnectMs && !stopped && !state.stopping) retry = setTimeout(connect, spec.reconnectMs);
          else if (streaming) receiver.detach();
        },
      });
    };
    connect();
  });
}

function wsViewer(target: TargetAddress, spec: ViewerSpec, state: GeneratorState): Promise<BenchViewer> {
  return new Promise((resolve, reject) => {
    const q = new URLSearchParams({ app: target.app, room: roomName(spec.index) });
    let receiver: FrameReceiver | null = null;
    const ws: RawWs = new RawWs(
      { host: target.host, port: target.port, path: `/live/ws?${q}` },
      {
        onOpen: () => {
          receiver = new FrameReceiver(state, 'ws', spec.index);
          state.counters.viewers++;
          resolve({ stop: () => ws.close(1000), status: () => [spec.index, receiver?.lastSentAt ?? 0] });
        },
        onBinary: (head, length, eoi) => receiver?.frame(head, length, eoi),
        onClose: (code, reason) => {
          if (!receiver) return reject(new Error(`WS viewer ${roomName(spec.index)}: ${code} ${reason}`));
          state.counters.viewers--;
          receiver.detach();
          if (!state.stopping) state.errors.viewerCloses++;
          state.note('ws viewer', `${code} ${reason}`);
        },
      },
    );
  });
}
