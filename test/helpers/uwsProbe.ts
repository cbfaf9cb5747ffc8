// Child-process probe of one uWebSockets.js build (test/uws.test.ts): loads the build with
// framehub's loader and prints one JSON line. One build per process, so two native builds
// never share an address space.
//   node dist/test/helpers/uwsProbe.js BUILD surface    methods of the module, App, HttpResponse,
//                                                       HttpRequest and WebSocket objects
//   node dist/test/helpers/uwsProbe.js BUILD quirks     the behaviours framehub works around
//   node dist/test/helpers/uwsProbe.js BUILD idle N     creates a ws route with idleTimeout N
import net from 'node:net';
import WebSocket from 'ws';
import { loadUws, type UwsBuildChoice } from '../../src/worker/uws.js';

const [build, probe, arg] = process.argv.slice(2) as [UwsBuildChoice, string, string | undefined];

function print(result: unknown): never {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

let loaded: ReturnType<typeof loadUws>;
try {
  loaded = loadUws(build);
} catch (err) {
  print({ loaded: false, error: { name: (err as Error).name, message: (err as Error).message } });
}
const { uws, info } = loaded;

/** Own and inherited method names of a native object (prototype chain up to Object). */
function methods(o: object): string[] {
  const out = new Set<string>();
  for (let p: object | null = o; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) if (typeof (o as Record<string, unknown>)[k] === 'function' && k !== 'constructor') out.add(k);
  }
  return [...out].sort();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function listen(app: ReturnType<typeof uws.App>): Promise<{ port: number; close: () => void }> {
  return new Promise((resolve, reject) =>
    app.listen('127.0.0.1', 0, (ls) => (ls ? resolve({ port: uws.us_socket_local_port(ls), close: () => uws.us_listen_socket_close(ls) }) : reject(new Error('listen failed')))),
  );
}

async function surface(): Promise<void> {
  const app = uws.App();
  const seen: Record<string, string[]> = { module: Object.keys(uws).filter((k) => typeof (uws as Record<string, unknown>)[k] === 'function').sort(), app: methods(app) };
  app.get('/x', (res, req) => {
    seen.response = methods(res);
    seen.request = methods(req);
    res.end('ok');
  });
  app.ws('/ws', {
    open: (ws) => {
      seen.websocket = methods(ws);
      ws.end(1000);
    },
  });
  const l = await listen(app);
  await (await fetch(`http://127.0.0.1:${l.port}/x`)).text();
  const c = new WebSocket(`ws://127.0.0.1:${l.port}/ws`);
  await new Promise((r) => c.on('close', r).on('error', r));
  l.close();
  (app as unknown as { close(): void }).close();
  print({ loaded: true, info, surface: seen });
}

/** Raw handshake with `Connection: close`, upgraded 20 ms later inside res.cork (uNetworking/uWebSockets#1928). */
async function asyncUpgradeConnectionClose(port: number): Promise<{ upgraded: boolean; helloReceived: boolean; closedByServer: boolean }> {
  const sock = net.connect(port, '127.0.0.1');
  let got = Buffer.alloc(0);
  let closed = false;
  sock.on('data', (d) => (got = Buffer.concat([got, d])));
  sock.on('close', () => (closed = true));
  sock.on('error', () => {});
  await new Promise((r) => sock.once('connect', r));
  sock.write('GET /async HTTP/1.1\r\nHost: probe\r\nUpgrade: websocket\r\nConnection: close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  // Wait for the answer (however slow the machine), then a moment for a close to follow.
  for (let waited = 0; waited < 15_000 && !closed && !got.includes('hello'); waited += 20) await sleep(20);
  await sleep(300);
  const text = got.toString('latin1');
  sock.destroy();
  return { upgraded: text.startsWith('HTTP/1.1 101'), helloReceived: text.includes('hello'), closedByServer: closed };
}

/** The status line uWS answers to a raw request, or 'closed' when it just drops the connection. */
async function rawAnswer(port: number, request: string): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  let got = '';
  sock.on('data', (d) => (got += d.toString('latin1')));
  sock.on('error', () => {});
  await new Promise((r) => sock.once('connect', r));
  sock.write(request, 'latin1');
  // Until a status line or the close (no fixed wait: a loaded machine may be slow).
  await new Promise((r) => {
    sock.once('close', r);
    sock.on('data', () => got.includes('\r\n') && r(null));
    setTimeout(r, 15_000);
  });
  sock.destroy();
  return got ? got.split('\r\n')[0]! : 'closed';
}

function closeOf(url: string, onMessage?: (m: string) => void): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    const c = new WebSocket(url);
    c.on('message', (m) => onMessage?.(m.toString()));
    c.on('error', () => {});
    c.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

async function quirks(): Promise<void> {
  const app = uws.App();
  app.ws('/async', {
    upgrade: (res, req, context) => {
      const key = req.getHeader('sec-websocket-key');
      const ext = req.getHeader('sec-websocket-extensions');
      let aborted = false;
      res.onAborted(() => (aborted = true));
      setTimeout(() => {
        if (!aborted) res.cork(() => res.upgrade({}, key, '', ext, context));
      }, 20);
    },
    open: (ws) => void ws.send('hello'),
  });
  app.ws('/end', { open: (ws) => void ws.cork(() => (ws.send('{"type":"error","code":"4409"}'), ws.end(4409, 'replaced'))) });
  app.ws('/close', { open: (ws) => ws.close() });
  app.ws('/small', { maxPayloadLength: 1024, message: () => {} });
  const l = await listen(app);
  const base = `ws://127.0.0.1:${l.port}`;
  const garbage = await rawAnswer(l.port, '\u0001\u00ffgarbage /x\r\nHost: probe\r\n\r\n');
  const badVersion = await rawAnswer(l.port, 'GET /x HTTP/9.9\r\nHost: probe\r\n\r\n');
  const attempts = [];
  for (let i = 0; i < 3; i++) attempts.push(await asyncUpgradeConnectionClose(l.port));
  let errorText = '';
  const ended = await closeOf(`${base}/end`, (m) => (errorText = m));
  const abrupt = await closeOf(`${base}/close`);
  const oversize = await new Promise<{ code: number }>((resolve) => {
    const c = new WebSocket(`${base}/small`);
    c.on('open', () => c.send(Buffer.alloc(4096)));
    c.on('error', () => {});
    c.on('close', (code) => resolve({ code }));
  });
  l.close();
  (app as unknown as { close(): void }).close();
  print({
    loaded: true,
    info,
    quirks: {
      asyncUpgradeConnectionClose: attempts,
      corkedEnd: { ...ended, errorText },
      wsClose: abrupt,
      overMaxPayloadLength: oversize,
      garbageRequestLine: garbage,
      badHttpVersion: badVersion,
    },
  });
}

/** An App with a ws route of idleTimeout N; reports whether this process survives creating and serving it. */
async function idle(n: number): Promise<void> {
  const app = uws.App();
  app.ws('/idle', { idleTimeout: n, sendPingsAutomatically: false });
  const l = await listen(app);
  const c = new WebSocket(`ws://127.0.0.1:${l.port}/idle`);
  await new Promise((r) => c.on('open', r).on('error', r));
  c.terminate();
  l.close();
  (app as unknown as { close(): void }).close();
  print({ loaded: true, info, idle: { idleTimeout: n, survived: true } });
}

if (probe === 'surface') await surface();
else if (probe === 'quirks') await quirks();
else if (probe === 'idle') await idle(Number(arg));
else throw new Error(`unknown probe ${probe}`);
