// What the primary does with a worker's messages (other than replies): a request is
// answered (camera admission by the camera registry, the control API by the control
// plane), camera closes and stats go to the registry (and the tracer), and a dying worker
// is dropped from accept balancing at once, before its exit is seen.
import { replyTo } from '../channel.js';
import type { AdmitRequest, AdmitResult, ApiRequest, ApiResponse, CameraStats } from '../protocol.js';
import type { Shard } from './shard.js';
import type { WorkerEvent } from './shardPool.js';

export interface WorkerEventDeps {
  cameras: {
    admit(req: AdmitRequest, shard: number): AdmitResult;
    closed(connId: number, code: number, reason: string): void;
    stats(connId: number, stats: CameraStats): void;
  };
  answer(req: ApiRequest): Promise<ApiResponse>;
  /** A camera session ended (for tracing). */
  cameraClosed?(connId: number, code: number, reason: string, frames: number, bytes: number): void;
  /** The worker is about to exit. */
  dying(shard: number): void;
}

export function handleWorkerEvents(deps: WorkerEventDeps): (shard: Shard, msg: WorkerEvent) => void {
  return (shard, msg) => {
    switch (msg.type) {
      case 'request': {
        const body = msg.body;
        void replyTo(() => (body.kind === 'admit' ? deps.cameras.admit(body, shard.index) : deps.answer(body))).then((result) => shard.post({ type: 'reply', id: msg.id, result }));
        break;
      }
      case 'camera-closed':
        deps.cameraClosed?.(msg.connId, msg.code, msg.reason, msg.frames, msg.bytes);
        deps.cameras.closed(msg.connId, msg.code, msg.reason);
        break;
      case 'camera-stats':
        deps.cameras.stats(msg.connId, msg.stats);
        break;
      case 'dying':
        deps.dying(shard.index);
        break;
      default:
        msg satisfies never;
    }
  };
}
