// The one Config: every operator setting with its environment variable, flag, default
// and rule. Validated once at boot (messages name the setting), then frozen and handed
// to the workers, which never read the environment themselves.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { adminTokenProblem } from './adminToken.js';
import { ConfigError } from './errors.js';

export interface Config {
  /** Public HTTP/WebSocket port; 0 picks a free one. Default 8080. */
  readonly port: number;
  /** Interface to listen on. Default 0.0.0.0. */
  readonly host: string;
  /** Directory holding the LMDB control store. Default ./data. */
  readonly dataDir: string;
  /** Shard worker threads, each a uWS App on the public port. Default: CPU count. */
  readonly workers: number;
  /**
   * Which workers accept new connections. `balanced` (default): one worker accepts while it
   * has headroom, more join as load grows, each started when it is first needed
   * (src/primary/acceptBalancer.ts); `all`: every worker starts at once and always accepts,
   * and the kernel spreads connections at random.
   */
  readonly accept: 'balanced' | 'all';
  /** Base URL used in returned URLs (wsUrl, mjpegUrl...). Default http://localhost:<port>. */
  readonly publicUrl: string;
  /** If set, this exact string is the bootstrap admin API token. */
  readonly adminToken: string | undefined;
  /** Frames per second a camera may send; excess frames are dropped and counted. Default 15. */
  readonly maxFps: number;
  /** Largest accepted frame in bytes (also the size of a frame slot). Default 262144. */
  readonly maxFrameBytes: number;
  /** Seconds without a frame before a camera is closed with 4408. Default 30. */
  readonly idleTimeoutSec: number;
  /** Seconds between server pings; two unanswered pings close the socket. Default 15. */
  readonly pingIntervalSec: number;
  /** Seconds a room keeps its viewers and last frame after its camera left. Default 10. */
  readonly reconnectGraceSec: number;
  /** Rooms (live cameras) the node can hold at once: sizes the shared frame arena. Default 1024. */
  readonly maxRooms: number;
  /** Camera handshakes one IP may make at once (bucket size). Default 1000. */
  readonly handshakeBurst: number;
  /** Camera handshakes per second one IP regains. Default 20. */
  readonly handshakeRatePerSec: number;
  /** Failed camera handshakes allowed per IP+room before 4429 (bucket size). Default 5. */
  readonly authFailBurst: number;
  /** Seconds to regain one failed-handshake allowance per IP+room. Default 60. */
  readonly authFailRefillSec: number;
  /** Viewer connections (MJPEG, WS, wall) the node accepts at once. Default 20000. */
  readonly maxViewers: number;
  /** Viewers of one room at once. Default 1000. */
  readonly maxViewersPerRoom: number;
  /** Viewer connections from one client address at once. Default 1000. */
  readonly maxViewersPerIp: number;
  /** Seconds an MJPEG viewer may leave a backlog undrained before framehub closes it. Default 8. */
  readonly mjpegStallSec: number;
  /** Addresses of reverse proxies whose X-Forwarded-For is believed. Default none. */
  readonly trustedProxies: readonly string[];
  /** PEM certificate chain file: with tlsKeyFile, the public port serves https:// and wss://. */
  readonly tlsCertFile: string | undefined;
  /** PEM private key file of tlsCertFile. */
  readonly tlsKeyFile: string | undefined;
  /** Port of the Prometheus /metrics endpoint (0 = pick a free one). Default 9464. */
  readonly metricsPort: number;
  /** Interface of the /metrics endpoint. Default: loopback (127.0.0.1, or ::1 when HOST is IPv6). */
  readonly metricsHost: string;
  /** Capacity of the node's network link in bits per second (for utilisation). Default 1e9. */
  readonly linkCapacityBps: number;
  /** Export per-camera series (about 10 per camera). Default true. */
  readonly perCameraMetrics: boolean;
  /** A live camera whose last stats message reports an RSSI below this (dBm) has a weak signal. Default -75. */
  readonly weakRssiDbm: number;
  /** A live camera whose last stats message reports less free heap (bytes) is low on heap. Default 20000. */
  readonly lowHeapBytes: number;
  /** A camera that connected this many times within the last hour is flapping. Default 10. */
  readonly flapConnectsPerHour: number;
  /** Redis URL: when set, this node joins a cluster (control plane replicated, cluster view). Default unset. */
  readonly redisUrl: string | undefined;
  /** Key prefix in Redis (one cluster per prefix). Default framehub. */
  readonly redisPrefix: string;
  /** This node's name in the cluster view. Default <hostname>:<port>. */
  readonly nodeId: string | undefined;
  /** uWebSockets.js native build: auto (the newest whose binary loads here), btc-vision or trufflesuite. Default auto. */
  readonly uwsBuild: 'auto' | 'btc-vision' | 'trufflesuite';
  /**
   * Shared secret of the cluster (same on every node): signs every replicated entry and
   * snapshot (HMAC-SHA256) and encrypts the play-token secrets kept in Redis. Required with
   * redisUrl; at least 32 characters. Default unset.
   */
  readonly clusterSecret: string | undefined;
  /** A node writes the cluster snapshot every this many replicated entries. Default 500. */
  readonly redisSnapshotEvery: number;
  /** Test-only fault injection (crash a worker, throwing routes). Never on in production. Default off. */
  readonly faultInjection: boolean;
  /** pino log level. Default info. */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

interface Setting<T> {
  env: string;
  flag: string;
  doc: string;
  schema: z.ZodType<T>;
  default: () => T;
}

const int = (min: number, max: number) =>
  z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(min, `must be >= ${min}`).max(max, `must be <= ${max}`);
/** A count of one or more (connections, handshakes, entries): the cap only catches a typo. */
const count = int(1, 1_000_000);

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every setting, keyed by its Config field. Order is the order of `--help`. */
export const settings: { [K in keyof Config]: Setting<Config[K]> } = {
  port: { env: 'PORT', flag: 'port', doc: 'public HTTP/WebSocket port (0 = pick a free port)', schema: int(0, 65535), default: () => 8080 },
  host: { env: 'HOST', flag: 'host', doc: 'interface to listen on', schema: z.string().min(1, 'must not be empty'), default: () => '0.0.0.0' },
  dataDir: { env: 'FRAMEHUB_DATA_DIR', flag: 'data-dir', doc: 'directory of the LMDB control store', schema: z.string().min(1, 'must not be empty'), default: () => './data' },
  workers: { env: 'FRAMEHUB_WORKERS', flag: 'workers', doc: 'shard worker threads (default: CPU count)', schema: int(1, 32), default: () => Math.min(32, availableParallelism()) },
  accept: {
    env: 'FRAMEHUB_ACCEPT', flag: 'accept', doc: 'which workers accept new connections: balanced (one until it is busy; the others start when first needed) or all',
    schema: z.enum(['balanced', 'all'], { message: 'must be balanced or all' }), default: () => 'balanced',
  },
  publicUrl: {
    env: 'FRAMEHUB_PUBLIC_URL', flag: 'public-url', doc: 'base URL used in returned URLs (default http://localhost:<port>)',
    schema: z.string().refine((v) => v === '' || /^https?:\/\/[^/\s]+$/.test(v.replace(/\/$/, '')), 'must be an http(s) URL with no path, e.g. https://cams.example.com'),
    default: () => '',
  },
  adminToken: {
    env: 'FRAMEHUB_ADMIN_TOKEN', flag: 'admin-token', doc: 'bootstrap admin API token: a random value, placeholders refused (default: generated on first start, printed once)',
    schema: z.string().superRefine((v, ctx) => {
      const problem = adminTokenProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }).optional(),
    default: () => undefined,
  },
  maxFps: { env: 'FRAMEHUB_MAX_FPS', flag: 'max-fps', doc: 'frames per second a camera may send (excess dropped)', schema: int(1, 120), default: () => 15 },
  maxFrameBytes: { env: 'FRAMEHUB_MAX_FRAME_BYTES', flag: 'max-frame-bytes', doc: 'largest frame in bytes (larger closes with 4413)', schema: int(1024, 4 * 1024 * 1024), default: () => 262144 },
  idleTimeoutSec: { env: 'FRAMEHUB_IDLE_TIMEOUT_SEC', flag: 'idle-timeout-sec', doc: 'seconds without a frame before close 4408', schema: int(1, 3600), default: () => 30 },
  pingIntervalSec: { env: 'FRAMEHUB_PING_INTERVAL_SEC', flag: 'ping-interval-sec', doc: 'seconds between server pings (2 missed = dead)', schema: int(1, 600), default: () => 15 },
  reconnectGraceSec: { env: 'FRAMEHUB_RECONNECT_GRACE_SEC', flag: 'reconnect-grace-sec', doc: 'seconds viewers stay attached after the camera left', schema: int(0, 3600), default: () => 10 },
  maxRooms: { env: 'FRAMEHUB_MAX_ROOMS', flag: 'max-rooms', doc: 'live rooms the node holds at once (frame arena size)', schema: int(1, 65536), default: () => 1024 },
  handshakeBurst: { env: 'FRAMEHUB_HANDSHAKE_BURST', flag: 'handshake-burst', doc: 'camera handshakes one IP may make at once', schema: count, default: () => 1000 },
  handshakeRatePerSec: { env: 'FRAMEHUB_HANDSHAKE_RATE', flag: 'handshake-rate', doc: 'camera handshakes per second one IP regains', schema: count, default: () => 20 },
  authFailBurst: { env: 'FRAMEHUB_AUTH_FAIL_BURST', flag: 'auth-fail-burst', doc: 'failed handshakes per IP+room before 4429', schema: count, default: () => 5 },
  authFailRefillSec: { env: 'FRAMEHUB_AUTH_FAIL_REFILL_SEC', flag: 'auth-fail-refill-sec', doc: 'seconds to regain one failed-handshake allowance', schema: int(1, 86400), default: () => 60 },
  maxViewers: { env: 'FRAMEHUB_MAX_VIEWERS', flag: 'max-viewers', doc: 'viewer connections the node accepts at once', schema: count, default: () => 20000 },
  maxViewersPerRoom: { env: 'FRAMEHUB_MAX_VIEWERS_PER_ROOM', flag: 'max-viewers-per-room', doc: 'viewers of one room at once', schema: count, default: () => 1000 },
  maxViewersPerIp: { env: 'FRAMEHUB_MAX_VIEWERS_PER_IP', flag: 'max-viewers-per-ip', doc: 'viewer connections from one client address at once', schema: count, default: () => 1000 },
  mjpegStallSec: { env: 'FRAMEHUB_MJPEG_STALL_SEC', flag: 'mjpeg-stall-sec', doc: 'seconds an MJPEG viewer may stay backed up (not drained) before it is closed', schema: int(1, 3600), default: () => 8 },
  trustedProxies: {
    env: 'FRAMEHUB_TRUSTED_PROXIES', flag: 'trusted-proxies', doc: 'comma-separated proxy IPs whose X-Forwarded-For is believed',
    schema: z.array(z.string().regex(/^[0-9a-fA-F:.]+$/, 'must be a list of IP addresses')),
    default: () => [],
  },
  tlsCertFile: { env: 'FRAMEHUB_TLS_CERT', flag: 'tls-cert', doc: 'PEM certificate (chain) file: serve https:// and wss:// (with --tls-key)', schema: z.string().min(1).optional(), default: () => undefined },
  tlsKeyFile: { env: 'FRAMEHUB_TLS_KEY', flag: 'tls-key', doc: 'PEM private key file for --tls-cert', schema: z.string().min(1).optional(), default: () => undefined },
  metricsPort: { env: 'FRAMEHUB_METRICS_PORT', flag: 'metrics-port', doc: 'port of the Prometheus /metrics endpoint (0 = any free port)', schema: int(0, 65535), default: () => 9464 },
  metricsHost: {
    env: 'FRAMEHUB_METRICS_HOST', flag: 'metrics-host', doc: 'interface of the /metrics endpoint (default loopback: 127.0.0.1, ::1 if HOST is IPv6; 0.0.0.0 exposes it)',
    schema: z.string().min(1, 'must not be empty'), default: () => '',
  },
  linkCapacityBps: {
    env: 'FRAMEHUB_LINK_CAPACITY_BPS', flag: 'link-capacity-bps', doc: 'network link capacity in bits/s, for utilisation metrics',
    schema: z.coerce.number({ message: 'must be a number' }).positive('must be > 0').max(1e13, 'must be <= 1e13'), default: () => 1e9,
  },
  perCameraMetrics: {
    env: 'FRAMEHUB_PER_CAMERA_METRICS', flag: 'per-camera-metrics', doc: 'export per-camera series (on/off)',
    schema: z.enum(['on', 'off', 'true', 'false', '1', '0'], { message: 'must be on or off' }).transform((v) => v === 'on' || v === 'true' || v === '1'),
    default: () => true,
  },
  weakRssiDbm: { env: 'FRAMEHUB_WEAK_RSSI_DBM', flag: 'weak-rssi-dbm', doc: 'RSSI (dBm) below which a camera counts as weak signal', schema: int(-120, 0), default: () => -75 },
  lowHeapBytes: { env: 'FRAMEHUB_LOW_HEAP_BYTES', flag: 'low-heap-bytes', doc: 'free heap (bytes) below which a camera counts as low on heap', schema: int(0, 16 * 1024 * 1024), default: () => 20000 },
  flapConnectsPerHour: { env: 'FRAMEHUB_FLAP_CONNECTS_PER_HOUR', flag: 'flap-connects-per-hour', doc: 'connections within an hour from which a camera counts as flapping', schema: int(2, 100000), default: () => 10 },
  redisUrl: {
    env: 'FRAMEHUB_REDIS_URL', flag: 'redis-url', doc: 'redis://[user:password@]host:6379 or rediss:// (TLS): join a cluster (replicated control plane)',
    schema: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').optional(), default: () => undefined,
  },
  redisPrefix: { env: 'FRAMEHUB_REDIS_PREFIX', flag: 'redis-prefix', doc: 'key prefix in Redis (one cluster per prefix)', schema: z.string().regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ : . -'), default: () => 'framehub' },
  clusterSecret: {
    env: 'FRAMEHUB_CLUSTER_SECRET', flag: 'cluster-secret', doc: 'shared secret of the cluster (same on every node; required with --redis-url): signs replicated entries, encrypts play secrets in Redis',
    schema: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 48)').regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
      .refine((v) => new Set(v).size >= 8 && !/change.?me|example|placeholder|^<.*>$/i.test(v), 'looks like a placeholder, not a random secret (e.g. openssl rand -base64 48)').optional(),
    default: () => undefined,
  },
  redisSnapshotEvery: { env: 'FRAMEHUB_REDIS_SNAPSHOT_EVERY', flag: 'redis-snapshot-every', doc: 'write the cluster snapshot every this many replicated entries', schema: count, default: () => 500 },
  nodeId: { env: 'FRAMEHUB_NODE_ID', flag: 'node-id', doc: "this node's name in the cluster (default <hostname>:<port>)", schema: z.string().regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ : . -').optional(), default: () => undefined },
  uwsBuild: {
    env: 'FRAMEHUB_UWS_BUILD', flag: 'uws-build', doc: 'native uWebSockets.js build: auto (newest that loads here), btc-vision or trufflesuite',
    schema: z.enum(['auto', 'btc-vision', 'trufflesuite'], { message: 'must be auto, btc-vision or trufflesuite' }), default: () => 'auto',
  },
  faultInjection: {
    env: 'FRAMEHUB_FAULT_INJECTION', flag: 'fault-injection', doc: 'test only: allow crashing workers and throwing routes (on/off)',
    schema: z.enum(['on', 'off', 'true', 'false', '1', '0'], { message: 'must be on or off' }).transform((v) => v === 'on' || v === 'true' || v === '1'),
    default: () => false,
  },
  logLevel: { env: 'LOG_LEVEL', flag: 'log-level', doc: 'log level (fatal..trace, silent)', schema: z.enum(logLevels, { message: `must be one of ${logLevels.join(', ')}` }), default: () => 'info' },
};

/** Kept importable from here: a bad setting is the commonest refusal to start. */
export { ConfigError };

type RawSources = { env?: Record<string, string | undefined>; flags?: Record<string, string | undefined>; overrides?: Partial<Config> };

/**
 * Builds the Config from flags (highest), then environment, then defaults;
 * `overrides` (typed, used by tests and embedders) win over everything.
 * Throws ConfigError naming the setting and the rule on the first bad value.
 */
export function loadConfig({ env = {}, flags = {}, overrides = {} }: RawSources = {}): Config {
  const out: Record<string, unknown> = {};
  for (const [field, s] of Object.entries(settings) as [keyof Config, Setting<unknown>][]) {
    if (field in overrides) {
      out[field] = overrides[field];
      continue;
    }
    const raw = flags[s.flag] ?? env[s.env];
    if (raw === undefined || (raw === '' && field !== 'publicUrl')) {
      out[field] = s.default();
      continue;
    }
    const input = field === 'trustedProxies' ? raw.split(',').map((x) => x.trim()).filter(Boolean) : raw;
    const parsed = s.schema.safeParse(input);
    if (!parsed.success) {
      const shown = field === 'adminToken' || field === 'clusterSecret' ? '(hidden)' : field === 'redisUrl' ? JSON.stringify(redactUrl(raw)) : JSON.stringify(raw);
      throw new ConfigError(`invalid setting ${s.env} (--${s.flag}): ${parsed.error.issues[0]?.message ?? 'invalid'}, got ${shown}`);
    }
    out[field] = parsed.data;
  }
  out.dataDir = path.resolve(out.dataDir as string);
  if ((out.tlsCertFile === undefined) !== (out.tlsKeyFile === undefined)) {
    throw new ConfigError('invalid setting FRAMEHUB_TLS_CERT / FRAMEHUB_TLS_KEY (--tls-cert / --tls-key): give both or neither');
  }
  if (out.tlsCertFile !== undefined) {
    out.tlsCertFile = path.resolve(out.tlsCertFile as string);
    out.tlsKeyFile = path.resolve(out.tlsKeyFile as string);
  }
  if (out.redisUrl !== undefined && out.clusterSecret === undefined) {
    throw new ConfigError('invalid setting FRAMEHUB_CLUSTER_SECRET (--cluster-secret): required when FRAMEHUB_REDIS_URL is set (the same random value on every node, at least 32 characters, e.g. openssl rand -base64 48): it signs the replicated control plane so that whoever can write to Redis cannot create tokens or keys');
  }
  out.publicUrl = (out.publicUrl as string).replace(/\/$/, '');
  // /metrics is private by default: the loopback of the public interface's address family.
  if (out.metricsHost === '') out.metricsHost = (out.host as string).includes(':') ? '::1' : '127.0.0.1';
  return Object.freeze(out) as unknown as Config;
}

/** A Redis URL without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://(unparsable)';
  }
}

/** The base URL for returned links, once the real port is known. */
export function publicBase(config: Config, listeningPort: number): string {
  return config.publicUrl || `${config.tlsCertFile ? 'https' : 'http'}://localhost:${listeningPort}`;
}

/** Lines for `--help`: one per setting with its flag, variable and default. */
export function settingsHelp(): string {
  return Object.values(settings)
    .map((s) => {
      const d = s.default();
      const shown = d === undefined || (Array.isArray(d) && d.length === 0) || d === '' ? '' : ` (default ${String(d)})`;
      return `  --${s.flag.padEnd(22)} ${s.env.padEnd(30)} ${s.doc}${shown}`;
    })
    .join('\n');
}
