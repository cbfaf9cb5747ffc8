// Which Node.js runs the servers a bench case starts (`--server-node`): the bench's own
// (default); `24` or `22`, that Node in the Debian 13 root of scripts/trixie-root.sh (glibc
// 2.41, so framehub runs the btc-vision uWS build; needs root for chroot); or a path to a
// node binary. The root's wrapper execs down to node, so the spawned pid is the server's own
// and /proc shows its CPU and memory as before.
import { existsSync } from 'node:fs';
import path from 'node:path';

const TRIXIE_ROOT = path.resolve(import.meta.dirname, '../../../scripts/trixie-root.sh');

interface ServerLauncher {
  /** Executable to spawn, then `args`, then node's own arguments. */
  readonly command: string;
  readonly args: readonly string[];
  /** For results: which Node runs the server. */
  readonly label: string;
}

/** The launcher for a `--server-node` value; an error message for a bad one. */
export function serverLauncher(spec: string | undefined = process.env.BENCH_SERVER_NODE): ServerLauncher {
  if (!spec) return { command: process.execPath, args: [], label: `host ${process.version}` };
  if (spec === '24' || spec === '22') return { command: 'bash', args: [TRIXIE_ROOT, 'run', spec, '--', 'node'], label: `Node ${spec} in the Debian 13 root` };
  if (existsSync(spec)) return { command: path.resolve(spec), args: [], label: path.resolve(spec) };
  throw new Error(`--server-node must be 24, 22 (the Debian 13 root) or a path to a node binary, got ${JSON.stringify(spec)}`);
}
