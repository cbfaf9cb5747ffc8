// The baseline: the relay most ESP32-CAM tutorials build, raced against framehub in the
// same run. `ws` for camera ingest, `node:http` for MJPEG, one thread, the latest frame
// per camera in a Map; every frame is written to every viewer as it arrives (three writes
// per MJPEG part, no backpressure), like the tutorials do. It speaks framehub's URL
// layout so the same generators drive it:
//   /ingest/ws?app=&room=            any key accepted; sends a `ready` text so the bench
//                                    camera (which waits for it, like the firmware) starts
//   /live/<app>/<room>/mjpeg         multipart/x-mixed-replace; boundary=frame
//   /live/<app>/<room>/frame.jpg     the latest frame (no ETag)
//   /live/ws?app=&room=              one binary message per JPEG
//   /healthz
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

interface Room {
  frame: Buffer | null;
  mjpeg: Set<http.ServerResponse>;
  ws: Set<WebSocket>;
}

export function createBaselineRelay(): http.Server {
  const rooms = new Map<string, Room>();
  const room = (app: string, name: string): Room => {
    const key = `${app}/${name}`;
    let r = rooms.get(key);
    if (!r) rooms.set(key, (r = { frame: null, mjpeg: new Set(), ws: new Set() }));
    return r;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/live\/([^/]+)\/([^/]+)\/(mjpeg|frame\.jpg)$/.exec(url.pathname);
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    } else if (m?.[3] === 'mjpeg') {
      const r = room(m[1]!, m[2]!);
      res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame', 'Cache-Control': 'no-cache' });
      if (r.frame) writePart(res, r.frame);
      r.mjpeg.add(res);
      req.on('close', () => r.mjpeg.delete(res));
    } else if (m?.[3] === 'frame.jpg') {
      const frame = room(m[1]!, m[2]!).frame;
      if (frame) res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': frame.length }).end(frame);
      else res.writeHead(404).end();
    } else {
      res.writeHead(404).end();
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const app = url.searchParams.get('app') ?? 'live';
    const name = url.searchParams.get('room') ?? '';
    if (url.pathname !== '/ingest/ws' && url.pathname !== '/live/ws') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      const r = room(app, name);
      if (url.pathname === '/live/ws') {
        r.ws.add(ws);
        if (r.frame) ws.send(r.frame);
        ws.on('close', () => r.ws.delete(ws));
        return;
      }
      ws.send(JSON.stringify({ type: 'ready', room: `${app}-${name}` }));
      ws.on('message', (data: Buffer, isBinary) => {
        if (!isBinary) return;
        r.frame = data;
        for (const viewer of r.mjpeg) writePart(viewer, data);
        for (const viewer of r.ws) viewer.send(data);
      });
    });
  });
  return server;
}

function writePart(res: http.ServerResponse, frame: Buffer): void {
  res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${frame.length}\r\n\r\n`);
  res.write(frame);
  res.write('\r\n');
}
