// A simulated ESP32-CAM: connects like the firmware (header auth, `arduino` subprotocol),
// waits for `ready`, sends JPEGs at a target fps (never above the server's maxFps), sends
// `stats` every 30 s, and reconnects at a fixed interval after any close, like
// arduinoWebSockets' setReconnectInterval. Used by `framehub camera`, tests and bench.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { withComment } from '../jpeg.js';
import { loadFrames, type FrameSize } from './frames.js';

export interface SimCameraOptions {
  /** Server base URL, http(s):// or ws(s)://. */
  url: string;
  app: string;
  room: string;
  key: string;
  /** Send the key as ?key= instead of the Authorization header. */
  queryKey?: boolean;
  identity?: string;
  fps?: number;
  size?: FrameSize;
  /** Frames to send instead of the samples. */
  frames?: Buffer[];
  /** Put `fh:<seq>:<sendTimeMs>` in a JPEG COM segment of each frame (latency measurement). */
  stamp?: boolean;
  statsIntervalMs?: number;
  /** Fixed reconnect delay; 0 disables reconnecting. Default 3000 like the firmware. */
  reconnectMs?: number;
  /** Local address to connect from (e.g. 127.0.0.42 to look like another device). */
  localAddress?: string;
}

export interface ReadyMessage {
  type: 'ready';
  room: string;
  streamId: string;
  maxFps: number;
  maxFrameBytes: number;
  idleTimeoutSec: number;
}

export interface SimCameraEvents {
  ready: [ReadyMessage];
  error: [{ code: string; message: string }];
  close: [number, string];
  frame: [number];
}

export class SimCamera extends EventEmitter<SimCameraEvents> {
  readonly options: Required<Omit<SimCameraOptions, 'identity' | 'frames' | 'localAddress'>> & Pick<SimCameraOptions, 'identity' | 'frames' | 'localAddress'>;
  #ws: WebSocket | null = null;
  #sendTimer: NodeJS.Timeout | null = null;
  #statsTimer: NodeJS.Timeout | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #stopped = false;
  #frames: Buffer[];
  framesSent = 0;
  bytesSent = 0;
  connects = 0;
  ready: ReadyMessage | null = null;
  lastError: { code: string; message: string } | null = null;
  lastClose: { code: number; reason: string } | null = null;
  /** The last frame sent (as sent, with its COM stamp if any). */
  lastFrame: Buffer | null = null;

  constructor(options: SimCameraOptions) {
    super();
    this.options = { queryKey: false, fps: 8, size: 'qvga', stamp: false, statsIntervalMs: 30_000, reconnectMs: 3000, ...options };
    this.#frames = options.frames ?? loadFrames(this.options.size);
  }

  get connected(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  start(): this {
    this.#stopped = false;
    this.#connect();
    return this;
  }

  #endpoint(): string {
    const base = this.options.url.replace(/^http/, 'ws').replace(/\/$/, '');
    const q = new URLSearchParams({ app: this.options.app, room: this.options.room });
    if (this.options.identity) q.set('identity', this.options.identity);
    if (this.options.queryKey) q.set('key', this.options.key);
    return `${base}/ingest/ws?${q}`;
  }

  #connect(): void {
    this.connects++;
    this.ready = null;
    const headers: Record<string, string> = { 'User-Agent': 'framehub-camera-simulator' };
    if (!this.options.queryKey) headers.Authorization = `Bearer ${this.options.key}`;
    const ws = new WebSocket(this.#endpoint(), 'arduino', { headers, perMessageDeflate: false, ...(this.options.localAddress ? { localAddress: this.options.localAddress } : {}) });
    this.#ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: { type?: string; code?: string; message?: string };
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (msg.type === 'ready') {
        this.ready = msg as ReadyMessage;
        this.#startSending();
        this.emit('ready', this.ready);
      } else if (msg.type === 'error') {
        this.lastError = { code: String(msg.code), message: String(msg.message) };
        this.emit('error', this.lastError);
      }
    });
    ws.on('close', (code, reason) => {
      this.#stopSending();
      this.lastClose = { code, reason: reason.toString() };
      this.emit('close', code, reason.toString());
      if (!this.#stopped && this.options.reconnectMs > 0) {
        this.#reconnectTimer = setTimeout(() => this.#connect(), this.options.reconnectMs);
      }
    });
    ws.on('error', () => {
      // A failed handshake or reset: 'close' follows and schedules the reconnect.
    });
  }

  #startSending(): void {
    this.#stopSending();
    const fps = Math.min(this.options.fps, this.ready?.maxFps ?? this.options.fps);
    const interval = 1000 / fps;
    let next = performance.now();
    const tick = (): void => {
      this.sendFrame();
      next += interval;
      this.#sendTimer = setTimeout(tick, Math.max(0, next - performance.now()));
    };
    tick();
    this.#statsTimer = setInterval(() => this.sendStats(), this.options.statsIntervalMs);
  }

  #stopSending(): void {
    if (this.#sendTimer) clearTimeout(this.#sendTimer);
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    this.#sendTimer = null;
    this.#statsTimer = null;
  }

  /** Sends the next frame now (also used by tests to send on demand). */
  sendFrame(frame?: Buffer): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    let out = frame ?? this.#frames[this.framesSent % this.#frames.length]!;
    if (this.options.stamp && !frame) out = withComment(out, `fh:${this.framesSent + 1}:${(performance.timeOrigin + performance.now()).toFixed(3)}`);
    ws.send(out, { binary: true });
    this.framesSent++;
    this.bytesSent += out.length;
    this.lastFrame = out;
    this.emit('frame', this.framesSent);
  }

  sendStats(stats: { fps?: number; rssi?: number; heapFree?: number } = {}): void {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ type: 'stats', fps: this.options.fps, rssi: -55 - Math.round(Math.random() * 10), heapFree: 41_000 + Math.round(Math.random() * 2000), ...stats }));
  }

  /** Closes (1000, like a device powering off) and stops reconnecting. */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#stopSending();
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once('close', () => resolve());
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
      setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2000).unref();
    });
  }

  /** Drops the TCP connection without a close frame (a camera losing power or WiFi). */
  drop(): void {
    this.#ws?.terminate();
  }
}
