// What the primary counts per room for the metrics and the API, gathered from the workers
// and the frame slots: viewers per room summed over every worker, and the per-camera series
// of FRAMEHUB_PER_CAMERA_METRICS (rates, frame age, viewers, the camera's own stats).
import type { WorkerInspect } from '../protocol.js';
import type { FrameArena } from '../slots.js';
import type { CameraSeries } from '../telemetry.js';
import type { CameraRegistry } from './cameras.js';
import { viewersView, type ViewerCounts } from '../control/views.js';
import type { RoomTable } from './rooms.js';
import type { StreamRates } from './streamRates.js';

/** Viewers per room, summed over what every worker holds. */
export function sumViewers(workers: WorkerInspect[]): Map<string, ViewerCounts> {
  const counts = new Map<string, ViewerCounts>();
  for (const w of workers) {
    for (const v of w.viewers) {
      const c = counts.get(v.room) ?? { mjpeg: 0, ws: 0, wall: 0 };
      counts.set(v.room, { mjpeg: c.mjpeg + v.mjpeg, ws: c.ws + v.ws, wall: c.wall + v.wall });
    }
  }
  return counts;
}

export interface CameraSeriesSources {
  rooms: RoomTable;
  arena: FrameArena;
  rates: StreamRates;
  cameras: CameraRegistry;
  viewerCounts(): Promise<Map<string, ViewerCounts>>;
}

/** Per-camera figures for the metrics, from the frame slots, rates and stats messages. */
export async function cameraSeries({ rooms, arena, rates, cameras, viewerCounts }: CameraSeriesSources): Promise<CameraSeries[]> {
  const viewers = await viewerCounts();
  const now = Date.now();
  return rooms.list().map((info) => {
    const camera = cameras.byRoom(info.room);
    const v = viewers.get(info.room);
    const last = arena.lastReceivedAt(info.slot);
    return {
      app: info.app, room: info.room, live: info.state === 'live',
      fps: rates.get(info.room).fps,
      frames: arena.latestSeq(info.slot),
      bytes: arena.bytesPublished(info.slot),
      drops: arena.drops(info.slot),
      frameAgeSec: last ? Math.max(0, now - last) / 1000 : 0,
      viewers: viewersView(v).total,
      reconnects: rooms.reconnects(info.room),
      rssi: camera?.stats?.rssi ?? null,
      heapFree: camera?.stats?.heapFree ?? null,
    };
  });
}
