// What the primary does with its workers' events. A new worker is greeted with the app and
// room tables; a request is answered (camera admission by the camera registry, the control
// API by the control plane); camera closes and stats go to the registry (and the tracer); a
// dying worker is dropped from accept balancing at once, before its exit is seen; a worker
// gone gives back its cameras and viewer bits; a death is logged and counted, a restart logged.
import type { Counter } from 'prom-client';
import { replyTo } from '../channel.js';
import { CloseCode } from '../errors.js';
import type { ControlStore } from '../keys.js';
import type { AdmitRequest, AdmitResult, ApiRequest, ApiResponse, CameraStats, RoomInfo, ToWorker } from '../protocol.js';
import type { Logger } from '../telemetry.js';
import type { Tracing } from '../tracing.js';
import type { AcceptBalancer } from './acceptBalancer.js';
import type { PoolEvents } from './shardPool.js';

export interface WorkerEventDeps {
  store: Pick<ControlStore, 'listApps'>;
  rooms: { list(): RoomInfo[] };
  cameras: {
    admit(req: AdmitRequest, shard: number): AdmitResult;
    closed(connId: number, code: number, reason: string): void;
    stats(connId: number, stats: CameraStats): void;
    list(): { connId: number; shard: number }[];
    shardGone(shard: number): void;
  };
  arena: { clearWorker(index: number): void };
  /** Answers a control API request. */
  answer(req: ApiRequest): Promise<ApiResponse>;
  tracing: Tracing | null;
  balancer: AcceptBalancer | null;
  /** Lets dying worker `index` close its listener (without a balancer, nobody else is to be started first). */
  handOver(index: number): void;
  /** framehub_worker_restarts_total. */
  restarts: Counter<'shard'>;
  /** The node is stopping: an exit is no loss to balance. */
  stopping(): boolean;
  log: Logger;
}

/** The app table as workers get it (what playback needs of each app; never read from LMDB by a worker). */
export function appTable(store: Pick<ControlStore, 'listApps'>): ToWorker {
  return { type: 'apps', apps: store.listApps().map((a) => ({ name: a.name, publicPlayback: a.publicPlayback, playSecret: a.playSecret })) };
}

export function workerEvents(d: WorkerEventDeps): PoolEvents {
  return {
    greeting: () => [appTable(d.store), { type: 'rooms', rooms: d.rooms.list() }],
    message: (shard, msg) => {
      switch (msg.type) {
        case 'request': {
          const body = msg.body;
          void replyTo(() => (body.kind === 'admit' ? d.cameras.admit(body, shard.index) : d.answer(body))).then((result) => shard.post({ type: 'reply', id: msg.id, result }));
          break;
        }
        case 'camera-closed':
          d.tracing?.cameraClosed(msg.connId, msg.code, msg.reason, msg.frames, msg.bytes);
          d.cameras.closed(msg.connId, msg.code, msg.reason);
          break;
        case 'camera-stats':
          d.cameras.stats(msg.connId, msg.stats);
          break;
        case 'dying':
          // The balancer hands over once another worker accepts (it may have to start one).
          if (d.balancer) d.balancer.workerGone(shard.index);
          else d.handOver(shard.index);
          break;
        default:
          msg satisfies never;
      }
    },
    onGone: (index) => {
      if (!d.stopping()) d.balancer?.workerGone(index);
      for (const c of d.cameras.list()) if (c.shard === index) d.tracing?.cameraClosed(c.connId, CloseCode.abnormal, 'worker_died', 0, 0);
      d.cameras.shardGone(index);
      d.arena.clearWorker(index);
    },
    onDied: (index, code, delayMs) => {
      d.log.error({ shard: index, code, restartInMs: delayMs }, 'worker died; restarting it');
      d.restarts.inc({ shard: String(index) });
    },
    onRestarted: (index) => {
      d.balancer?.workerStarted(index);
      d.log.info({ shard: index }, 'worker restarted');
    },
  };
}
