// The two streaming viewers: an MJPEG reader (an NVR or an <img>) that parses every part
// of the multipart response, and a WebSocket viewer (the web player's feed). Both hand
// each frame to a FrameReceiver, which checks, deduplicates and times it.
import http from 'node:http';
import type { TargetAddress, ViewerSpec } from './messages.js';
import { roomName } from './messages.js';
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
    const url = `http://${target.host}:${target.port}/live/${target.app}/${roomName(spec.index)}/mjpeg`;
    const req = http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('multipart/x-mixed-replace')) {
        res.resume();
        return reject(new Error(`MJPEG ${url}: HTTP ${res.statusCode} ${res.headers['content-type']}`));
      }
      res.socket.setNoDelay(true);
      const receiver = new FrameReceiver(state, 'mjpeg', spec.index);
      const parser = new MjpegParser({
        onPart: (head, length, eoi) => receiver.frame(head, length, eoi),
        onError: () => {
          state.errors.bad++;
          req.destroy();
        },
      });
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        state.counters.viewers--;
        receiver.detach();
        if (!state.stopping) state.errors.viewerCloses++;
      };
      res.on('data', (chunk: Buffer) => parser.push(chunk));
      res.on('end', end);
      res.on('close', end);
      res.on('error', end);
      state.counters.viewers++;
      resolve({ stop: () => req.destroy() });
    });
    req.on('error', reject);
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
        },
      },
    );
  });
}
