// Live streams of an app: `/api/v1/apps/:app/streams`. A WS camera appears with type
// `ws-mjpeg`; rates are measured from the frame slots, viewers counted on every worker.
import { CodedError } from '../errors.js';
import { fullRoom } from '../keys.js';
import type { RoomInfo } from '../protocol.js';
import type { ApiDeps } from './index.js';
import { ok, type Route } from './router.js';
import { streamUrls } from './urls.js';
import { requireApp } from './wsIngest.js';

export function streamRoutes(deps: ApiDeps): Route[] {
  const view = (info: RoomInfo, viewers: Map<string, { mjpeg: number; ws: number; wall: number }>) => {
    const camera = deps.cameras.byRoom(info.room);
    const rates = deps.rates.get(info.room);
    const last = deps.arena.lastReceivedAt(info.slot);
    const v = viewers.get(info.room) ?? { mjpeg: 0, ws: 0, wall: 0 };
    return {
      type: 'ws-mjpeg',
      streamId: info.streamId,
      app: info.app,
      room: info.room,
      name: info.name,
      state: info.state,
      startedAt: new Date(info.startedAt).toISOString(),
      lastFrameAt: last ? new Date(Math.round(last)).toISOString() : null,
      frameAgeMs: last ? Math.max(0, Math.round(Date.now() - last)) : null,
      fps: Math.round(rates.fps * 10) / 10,
      bytesPerSec: Math.round(rates.bytesPerSec),
      frames: deps.arena.latestSeq(info.slot),
      bytes: deps.arena.bytesPublished(info.slot),
      droppedFrames: deps.arena.drops(info.slot),
      viewers: { mjpeg: v.mjpeg, ws: v.ws, wall: v.wall, total: v.mjpeg + v.ws + v.wall },
      stats: camera?.stats ? { fps: camera.stats.fps ?? null, rssi: camera.stats.rssi ?? null, heapFree: camera.stats.heapFree ?? null, at: new Date(camera.stats.at).toISOString() } : null,
      keyId: camera?.keyId ?? null,
      identity: camera?.identity ?? null,
      remoteAddress: camera?.ip ?? null,
      shard: camera?.shard ?? null,
      ...streamUrls(deps.publicBase(), info.app, info.name),
    };
  };
  return [
    {
      method: 'GET', pattern: '/api/v1/apps/:app/streams', scope: 'streams:read',
      handler: async ({ params }) => {
        const app = requireApp(deps, params.app!);
        const viewers = await deps.viewerCounts();
        return ok(200, deps.rooms.list().filter((r) => r.app === app.name).sort((a, b) => a.room.localeCompare(b.room)).map((r) => view(r, viewers)));
      },
    },
    {
      method: 'GET', pattern: '/api/v1/apps/:app/streams/:room', scope: 'streams:read',
      handler: async ({ params }) => {
        const app = requireApp(deps, params.app!);
        const info = deps.rooms.get(fullRoom(app.name, params.room!)) ?? deps.rooms.get(params.room!);
        if (!info || info.app !== app.name) throw new CodedError('stream_offline', `room ${params.room} is not live`);
        return ok(200, view(info, await deps.viewerCounts()));
      },
    },
  ];
}
