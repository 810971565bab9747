/**
 * Who used the CPU during a run: every `intervalMs` the orchestrator reads the whole machine's CPU time
 * (/proc/stat) and the CPU time of every process in its own process tree (/proc/<pid>/stat: the worker pools,
 * the flood's starting processes, the dev server, PostgreSQL, itself), grouped by a label. Whatever the machine
 * spent beyond the tree is "outside": other work on the same cores, which a 2-core machine cannot hide.
 * It also samples the orchestrator's own event-loop delay (it fires the priority starts).
 * Linux only; elsewhere it records nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface CpuSample {
  /** ms since the run's t0, at the end of the interval */
  readonly t: number;
  /** length of the interval, ms */
  readonly ms: number;
  /** CPU the whole machine spent in the interval, in cores (0..number of cores) */
  readonly machine: number;
  /** CPU spent by processes outside the benchmark's process tree, in cores */
  readonly outside: number;
  /** CPU per label of the benchmark's processes, in cores */
  readonly byLabel: Record<string, number>;
  /** the orchestrator's event-loop delay in the interval: p99 and max, ms */
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
}

export interface CpuSampler {
  readonly samples: CpuSample[];
  stop(): void;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function readMachineTicks(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait (guest is inside user)
    const busy = fields.slice(0, 8).reduce((a, b, i) => (i === 3 || i === 4 ? a : a + b), 0);
    return busy;
  } catch {
    return null;
  }
}

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  readonly ticks: number;
}

function readProcStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const rest = text
      .slice(close + 2)
      .split(' ')
      .map((f) => Number(f));
    // rest[0] = state (NaN), rest[1] = ppid, utime = field 14 -> rest[11], stime -> rest[12]
    return { pid, ppid: rest[1] ?? 0, comm, ticks: (rest[11] ?? 0) + (rest[12] ?? 0) };
  } catch {
    return null;
  }
}

function treeOf(root: number): ProcStat[] {
  const all: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat) all.push(stat);
  }
  const children = new Map<number, ProcStat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const out: ProcStat[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    const self = all.find((s) => s.pid === pid);
    if (self) out.push(self);
    for (const c of children.get(pid) ?? []) stack.push(c.pid);
  }
  return out;
}

/**
 * `labelOf(pid)` names the benchmark's own children (e.g. `flood-0`); other processes in the tree are labelled by
 * their command name (`temporal`, `postgres`, ...), the orchestrator itself `orchestrator`.
 */
export function startCpuSampler(
  t0: number,
  intervalMs: number,
  labelOf: (pid: number) => string | undefined,
): CpuSampler {
  const samples: CpuSample[] = [];
  if (process.platform !== 'linux') return { samples, stop: () => undefined };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let lastMachine = readMachineTicks();
  let lastAt = Date.now();
  let lastTicks = new Map<number, number>(treeOf(process.pid).map((s) => [s.pid, s.ticks]));
  const timer = setInterval(() => {
    const now = Date.now();
    const machine = readMachineTicks();
    const tree = treeOf(process.pid);
    const elapsedS = (now - lastAt) / 1000;
    const byLabel: Record<string, number> = {};
    let treeTicks = 0;
    const ticks = new Map<number, number>();
    for (const s of tree) {
      ticks.set(s.pid, s.ticks);
      const delta = s.ticks - (lastTicks.get(s.pid) ?? 0);
      if (delta <= 0) continue;
      treeTicks += delta;
      const label = s.pid === process.pid ? 'orchestrator' : (labelOf(s.pid) ?? s.comm);
      byLabel[label] = (byLabel[label] ?? 0) + delta / TICKS_PER_SECOND / elapsedS;
    }
    const machineCores =
      machine !== null && lastMachine !== null ? (machine - lastMachine) / TICKS_PER_SECOND / elapsedS : 0;
    for (const k of Object.keys(byLabel)) byLabel[k] = Math.round((byLabel[k] ?? 0) * 1000) / 1000;
    samples.push({
      t: now - t0,
      ms: now - lastAt,
      machine: Math.round(machineCores * 1000) / 1000,
      outside: Math.round(Math.max(0, machineCores - treeTicks / TICKS_PER_SECOND / elapsedS) * 1000) / 1000,
      byLabel,
      loopDelayP99: Math.round(loop.percentile(99) / 1e5) / 10,
      loopDelayMax: Math.round(loop.max / 1e5) / 10,
    });
    loop.reset();
    lastMachine = machine;
    lastAt = now;
    lastTicks = ticks;
  }, intervalMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      loop.disable();
    },
  };
}
