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
}

export function connectViewer(target: TargetAddress, spec: ViewerSpec, state: GeneratorState): Promise<BenchViewer> {
  return spec.transport === 'mjpeg' ? mjpegViewer(target, spec, state) : wsViewer(target, spec, state);
}

function mjpegViewer(target: TargetAddress, spec: ViewerSpec, state: GeneratorState): Promise<BenchViewer> {
  return new Promise((resolve, reject) => {
    const path = `/live/${target.app}/${roomName(spec.index)}/mjpeg`;
    let receiver: FrameReceiver | null = null;
    const parser = new MjpegParser({
      onPart: (head, length, eoi) => receiver?.frame(head, length, eoi),
      onError: () => {
        state.errors.bad++;
        stream.close();
      },
    });
    const stream: HttpStream = new HttpStream(target.host, target.port, path, {
      onHead: (status, headers) => {
        if (status !== 200 || !headers['content-type']?.startsWith('multipart/x-mixed-replace')) {
          reject(new Error(`MJPEG ${path}: HTTP ${status} ${headers['content-type']}`));
          return false;
        }
        receiver = new FrameReceiver(state, 'mjpeg', spec.index);
        state.counters.viewers++;
        resolve({ stop: () => stream.close() });
        return true;
      },
      onBody: (buf, start, end) => parser.push(buf, start, end),
      onClose: (reason) => {
        if (!receiver) return reject(new Error(`MJPEG ${path}: ${reason}`));
        state.counters.viewers--;
        receiver.detach();
        if (!state.stopping) state.errors.viewerCloses++;
        state.note('mjpeg viewer', reason);
      },
    });
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
          resolve({ stop: () => ws.close(1000) });
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
