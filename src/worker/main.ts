// Shard worker thread entry: one uWS App on the public port (SO_REUSEPORT, so the kernel
// spreads connections over the workers), with ingest, playback, API proxy and pages.
// wire() builds the parts in the order a frame travels, registers the routes and handles the
// primary's messages in one switch. An exception in a handler must never escape into uWS
// (that aborts the whole process): handlers are guarded (guard.ts), and one that escapes
// anyway restarts the worker (fatal.ts).
import { parentPort, workerData } from 'node:worker_threads';
import type { TemplatedApp } from 'uWebSockets.js';
import { RequestChannel, replyTo } from '../channel.js';
import type { PrimaryRequest, ToPrimary, ToWorker, WorkerInit, WorkerInspect, WorkerRequest } from '../protocol.js';
import { Doorbell, FrameArena } from '../slots.js';
import { createLogger, initAppSeries, WorkerMetrics } from '../telemetry.js';
import { apiRoute } from './apiProxy.js';
import { Directory } from './directory.js';
import { Fanout } from './fanout.js';
import { exitOnUncaught } from './fatal.js';
import { guarded } from './guard.js';
import { sendError, sendJson } from './http.js';
import { Hub } from './hub.js';
import { Ingest } from './ingest.js';
import { Listener } from './listener.js';
import { pageRoutes } from './pages.js';
import { Playback } from './playback.js';
import { loadUws } from './uws.js';
import { ViewerLimits } from './viewerLimits.js';
import { ViewerSessions } from './viewerSessions.js';
import { Wall } from './wall.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const { shard, config } = init;
const log = createLogger(config.logLevel, { shard });
// The native uWS build for this platform. When none loads, this throws UwsFallbackError
// before the uncaught-exception guard exists, so the primary gets it and stops at boot.
const { uws: uWS, info: uwsInfo } = loadUws(config.uwsBuild);
log.info({ uws: uwsInfo, node: process.version }, 'uWebSockets.js native build loaded');

const fatal = exitOnUncaught(log, () => parentPort?.postMessage({ type: 'dying' } satisfies ToPrimary));
/**
 * How long a crashing worker waits for another to take over accepting (it goes on as soon
 * as one does). A live worker takes over in a few ms; a dormant one must start first.
 */
const HANDOVER_WAIT_MS = 3000;

wire();

