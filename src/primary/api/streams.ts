// Live streams of an app: `/api/v1/apps/:app/streams`. A WS camera appears with type
// `ws-mjpeg`; rates are measured from the frame slots, viewers counted on every worker.
// In a cluster the list also holds the other nodes' streams (from their heartbeats), each
// with the `node` serving it.
import { CodedError } from '../../errors.js';
import { fullRoom } from '../../keys.js';
import type { RoomInfo } from '../../protocol.js';
import { closeView, type ApiDeps, type StreamView } from './context.js';
import type { ControlService } from '../../control/service.js';
import { ok, type Route } from './router.js';
import { streamUrls } from '../../control/urls.js';

/** One room as the streams API shows it. */
export function streamView(deps: ApiDeps, info: RoomInfo, viewers: Map<string, { mjpeg: number; ws: number; wall: number }>): StreamView {
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
    node: deps.nodeId,
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
    lastClose: closeView(deps.cameras.lastCloseOfRoom(info.room)),
    ...streamUrls(deps.publicBase(), info.app, info.name),
  };
}

/** This node's streams (every app), as other nodes see them in the cluster view. */
export async function localStreamViews(deps: ApiDeps): Promise<StreamView[]> {
  const viewers = await deps.viewerCounts();
  return deps.rooms.list().map((r) => streamView(deps, r, viewers));
}

export function streamRoutes(deps: ApiDeps, control: ControlService): Route[] {
  return [
    {
      method: 'GET', pattern: '/api/v1/apps/:app/streams', scope: 'streams:read',
      handler: async ({ params }) => {
        const app = control.requireApp(params.app!);
        const local = (await localStreamViews(deps)).filter((s) => s.app === app.name);
        const here = new Set(local.map((s) => s.room));
        // Another node's entry for a room this node serves is stale (the camera moved here).
        const remote = (await deps.remoteStreams()).filter((s) => s.app === app.name && !here.has(s.room));
        return ok(200, [...local, ...remote].sort((a, b) => a.room.localeCompare(b.room) || a.node.localeCompare(b.node)));
      },
    },
    {
      method: 'GET', pattern: '/api/v1/apps/:app/streams/:room', scope: 'streams:read',
      handler: async ({ params }) => {
        const app = control.requireApp(params.app!);
        const info = deps.rooms.get(fullRoom(app.name, params.room!)) ?? deps.rooms.get(params.room!);
        if (info && info.app === app.name) return ok(200, streamView(deps, info, await deps.viewerCounts()));
        const remote = (await deps.remoteStreams()).find((s) => s.app === app.name && (s.room === fullRoom(app.name, params.room!) || s.room === params.room));
        if (!remote) throw new CodedError('stream_offline', `room ${params.room} is not live`);
        return ok(200, remote);
      },
    },
    {
      // An app-restricted token sees each node's figures for its own app only.
      method: 'GET', pattern: '/api/v1/cluster/nodes', scope: 'streams:read',
      handler: async ({ token }) => ok(200, await deps.clusterNodes(token.app)),
    },
  ];
}
