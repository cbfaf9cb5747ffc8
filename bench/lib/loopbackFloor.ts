// The physical floor of moving bytes on this machine, measured in the same run as the
// servers: iperf3 (Debian package `iperf3`) over loopback, `iperf3 -s -1` and
// `iperf3 -c 127.0.0.1 -t 5 -J`. From its JSON: the bytes received and the CPU both ends
// used (end.cpu_utilization_percent.host_total + remote_total, % of one core over the test),
// giving core-seconds per GB moved. A server's CPU per GB (bytes in + out) divided by this
// is its multiple of the floor. Without iperf3 (or if it fails) the floor is n/a with the
// reason; the bench never fails for it.
import { spawn } from 'node:child_process';
import { freePort } from '../../test/helpers/ports.js';
import { machineTimes } from './procstat.js';

export const IPERF3_INSTALL_HINT = 'install it with `apt-get install iperf3` (Debian package; .ci/run does)';

interface FloorFigures {
  available: true;
  /** The client command (the server is `iperf3 -s -1 -B 127.0.0.1 -p <port>`). */
  command: string;
  seconds: number;
  /** Bytes the receiving end got (end.sum_received.bytes). */
  bytes: number;
  gbitPerSec: number;
  /** % of one core over the test: the sending client (host) and the receiving server (remote). */
  cpuPct: { host: number; remote: number; hostSystem: number; remoteSystem: number };
  /** CPU seconds of both ends. */
  coreSeconds: number;
  /** The floor: core-seconds per GB (1e9 bytes) moved through loopback. */
  coreSecondsPerGB: number;
  /** Whole machine busy cores during the test (/proc/stat): iperf3 plus anything else running. */
  machineBusyCores: number;
}

interface FloorUnavailable {
  available: false;
  /** Why there is no figure, and what to do about it. */
  reason: string;
}

export type LoopbackFloor = FloorFigures | FloorUnavailable;

/** The iperf3 end-of-test JSON fields this reads. */
interface IperfJson {
  error?: string;
  end?: {
    sum_received?: { bytes?: number; seconds?: number };
    sum_sent?: { bytes?: number; seconds?: number };
    cpu_utilization_percent?: { host_total?: number; remote_total?: number; host_system?: number; remote_system?: number };
  };
}

/** Runs a command to its end; `null` code when it could not start (e.g. ENOENT). */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string; err: string; spawnError: NodeJS.ErrnoException | null }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, out, err, spawnError: e });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, spawnError: null });
    });
  });
}

/** Reads the floor out of the client's `-J` output; a reason string when it has no figure. */
export function parseIperf(json: IperfJson, command: string, machineBusyCores: number): LoopbackFloor {
  if (json.error) return { available: false, reason: `iperf3: ${json.error}` };
  const end = json.end;
  const bytes = end?.sum_received?.bytes;
  const seconds = end?.sum_received?.seconds ?? end?.sum_sent?.seconds;
  const cpu = end?.cpu_utilization_percent;
  if (!bytes || !seconds || cpu?.host_total == null || cpu.remote_total == null) return { available: false, reason: 'iperf3 JSON without end.sum_received.bytes/seconds or end.cpu_utilization_percent.host_total/remote_total' };
  const coreSeconds = ((cpu.host_total + cpu.remote_total) / 100) * seconds;
  return {
    available: true,
    command,
    seconds,
    bytes,
    gbitPerSec: (8 * bytes) / seconds / 1e9,
    cpuPct: { host: cpu.host_total, remote: cpu.remote_total, hostSystem: cpu.host_system ?? 0, remoteSystem: cpu.remote_system ?? 0 },
    coreSeconds,
    coreSecondsPerGB: coreSeconds / (bytes / 1e9),
    machineBusyCores,
  };
}

/** Measures the loopback floor with iperf3 for `seconds`; never throws. */
export async function measureLoopbackFloor(seconds: number): Promise<LoopbackFloor> {
  const probe = await run('iperf3', ['--version'], 10_000);
  if (probe.spawnError?.code === 'ENOENT') return { available: false, reason: `iperf3 is not installed; ${IPERF3_INSTALL_HINT}` };
  if (probe.code !== 0) return { available: false, reason: `iperf3 --version failed: ${(probe.spawnError?.message ?? probe.err).trim().slice(0, 200)}` };
  let port: number;
  try {
    port = await freePort();
  } catch (err) {
    return { available: false, reason: `no free loopback port: ${(err as Error).message}` };
  }
  // One test, then the server exits by itself (-1); bound to loopback only.
  const server = spawn('iperf3', ['-s', '-1', '-B', '127.0.0.1', '-p', String(port), '--forceflush'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const serverDone = new Promise<void>((r) => server.once('close', () => r()));
  server.once('error', () => {});
  try {
    await new Promise<void>((resolve) => {
      let out = '';
      const timer = setTimeout(resolve, 3000);
      server.stdout.on('data', (d) => {
        out += d;
        if (/listening/i.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      server.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const args = ['-c', '127.0.0.1', '-p', String(port), '-t', String(seconds), '-J'];
    const m0 = machineTimes();
    const t0 = performance.now();
    const client = await run('iperf3', args, (seconds + 20) * 1000);
    const machineBusyCores = (machineTimes().busy - m0.busy) / ((performance.now() - t0) / 1000);
    let json: IperfJson;
    try {
      json = JSON.parse(client.out) as IperfJson;
    } catch {
      return { available: false, reason: `iperf3 client exited ${client.code} without JSON: ${(client.err || client.out).trim().slice(0, 200)}` };
    }
    return parseIperf(json, `iperf3 ${args.join(' ')}`, machineBusyCores);
  } finally {
    if (server.exitCode === null && server.signalCode === null) {
      const timer = setTimeout(() => server.kill('SIGKILL'), 2000);
      await serverDone;
      clearTimeout(timer);
    }
  }
}

/** The floor as text for a case line. */
export function floorText(f: LoopbackFloor): string {
  return f.available
    ? `loopback floor (iperf3) ${f.coreSecondsPerGB.toFixed(2)} core-s/GB (${f.gbitPerSec.toFixed(1)} Gbit/s, ${((f.cpuPct.host + f.cpuPct.remote) / 100).toFixed(2)} cores, machine ${f.machineBusyCores.toFixed(2)} busy)`
    : `loopback floor n/a (${f.reason})`;
}

/** A server's core-seconds per GB as a multiple of the floor, or null. */
export const floorMultiple = (coreSecondsPerGB: number | null, f: LoopbackFloor | null | undefined): number | null =>
  coreSecondsPerGB == null || !f?.available ? null : coreSecondsPerGB / f.coreSecondsPerGB;
