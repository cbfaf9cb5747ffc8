// What every route module of the control API shares: the dependencies the primary hands
// the API (ApiDeps), the stream view and the close view. Route modules import this,
// router.ts and the control service (src/control/, which also looks up the app a path
// names), never index.ts or each other: the api folder has no import circle.
import type { NodeView } from '../../cluster/nodes.js';
import type { Config } from '../../config.js';
import type { ControlStore } from '../../keys.js';
import type { CameraRegistry, LastClose } from '../cameras.js';
import type { FleetHealth } from '../fleet.js';
import type { NodeTraffic } from '../nodeTraffic.js';
import type { RoomTable } from '../rooms.js';
import type { StreamRates } from '../streamRates.js';
import type { ApiRequest, ApiResponse } from '../../protocol.js';
import type { FrameArena } from '../../slots.js';
import type { Logger } from '../../telemetry.js';
import type { StreamUrls } from '../../control/urls.js';

export interface ApiDeps {
  config: Config;
  store: ControlStore;
  cameras: CameraRegistry;
  rooms: RoomTable;
  arena: FrameArena;
  rates: StreamRates;
  log: Logger;
  /** Base URL for returned links. */
  publicBase(): string;
  /** The app table changed: tell the workers. */
  appsChanged(): void;
  /** Viewers per room, summed over every worker. */
  viewerCounts(): Promise<Map<string, { mjpeg: number; ws: number; wall: number }>>;
  /** This node's name (FRAMEHUB_NODE_ID). */
  nodeId: string;
  /** Streams served by the other nodes of a cluster (empty on a single node). */
  remoteStreams(): Promise<StreamView[]>;
  /** The nodes of the cluster (just this one on a single node); with `app`, their figures count that app only. */
  clusterNodes(app?: string | null): Promise<NodeView[]>;
  /** Fleet health of an app's rooms (the dashboard's fleet view). */
  fleet: FleetHealth;
  /** The node's bytes in/out per second. */
  traffic: NodeTraffic;
  /** Called once per request with its route pattern (null when none matched). */
  observe?(req: ApiRequest, route: string | null, app: string | undefined, res: ApiResponse, startMs: number): void;
}

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
  viewers: { mjpeg: number; ws: number; wall: number; total: number };
  stats: { fps: number | null; rssi: number | null; heapFree: number | null; at: string } | null;
  keyId: string | null;
  identity: string | null;
  remoteAddress: string | null;
  shard: number | null;
  lastClose: { code: number; reason: string; at: string } | null;
}

/** A remembered camera close as the API shows it (null: none since the node started). */
export function closeView(close: LastClose | undefined): { code: number; reason: string; at: string } | null {
  return close ? { code: close.code, reason: close.reason, at: new Date(close.at).toISOString() } : null;
}
