// A lean WebSocket client, so one generator thread can hold hundreds of sockets.
// It sends like the ESP32's arduinoWebSockets: one frame per message, masked with an
// all-zero key, header and payload in one corked write. Received binary messages are
// never buffered whole: only the first STAMP_HEAD_BYTES (where the stamp is) and the
// last two bytes (the JPEG's EOI) are kept. Pings are answered at once.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { READ_BUFFER } from './readBuffer.js';
import { FrameSample } from './frameSample.js';

interface RawWsHandlers {
  /** The 101 answer arrived. */
  onOpen?(): void;
  onText?(text: string): void;
  /** A complete binary message: its first bytes, its length, whether it ends with FF D9. */
  onBinary?(head: Buffer, length: number, endsWithEoi: boolean): void;
  /** Called once: close code from the server (1006 if none, 1002 on a protocol error, -status if the upgrade was refused). */
  onClose?(code: number, reason: string): void;
}

interface RawWsOptions {
  host: string;
  port: number;
  /** Path with query, e.g. /ingest/ws?app=live&room=cam1. */
  path: string;
  headers?: Record<string, string>;
}

const OP_CONT = 0;
const OP_TEXT = 1;
const OP_BINARY = 2;
const OP_CLOSE = 8;
const OP_PING = 9;

/** Frame header for a client message of `length` bytes with an all-zero mask key. */
export function clientFrameHeader(opcode: number, length: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, 0x80 | length, 0, 0, 0, 0]);
  if (length < 65536) return Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 255, 0, 0, 0, 0]);
  const h = Buffer.alloc(14);
  h[0] = 0x80 | opcode;
  h[1] = 0x80 | 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  return h;
}

export class RawWs {
  readonly socket: net.Socket;
  #open = false;
  #closed = false;
  readonly #h: RawWsHandlers;
  #handshake: Buffer | null = Buffer.alloc(0);
  // Frame parser state.
  readonly #hdr = Buffer.alloc(14);
  #hdrLen = 0;
  #remaining = -1;
  #opcode = 0;
  #fin = true;
  #msgOpcode = 0;
  readonly #sample = new FrameSample();
  #small: Buffer[] = [];

  constructor(options: RawWsOptions, handlers: RawWsHandlers) {
    this.#h = handlers;
    const socket = net.connect({
      host: options.host,
      port: options.port,
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => (this.#onData(buf as Buffer, n), true) },
    });
    this.socket = socket;
    const extra = Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(
      `GET ${options.path} HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n${extra}\r\n`,
    );
    socket.on('error', (err: NodeJS.ErrnoException) => this.#finish(1006, `socket error ${err.code ?? err.message}`));
    socket.on('close', () => this.#finish(1006, 'connection lost'));
  }

  get open(): boolean {
    return this.#open && !this.#closed;
  }

  /** Bytes queued in the socket (not yet taken by the kernel). */
  get buffered(): number {
    return this.socket.writableLength;
  }

  sendBinary(payload: Uint8Array): void {
    this.#send(OP_BINARY, payload);
  }

  /**
   * Writes a complete, already framed message (see clientFrameHeader). Returns true if
   * the kernel took all of it at once, so the caller may reuse the buffer.
   */
  sendFramed(frame: Buffer): boolean {
    if (!this.open) return true;
    this.socket.write(frame);
    return this.socket.writableLength === 0;
  }

  sendText(text: string): void {
    this.#send(OP_TEXT, Buffer.from(text));
  }

  #send(opcode: number, payload: Uint8Array): void {
    if (!this.open) return;
    const s = this.socket;
    s.cork();
    s.write(clientFrameHeader(opcode, payload.length));
    s.write(payload);
    s.uncork();
  }

  /** Sends a close frame and ends the socket (a camera powering off cleanly). */
  close(code = 1000): void {
    if (this.open) {
      const body = Buffer.alloc(2);
      body.writeUInt16BE(code);
      this.#send(OP_CLOSE, body);
    }
    this.socket.end();
    this.socket.destroySoon?.();
  }

  destroy(): void {
    this.socket.destroy();
  }

  #finish(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.destroy();
    this.#h.onClose?.(code, reason);
  }

  #onData(buf: Buffer, n: number): void {
    let chunk = buf.subarray(0, n);
    if (this.#handshake) {
      const all = Buffer.concat([this.#handshake, chunk]);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        this.#handshake = all;
        return;
      }
      this.#handshake = null;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(all.subarray(0, 16).toString('latin1'))?.[1] ?? 0);
      if (status !== 101) return this.#finish(-status, `upgrade refused: HTTP ${status}`);
      this.#open = true;
      this.#h.onOpen?.();
      chunk = all.subarray(end + 4);
    }
    let pos = 0;
    while (pos < chunk.length && !this.#closed) {
      if (this.#remaining < 0) {
        this.#hdr[this.#hdrLen++] = chunk[pos++]!;
        if (this.#hdrLen < 2) continue;
        const len7 = this.#hdr[1]! & 0x7f;
        if (this.#hdr[1]! & 0x80) return this.#finish(1002, 'masked server frame');
        const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
        if (this.#hdrLen < need) continue;
        this.#opcode = this.#hdr[0]! & 0x0f;
        this.#fin = (this.#hdr[0]! & 0x80) !== 0;
        this.#remaining = len7 === 126 ? this.#hdr.readUInt16BE(2) : len7 === 127 ? Number(this.#hdr.readBigUInt64BE(2)) : len7;
        this.#hdrLen = 0;
        if (this.#opcode !== OP_CONT && this.#opcode < 8) {
          this.#msgOpcode = this.#opcode;
          this.#sample.reset();
        }
        if (this.#remaining === 0) this.#endFrame();
        continue;
      }
      const n = Math.min(this.#remaining, chunk.length - pos);
      this.#payload(chunk, pos, n);
      pos += n;
      this.#remaining -= n;
      if (this.#remaining === 0) this.#endFrame();
    }
  }

  #payload(chunk: Buffer, pos: number, n: number): void {
    const keepWhole = this.#opcode >= 8 || this.#msgOpcode !== OP_BINARY;
    if (keepWhole) {
      this.#small.push(Buffer.from(chunk.subarray(pos, pos + n)));
      return;
    }
    this.#sample.add(chunk, pos, n);
  }

  #endFrame(): void {
    this.#remaining = -1;
    const op = this.#opcode;
    if (op >= 8) {
      const body = Buffer.concat(this.#small);
      this.#small = [];
      if (op === OP_PING) this.#send(0xa, body);
      else if (op === OP_CLOSE) {
        const code = body.length >= 2 ? body.readUInt16BE(0) : 1005;
        if (this.open) this.#send(OP_CLOSE, body.subarray(0, 2));
        this.#finish(code, body.subarray(2).toString());
      }
      return;
    }
    if (!this.#fin) return;
    if (this.#msgOpcode === OP_BINARY) {
      this.#h.onBinary?.(this.#sample.head, this.#sample.length, this.#sample.endsWithEoi);
    } else {
      const text = Buffer.concat(this.#small).toString();
      this.#small = [];
      this.#h.onText?.(text);
    }
  }
}
