// The floor of the frame path on uWebSockets.js: one thread, no checks, no metrics, no
// shared memory. Each binary message is written at once to the room's MJPEG responses
// (one corked write: part header + JPEG + boundary) and WS viewers; frame.jpg answers the
// latest copy. It speaks the baseline's URL layout. Not a product: it shows how much of
// framehub's CPU per frame is uWS and the kernel, and how much is framehub.
// The bench's `floor` target (`--target framehub,baseline,floor`); alone:
// `PORT=0 node dist/bench/baseline/uwsFloor.js` prints `floor listening on <host>:<port>`.
import type * as UWS from 'uWebSockets.js';
import { loadUws } from '../../src/worker/uws.js';

// The same native build framehub would load here (never the pure-JS fallback).
const uWS = loadUws().uws;

interface Room {
  frame: Buffer | null;
  mjpeg: Set<UWS.HttpResponse>;
  ws: Set<UWS.WebSocket<unknown>>;
}
const rooms = new Map<string, Room>();
const room = (app: string, name: string): Room => {
  const key = `${app}/${name}`;
  let r = rooms.get(key);
  if (!r) rooms.set(key, (r = { frame: null, mjpeg: new Set(), ws: new Set() }));
  return r;
};
const TRAILER = Buffer.from('\r\n--frame\r\n');
const part = (frame: Buffer): Buffer => Buffer.concat([Buffer.from(`Content-Type: image/jpeg\r\nContent-Length: ${frame.length}\r\n\r\n`), frame, TRAILER]);

const pending = new Set<Room>();
let flushing = false;
function flush(): void {
  flushing = false;
  for (const r of pending) {
    const frame = r.frame!;
    if (r.mjpeg.size) {
      const p = part(frame);
      for (const res of r.mjpeg) res.cork(() => res.write(p));
    }
    for (const v of r.ws) v.send(frame, true);
  }
  pending.clear();
}

interface Data { app: string; room: string; viewer: boolean }
const host = process.env.HOST ?? '127.0.0.1';
uWS.App()
  .ws<Data>('/*', {
    maxPayloadLength: 4 * 1024 * 1024,
    idleTimeout: 0,
    upgrade: (res, req, ctx) => {
      const q = new URLSearchParams(req.getQuery() ?? '');
      const data: Data = { app: q.get('app') ?? 'live', room: q.get('room') ?? '', viewer: req.getUrl() === '/live/ws' };
      res.upgrade(data, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol').split(',')[0]!.trim(), req.getHeader('sec-websocket-extensions'), ctx);
    },
    open: (ws) => {
      const d = ws.getUserData();
      const r = room(d.app, d.room);
      if (d.viewer) {
        r.ws.add(ws);
        if (r.frame) ws.send(r.frame, true);
      } else ws.send(JSON.stringify({ type: 'ready', room: `${d.app}-${d.room}` }));
    },
    message: (ws, message, isBinary) => {
      const d = ws.getUserData();
      if (d.viewer || !isBinary) return;
      const r = room(d.app, d.room);
      r.frame = Buffer.from(message.slice(0));
      // Fan out after this turn's reads: inside the handler uWS keeps the camera corked,
      // and a viewer write could not be corked.
      pending.add(r);
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
    },
    close: (ws) => {
      const d = ws.getUserData();
      if (d.viewer) room(d.app, d.room).ws.delete(ws);
    },
  })
  .get('/healthz', (res) => void res.end('ok'))
  .get('/live/:app/:room/mjpeg', (res, req) => {
    const r = room(req.getParameter(0), req.getParameter(1));
    res.onAborted(() => r.mjpeg.delete(res));
    res.cork(() => {
      res.writeStatus('200 OK').writeHeader('Content-Type', 'multipart/x-mixed-replace; boundary=frame').write('--frame\r\n');
      if (r.frame) res.write(part(r.frame));
    });
    r.mjpeg.add(res);
  })
  .get('/live/:app/:room/frame.jpg', (res, req) => {
    const frame = room(req.getParameter(0), req.getParameter(1)).frame;
    res.cork(() => (frame ? res.writeHeader('Content-Type', 'image/jpeg').end(frame) : res.writeStatus('404 Not Found').end()));
  })
  .any('/*', (res) => void res.writeStatus('404 Not Found').end())
  .listen(host, Number(process.env.PORT ?? 0), (ls) => {
    if (!ls) process.exit(1);
    process.stderr.write(`floor listening on ${host}:${uWS.us_socket_local_port(ls)}\n`);
  });
process.on('SIGTERM', () => process.exit(0));
