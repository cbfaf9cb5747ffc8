// CPU and memory read from /proc: a process's CPU seconds (utime + stime, all threads),
// its resident set, and the whole machine's busy and steal time, so a reader can tell
// whether the server, the generator or the machine was what ran out.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc times (USER_HZ; 100 on Linux). */
const HZ = 100;

/** CPU seconds a process has used so far (all its threads), in user space and in the kernel. */
export function processCpu(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]) / HZ, system: Number(f[12]) / HZ };
}

/** CPU seconds of each thread of a process, by thread id. */
function threadCpuSeconds(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) / HZ);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** Resident set size in bytes. */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

interface MachineTimes {
  /** Seconds of CPU time (summed over cores) spent busy, idle and stolen by the hypervisor. */
  busy: number;
  idle: number;
  steal: number;
}

export function machineTimes(): MachineTimes {
  const line = readFileSync('/proc/stat', 'latin1').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  return { busy: (user! + nice! + system! + irq! + softirq!) / HZ, idle: (idle! + iowait!) / HZ, steal: steal! / HZ };
}

interface Mark {
  t: number;
  cpu: number;
  sys: number;
  threads: Map<number, number>;
  self: NodeJS.CpuUsage;
  machine: MachineTimes;
}

interface ResourceFigures {
  seconds: number;
  serverCpuSeconds: number;
  /** Server CPU in cores (1.0 = one core busy all the time). */
  serverCores: number;
  /** The part of serverCores spent in the kernel (socket reads and writes). */
  serverSysCores: number;
  /** CPU of the server's busiest threads, in cores, highest first (a saturated event loop shows as ~1). */
  serverTopThreads: number[];
  rssPeakBytes: number;
  /** CPU of this process (runner + generator threads), in cores. */
  generatorCores: number;
  machineBusyCores: number;
  machineStealCores: number;
}

/**
 * Watches a server (one process, or the nodes of a cluster summed): a reading every second
 * (current CPU and RSS for the progress display, peak RSS) and marks at a window's edges
 * for exact CPU figures.
 */
export class ResourceSampler {
  readonly #pids: number[];
  readonly #timer: NodeJS.Timeout;
  rssPeak = 0;
  current = { cpuCores: 0, rssBytes: 0 };

  constructor(pids: number | number[]) {
    this.#pids = Array.isArray(pids) ? pids : [pids];
    let last = this.mark();
    this.#timer = setInterval(() => {
      const now = this.mark();
      const rss = this.#rss();
      this.rssPeak = Math.max(this.rssPeak, rss);
      this.current = { cpuCores: (now.cpu - last.cpu) / ((now.t - last.t) / 1000), rssBytes: rss };
      last = now;
    }, 1000);
  }

  #rss(): number {
    return this.#pids.reduce((n, pid) => n + processRssBytes(pid), 0);
  }

  mark(): Mark {
    let user = 0;
    let sys = 0;
    const threads = new Map<number, number>();
    for (const pid of this.#pids) {
      const cpu = processCpu(pid);
      user += cpu.user;
      sys += cpu.system;
      for (const [tid, s] of threadCpuSeconds(pid)) threads.set(tid, s);
    }
    return { t: performance.now(), cpu: user + sys, sys, threads, self: process.cpuUsage(), machine: machineTimes() };
  }

  /** Starts a window: its peak RSS counts from now. */
  begin(): Mark {
    this.rssPeak = this.#rss();
    return this.mark();
  }

  end(from: Mark): ResourceFigures {
    const to = this.mark();
    const seconds = (to.t - from.t) / 1000;
    const serverCpuSeconds = to.cpu - from.cpu;
    const self = (to.self.user + to.self.system - from.self.user - from.self.system) / 1e6;
    return {
      seconds,
      serverCpuSeconds,
      serverCores: serverCpuSeconds / seconds,
      serverSysCores: (to.sys - from.sys) / seconds,
      serverTopThreads: [...to.threads]
        .map(([tid, cpu]) => (cpu - (from.threads.get(tid) ?? 0)) / seconds)
        .sort((a, b) => b - a)
        .slice(0, 3),
      rssPeakBytes: Math.max(this.rssPeak, this.#rss()),
      generatorCores: self / seconds,
      machineBusyCores: (to.machine.busy - from.machine.busy) / seconds,
      machineStealCores: (to.machine.steal - from.machine.steal) / seconds,
    };
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
