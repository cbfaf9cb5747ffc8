// Live streams as callers see them: one view per room a node serves (its camera, rates and
// frame figures from the slot, viewers on every worker, last close, URLs), an app's streams
// on this node and on the other nodes of a cluster, and one room by its full or short name.
// Read from a running node through `StreamSources` (the primary's room table, cameras,
// rates and slots, and the cluster view).
import { CodedError } from '../errors.js';
import { fullRoom } from '../keys.js';
import type { CameraStats, RoomInfo } from '../protocol.js';
import type { FrameArena } from '../slots.js';
import { closeView, statsView, viewersView, type CloseView, type StatsView, type ViewerCounts } from './views.js';
import { streamUrls, type StreamUrls } from './urls.js';

/** One live room as the streams API shows it (and other nodes see it in the cluster view). */
export interface StreamView extends StreamUrls {
  type: 'ws-mjpeg';
  streamId: string;
  app: string;
  room: string;
  name: string;
  state: 'live' | 'away';
  /** The node serving it. */
  node: string;
  startedAt: string;
  lastFrameAt: string | null;
  frameAgeMs: number | null;
  fps: number;
  bytesPerSec: number;
  frames: number;
  bytes: number;
  droppedFrames: number;
  viewers: ViewerCounts & { total: number };
  stats: StatsView | null;
  keyId: string | null;
  identity: string | null;
  remoteAddress: string | null;
  shard: number | null;
  lastClose: CloseView | null;
}

/** What the stream views read from a running node. */
export interface StreamSources {
  /** This node's name (FRAMEHUB_NODE_ID). */
  readonly nodeId: string;
  /** Base URL for returned links. */
  publicBase(): string;
  rooms: { list(): RoomInfo[]; get(room: string): RoomInfo | undefined };
  cameras: {
    byRoom(room: string): { keyId: string; identity: string | null; ip: string; shard: number; stats: CameraStats | null } | undefined;
    lastCloseOfRoom(room: string): { code: number; reason: string; at: number } | undefined;
  };
  rates: { get(room: string): { fps: number; bytesPerSec: number } };
  arena: Pick<FrameArena, 'lastReceivedAt' | 'latestSeq' | 'bytesPublished' | 'drops'>;
  /** Viewers per room, summed over every worker. */
  viewerCounts(): Promise<Map<string, ViewerCounts>>;
  /** Streams served by the other nodes of a cluster (empty on a single node). */
  remoteStreams(): Promise<StreamView[]>;
}

function streamView(live: StreamSources, info: RoomInfo, viewers: Map<string, ViewerCounts>): StreamView {
  const camera = live.cameras.byRoom(info.room);
  const rates = live.rates.get(info.room);
  const last = live.arena.lastReceivedAt(info.slot);
  const v = viewers.get(info.room);
  return {
    type: 'ws-mjpeg',
    streamId: info.streamId,
    app: info.app,
    room: info.room,
    name: info.name,
    state: info.state,
    node: live.nodeId,
    startedAt: new Date(info.startedAt).toISOString(),
    lastFrameAt: last ? new Date(Math.round(last)).toISOString() : null,
    frameAgeMs: last ? Math.max(0, Math.round(Date.now() - last)) : null,
    fps: Math.round(rates.fps * 10) / 10,
    bytesPerSec: Math.round(rates.bytesPerSec),
    frames: live.arena.latestSeq(info.slot),
    bytes: live.arena.bytesPublished(info.slot),
    droppedFrames: live.arena.drops(info.slot),
    viewers: viewersView(v),
    stats: statsView(camera?.stats),
    keyId: camera?.keyId ?? null,
    identity: camera?.identity ?? null,
    remoteAddress: camera?.ip ?? null,
    shard: camera?.shard ?? null,
    lastClose: closeView(live.cameras.lastCloseOfRoom(info.room)),
    ...streamUrls(live.publicBase(), info.app, info.name),
  };
}

/** This node's streams (every app), as other nodes see them in the cluster view. */
export async function localStreamViews(live: StreamSources): Promise<StreamView[]> {
  const viewers = await live.viewerCounts();
  return live.rooms.list().map((r) => streamView(live, r, viewers));
}

/** An app's streams on this node and the other nodes, by room then node. */
export async function appStreams(live: StreamSources, app: string): Promise<StreamView[]> {
  const local = (await localStreamViews(live)).filter((s) => s.app === app);
  const here = new Set(local.map((s) => s.room));
  // Another node's entry for a room this node serves is stale (the camera moved here).
  const remote = (await live.remoteStreams()).filter((s) => s.app === app && !here.has(s.room));
  return [...local, ...remote].sort((a, b) => a.room.localeCompare(b.room) || a.node.localeCompare(b.node));
}

/** One stream of an app by its full or short room name, this node's first; `stream_offline` when no node serves it. */
export async function appStream(live: StreamSources, app: string, room: string): Promise<StreamView> {
  const full = fullRoom(app, room);
  const info = live.rooms.get(full) ?? live.rooms.get(room);
  if (info && info.app === app) return streamView(live, info, await live.viewerCounts());
  const remote = (await live.remoteStreams()).find((s) => s.app === app && (s.room === full || s.room === room));
  if (!remote) throw new CodedError('stream_offline', `room ${room} is not live`);
  return remote;
}
