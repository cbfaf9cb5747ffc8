// Test clients: a raw camera socket (for exact control of what is sent), an MJPEG reader
// that parses every part and checks its Content-Length and JPEG bytes, and a WS viewer.
import http from 'node:http';
import https from 'node:https';
import WebSocket from 'ws';
import { isJpeg } from '../../src/jpeg.js';

export interface RawCamera {
  ws: WebSocket;
  messages: any[];
  /** Socket errors the client saw (a protocol error or a reset), for failure messages. */
  errors: string[];
  closed: Promise<{ code: number; reason: string }>;
  ready: Promise<any>;
}

/** Opens a camera socket with header auth (or `?key=` when queryKey). */
export function rawCamera(port: number, opts: { app?: string; room: string; key?: string | null; queryKey?: boolean; protocol?: string; autoPong?: boolean; extraQuery?: string }): RawCamera {
  const q = new URLSearchParams({ app: opts.app ?? 'live', room: opts.room });
  if (opts.queryKey && opts.key) q.set('key', opts.key);
  const headers: Record<string, string> = {};
  if (!opts.queryKey && opts.key) headers.Authorization = `Bearer ${opts.key}`;
  const url = `ws://127.0.0.1:${port}/ingest/ws?${q}${opts.extraQuery ?? ''}`;
  const ws = new WebSocket(url, opts.protocol ?? [], { headers, autoPong: opts.autoPong ?? true, perMessageDeflate: false });
  const messages: any[] = [];
  let readyResolve!: (m: any) => void;
  let readyReject!: (e: Error) => void;
  const ready = new Promise<any>((resolve, reject) => ((readyResolve = resolve), (readyReject = reject)));
  ready.catch(() => {}); // awaited by the tests that expect it; others only await `closed`
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const m = JSON.parse(data.toString());
    messages.push(m);
    if (m.type === 'ready') readyResolve(m);
  });
  const errors: string[] = [];
  ws.on('error', (err) => errors.push(String(err)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      readyReject(new Error(`camera ${opts.room} closed ${code} ${reason} before ready: ${JSON.stringify(messages)}`));
      resolve({ code, reason: reason.toString() });
    }),
  );
  return { ws, messages, errors, closed, ready };
}

export interface MjpegPart {
  headers: Record<string, string>;
  body: Buffer;
  /** performance.now() when the part was complete. */
  at: number;
}

export interface MjpegReader {
  status: number;
  headers: http.IncomingHttpHeaders;
  parts: MjpegPart[];
  /** Resolves when `n` parts have arrived in total. */
  waitParts(n: number, timeoutMs?: number): Promise<MjpegPart[]>;
  ended: Promise<void>;
  close(): void;
  /** Stop reading from the socket (a viewer that stalls). */
  pause(): void;
  resume(): void;
}

/**
 * GETs an MJPEG URL and parses the multipart stream strictly: every part must start with
 * the boundary, carry Content-Type image/jpeg and a Content-Length matching the JPEG.
 * https:// URLs use `ca`; `localAddress` picks the client address (e.g. 127.0.0.2).
 */
export function mjpegReader(url: string, opts: { ca?: Buffer; localAddress?: string } = {}): Promise<MjpegReader> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { agent: false, ...opts }, (res) => {
      const parts: MjpegPart[] = [];
      const waiters: { n: number; resolve: (p: MjpegPart[]) => void }[] = [];
      let buf = Buffer.alloc(0);
      let errored: Error | null = null;
      const fail = (msg: string): void => {
        errored = new Error(msg);
        res.destroy(errored);
      };
      const parse = (): void => {
        for (;;) {
          if (!buf.subarray(0, 9).equals(Buffer.from('--frame\r\n').subarray(0, Math.min(9, buf.length)))) return fail(`part does not start with the boundary: ${JSON.stringify(buf.subarray(0, 40).toString('latin1'))}`);
          const headerEnd = buf.indexOf('\r\n\r\n');
          if (headerEnd < 0) return;
          const headerLines = buf.subarray(9, headerEnd).toString('latin1').split('\r\n');
          const headers: Record<string, string> = {};
          for (const line of headerLines) {
            const i = line.indexOf(':');
            headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
          }
          const len = Number(headers['content-length']);
          if (!Number.isInteger(len) || len <= 0) return fail(`bad Content-Length ${headers['content-length']}`);
          if (headers['content-type'] !== 'image/jpeg') return fail(`bad part Content-Type ${headers['content-type']}`);
          const bodyStart = headerEnd + 4;
          if (buf.length < bodyStart + len + 2) return;
          const body = Buffer.from(buf.subarray(bodyStart, bodyStart + len));
          if (!isJpeg(body)) return fail('part body is not a complete JPEG');
          if (buf.subarray(bodyStart + len, bodyStart + len + 2).toString() !== '\r\n') return fail('no CRLF after the JPEG');
          buf = buf.subarray(bodyStart + len + 2);
          parts.push({ headers, body, at: performance.now() });
          for (const w of [...waiters]) {
            if (parts.length >= w.n) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(parts.slice());
            }
          }
        }
      };
      res.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (!errored) parse();
      });
      const ended = new Promise<void>((r) => {
        res.on('end', () => r());
        res.on('close', () => r());
        res.on('error', () => r());
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        parts,
        ended,
        waitParts(n, timeoutMs = 5000) {
          if (errored) return Promise.reject(errored);
          if (parts.length >= n) return Promise.resolve(parts.slice());
          return new Promise((res2, rej) => {
            const t = setTimeout(() => rej(errored ?? new Error(`only ${parts.length} of ${n} MJPEG parts after ${timeoutMs} ms`)), timeoutMs);
            waiters.push({ n, resolve: (p) => (clearTimeout(t), res2(p)) });
          });
        },
        close: () => req.destroy(),
        pause: () => res.pause(),
        resume: () => res.resume(),
      });
    });
    req.on('error', reject);
  });
}

export interface WsViewerClient {
  ws: WebSocket;
  frames: Buffer[];
  texts: any[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  waitFrames(n: number, timeoutMs?: number): Promise<Buffer[]>;
}

export function wsViewer(port: number, app: string, room: string, token?: string): WsViewerClient {
  const q = new URLSearchParams({ app, room });
  if (token) q.set('token', token);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/live/ws?${q}`, { perMessageDeflate: false });
  const frames: Buffer[] = [];
  const texts: any[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      frames.push(data as Buffer);
      for (const w of [...waiters]) if (frames.length >= w.n) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
    } else texts.push(JSON.parse(data.toString()));
  });
  ws.on('error', () => {});
  const opened = new Promise<void>((r) => ws.once('open', () => r()));
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
  return {
    ws, frames, texts, opened, closed,
    waitFrames(n, timeoutMs = 5000) {
      if (frames.length >= n) return Promise.resolve(frames.slice());
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`only ${frames.length} of ${n} WS frames after ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(t), resolve(frames.slice())) });
      });
    },
  };
}
