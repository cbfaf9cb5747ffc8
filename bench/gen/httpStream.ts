// A minimal HTTP/1.1 client for one long streaming GET (an MJPEG viewer): sends the
// request, parses the status line and headers, then hands the body on piece by piece,
// undoing chunked transfer encoding if the server used it. Reads land in the thread's
// shared buffer; nothing is copied except the response head.
import net from 'node:net';
import { READ_BUFFER } from './readBuffer.js';

interface HttpStreamHandlers {
  /** The response head; return false to drop the connection. */
  onHead(status: number, headers: Record<string, string>): boolean;
  onBody(buf: Buffer, start: number, end: number): void;
  /** Called once, when the connection is gone (reason says why). */
  onClose(reason: string): void;
}

const enum Chunk {
  Size,
  Data,
  DataEnd,
}

export class HttpStream {
  readonly socket: net.Socket;
  readonly #h: HttpStreamHandlers;
  #head: Buffer | null = Buffer.alloc(0);
  #chunked = false;
  #state = Chunk.Size;
  #size = 0;
  #sizeDigits = 0;
  #inExtension = false;
  #crlfLeft = 0;
  #closed = false;

  constructor(host: string, port: number, path: string, handlers: HttpStreamHandlers) {
    this.#h = handlers;
    this.socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => (this.#onData(buf as Buffer, n), true) },
    });
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: multipart/x-mixed-replace, image/jpeg\r\nUser-Agent: framehub-bench\r\n\r\n`);
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.#finish(`socket error ${err.code ?? err.message}`));
    this.socket.on('close', () => this.#finish('connection closed'));
    this.socket.on('end', () => this.#finish('response ended'));
  }

  close(): void {
    this.socket.destroy();
  }

  #finish(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.destroy();
    this.#h.onClose(reason);
  }

  #onData(buf: Buffer, n: number): void {
    if (this.#head) {
      const all = Buffer.concat([this.#head, buf.subarray(0, n)]);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) {
        this.#head = all;
        return;
      }
      this.#head = null;
      const lines = all.toString('latin1', 0, end).split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      this.#chunked = /chunked/i.test(headers['transfer-encoding'] ?? '');
      if (!this.#h.onHead(status, headers)) return this.#finish(`HTTP ${status}`);
      // The rest of this read is body; it now lives in `all`, a copy.
      return this.#body(all, end + 4, all.length);
    }
    this.#body(buf, 0, n);
  }

  #body(buf: Buffer, start: number, end: number): void {
    if (!this.#chunked) return this.#h.onBody(buf, start, end);
    let pos = start;
    while (pos < end && !this.#closed) {
      switch (this.#state) {
        case Chunk.Size: {
          const b = buf[pos++]!;
          if (b === 0x0a) {
            if (this.#sizeDigits === 0) continue; // the CRLF that ends the previous chunk
            if (this.#size === 0) return this.#finish('response ended');
            this.#state = Chunk.Data;
          } else if (b === 0x3b) {
            this.#inExtension = true;
          } else if (b !== 0x0d && !this.#inExtension) {
            const d = b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x57;
            if (d < 0 || d > 15) return this.#finish('bad chunk size');
            this.#size = this.#size * 16 + d;
            this.#sizeDigits++;
          }
          break;
        }
        case Chunk.Data: {
          const take = Math.min(this.#size, end - pos);
          this.#h.onBody(buf, pos, pos + take);
          pos += take;
          this.#size -= take;
          if (this.#size === 0) {
            this.#state = Chunk.DataEnd;
            this.#crlfLeft = 2;
          }
          break;
        }
        case Chunk.DataEnd: {
          pos++;
          if (--this.#crlfLeft === 0) {
            this.#state = Chunk.Size;
            this.#size = 0;
            this.#sizeDigits = 0;
            this.#inExtension = false;
          }
          break;
        }
      }
    }
  }
}