/** The whole thread: builds the parts, registers the routes, listens, and handles the primary's messages. */
function wire(): void {
  const send = (msg: ToPrimary): void => port.postMessage(msg);
  const primary = new RequestChannel<WorkerRequest>((msg) => send(msg));
  const trustedProxies: ReadonlySet<string> = new Set(config.trustedProxies);

  // The frame path, in travel order: ingest -> slot (fanout publishes) -> hub -> viewers.
  const arena = new FrameArena(init.arenas, init.layout);
  const metrics = new WorkerMetrics(shard, () => hub.viewerTotal);
  const hub = new Hub({
    arena,
    shard,
    metrics: {
      delivered: (transport, frames, bytes) => metrics.sent(transport, frames, bytes),
      dropped: (reason, n = 1) => metrics.dropped(reason, n),
      fanoutLatency: (s) => metrics.hubLatency.observe(s),
      viewerCount: (transport, delta) => metrics.viewers.inc({ transport }, delta),
    },
  });
  const doorbell = new Doorbell(init.doorbell, arena.totalSlots);
  const fanout = new Fanout({ arena, doorbell, shard, hub });
  const ingest = new Ingest({ shard, config, frames: fanout, metrics, log, primary, notify: send, trustedProxies });

  // The viewer side: who may watch (directory, limits, play-token sessions) and the feeds.
  const directory = new Directory();
  const limits = new ViewerLimits({ config, arena, counters: init.counters });
  const sessions = new ViewerSessions({ registry: metrics.registry, log });
  const wall = new Wall({ hub, directory, metrics, log, trustedProxies, limits, sessions });
  const playback = new Playback({ shard, arena, hub, directory, metrics, log, bootId: init.bootId, trustedProxies, maxFrameBytes: config.maxFrameBytes, limits, sessions, mjpegStallMs: config.mjpegStallSec * 1000 });

  const raw: TemplatedApp = config.tlsCertFile && config.tlsKeyFile ? uWS.SSLApp({ cert_file_name: config.tlsCertFile, key_file_name: config.tlsKeyFile }) : uWS.App();
  fatal.app = raw as unknown as { close(): void };
  const app = guarded(raw, log);
  if (config.faultInjection) {
    app.get('/debug/throw', () => {
      throw new Error('injected fault in an HTTP handler');
    });
    app.ws('/debug/throw', {
      message: () => {
        throw new Error('injected fault in a WebSocket handler');
      },
    });
  }
  app.ws('/ingest/ws', ingest.behavior());
  playback.routes(app);
  wall.routes(app);
  app.any('/api/*', apiRoute(primary, trustedProxies, log, shard));
  app.get('/healthz', (res) => sendJson(res, 200, JSON.stringify({ status: 'ok', shard })));
  pageRoutes(app, directory);
  app.any('/*', (res, req) => sendError(res, 404, 'not_found', `no route for ${req.getMethod().toUpperCase()} ${req.getUrl()}`));

  const listener = new Listener({ uws: uWS, app: raw, host: config.host, port: init.port });
  fatal.beforeClose = () => {
    if (listener.accepting) doorbell.awaitHandover(shard, HANDOVER_WAIT_MS);
  };
  const boundPort = listener.open();
  if (boundPort < 0) log.fatal({ host: config.host, port: init.port }, 'could not listen');
  send({ type: 'listening', port: boundPort });

  let lastPingAt = Date.now();
  const sweep = setInterval(() => {
    const now = Date.now();
    const pingRound = now - lastPingAt >= config.pingIntervalSec * 1000;
    if (pingRound) lastPingAt = now;
    try {
      ingest.sweep(now, pingRound);
      sessions.sweep(now);
      hub.sweep(now, pingRound);
      if (pingRound) wall.ping();
    } catch (err) {
      log.error({ err: (err as Error).message }, 'sweep failed');
    }
  }, 1000);

  const stopFanout = fanout.listen();

  function inspect(): WorkerInspect {
    return { shard, cameras: ingest.list(), viewers: hub.viewerCounts() };
  }

  async function answer(id: number, body: PrimaryRequest): Promise<void> {
    const result = await replyTo(async () => {
      switch (body.kind) {
        case 'metrics':
          return metrics.registry.getMetricsAsJSON();
        case 'inspect':
          return inspect();
        case 'accept':
          if (body.on) listener.open();
          else listener.close();
          return { accepting: listener.accepting };
      }
    });
    send({ type: 'reply', id, result });
  }

  /** Graceful stop: no new connections, cameras and viewers closed with 1001, then the rest. */
  function shutdown(): void {
    listener.close();
    ingest.closeAll();
    wall.closeAll();
    hub.endWhere(() => true, 'going_away');
    clearInterval(sweep);
    stopFanout();
    primary.close('worker shutting down');
    // Let the close frames go out, then drop whatever is left (idle keep-alive sockets).
    setTimeout(() => {
      (raw as unknown as { close(): void }).close();
      port.close();
    }, 250);
  }

  port.on('message', (msg: ToWorker) => {
    try {
      switch (msg.type) {
        case 'reply':
          primary.settle(msg.id, msg.result);
          break;
        case 'request':
          void answer(msg.id, msg.body);
          break;
        case 'rooms':
          directory.setRooms(msg.rooms);
          break;
        case 'apps': {
          // Viewers of an app deleted or turned private are ended (they reconnect, with a play
          // token where one is now needed); a rotated play secret voids the app's tokens.
          const { lost, rotated } = directory.setApps(msg.apps);
          initAppSeries(metrics, msg.apps.map((a) => a.name));
          if (lost.size) {
            hub.endWhere((info) => lost.has(info.app));
            wall.endApps(lost);
          }
          for (const name of rotated) sessions.secretRotated(name);
          break;
        }
        case 'room':
          directory.rooms.set(msg.info.room, msg.info);
          hub.onRoom(msg.info);
          wall.onRoom(msg.info);
          break;
        case 'room-closed':
          directory.rooms.delete(msg.room);
          hub.onRoomClosed(msg.room);
          break;
        case 'kick':
          ingest.kick(msg.connId, msg.reason, msg.message);
          break;
        case 'shutdown':
          shutdown();
          break;
        case 'fault':
          if (config.faultInjection) {
            setImmediate(() => {
              throw new Error('injected uncaught fault');
            });
          }
          break;
        default:
          msg satisfies never;
      }
    } catch (err) {
      log.error({ err: (err as Error).message, type: msg.type }, 'message handling failed');
    }
  });
}
