// Raw sockets for the fuzzer: send arbitrary bytes as an HTTP request and classify the
// answer (HTTP status, WebSocket close code, or a silent close), and hand-made WebSocket
// frames (fragments, bad opcodes, any mask) after a valid handshake.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export interface RawAnswer {
  /** HTTP status of the answer, if one came. */
  status: number | null;
  /** Close code of a WebSocket close frame, if the answer was 101 and a close followed. */
  closeCode: number | null;
  /** Text messages received (after a 101). */
  texts: string[];
  /** The server closed the TCP connection (or it was idle for `timeoutMs`). */
  ended: 'closed' | 'timeout';
}

/** Parses server-to-client WebSocket frames (unmasked) out of `buf`. */
export function parseFrames(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let i = 0;
  while (buf.length - i >= 2) {
    const opcode = buf[i]! & 0x0f;
    let len = buf[i + 1]! & 0x7f;
    let off = i + 2;
    if (len === 126) {
      if (buf.length < off + 2) break;
      len = buf.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      if (buf.length < off + 8) break;
      len = Number(buf.readBigUInt64BE(off));
      off += 8;
    }
    if (buf.length < off + len) break;
    frames.push({ opcode, payload: buf.subarray(off, off + len) });
    i = off + len;
  }
  return { frames, rest: buf.subarray(i) };
}

/** Sends `request` (and then `after` frames once a 101 arrived) and collects the answer. */
export function rawExchange(port: number, request: Buffer | string, after: Buffer[] = [], timeoutMs = 800): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf: Buffer = Buffer.alloc(0);
    let status: number | null = null;
    let closeCode: number | null = null;
    const texts: string[] = [];
    let upgraded = false;
    let done = false;
    const finish = (ended: RawAnswer['ended']): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ status, closeCode, texts, ended });
    };
    let timer = setTimeout(() => finish('timeout'), timeoutMs);
    sock.on('error', () => finish('closed'));
    sock.on('close', () => finish('closed'));
    sock.on('connect', () => sock.write(request));
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (status === null) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buf.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        buf = buf.subarray(end + 4);
        if (status === 101) {
          upgraded = true;
          for (const f of after) sock.write(f);
          clearTimeout(timer);
          timer = setTimeout(() => finish('timeout'), timeoutMs);
        } else {
          // A plain HTTP answer: wait for its body, then we are done.
          setTimeout(() => finish('closed'), 50);
        }
      }
      if (!upgraded) return;
      const { frames, rest } = parseFrames(buf);
      buf = rest;
      for (const f of frames) {
        if (f.opcode === 1) texts.push(f.payload.toString('utf8'));
        if (f.opcode === 8) {
          closeCode = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
          finish('closed');
        }
      }
    });
  });
}

/** A client-to-server frame (masked, as clients must; `mask` may be all zeros like the ESP32's). */
export function frame(opcode: number, payload: Buffer, opts: { fin?: boolean; mask?: Buffer } = {}): Buffer {
  const fin = opts.fin ?? true;
  const mask = opts.mask ?? randomBytes(4);
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (len < 126) head[1] = 0x80 | len;
  else if (len < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, mask, masked]);
}

export function upgradeRequest(path: string, headers: Record<string, string> = {}): string {
  const base: Record<string, string> = {
    Host: '127.0.0.1',
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    ...headers,
  };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(base).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}
