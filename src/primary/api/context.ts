// What every route module of the control API shares: the dependencies the primary hands
// the API (ApiDeps); they are also what the control service reads a node's live streams
// from (src/control/streams.ts, StreamSources). Route modules import this,
// router.ts and the control service (src/control/, which also looks up the app a path
// names), never index.ts or each other: the api folder has no import circle.
import type { NodeView } from '../../cluster/nodes.js';
import type { Config } from '../../config.js';
import type { ControlStore } from '../../keys.js';
import type { CameraRegistry } from '../cameras.js';
import type { FleetHealth } from '../fleet.js';
import type { NodeTraffic } from '../nodeTraffic.js';
import type { RoomTable } from '../rooms.js';
import type { StreamRates } from '../streamRates.js';
import type { ApiRequest, ApiResponse } from '../../protocol.js';
import type { FrameArena } from '../../slots.js';
import type { Logger } from '../../telemetry.js';
import type { StreamView } from '../../control/streams.js';
import type { ViewerCounts } from '../../control/views.js';

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
  viewerCounts(): Promise<Map<string, ViewerCounts>>;
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
