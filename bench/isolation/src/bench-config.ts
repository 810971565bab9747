/**
 * The two sizes of the isolation benchmark. `quick` is the iteration mode (a few minutes on the shared 2-core
 * machine); `full` is the headline run with the 10,000-audit flood. Every knob can be overridden from the
 * command line (`--flood 2000 --rate 3 ...`) and is validated here.
 */
import { z } from 'zod';
import { pageAuditCostSchema } from './synthetic-audit/cost.js';

export const benchConfigSchema = z.object({
  mode: z.enum(['quick', 'full']),
  runs: z.array(z.enum(['A', 'B', 'C', 'D'])).min(1),
  /** folder under results/ (default: the mode), so variants such as another admission rate keep their own files */
  resultsName: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  /** priority audits per second, arriving at a steady rate */
  rate: z.number().positive().max(50),
  /** how long priority audits keep arriving, seconds */
  arrivalSeconds: z.number().int().positive(),
  /** seconds after the first priority arrival at which the flood is dumped */
  floodDelaySeconds: z.number().int().min(0),
  flood: z.number().int().positive(),
  floodClients: z.number().int().positive().max(16),
  floodWindow: z.number().int().positive().max(256),
  /** Run D: flood starts per second. */
  floodAdmitRate: z.number().positive().max(1000),
  /**
   * Run D: starting processes the flood is split across. Above 1 they share one admission budget in PostgreSQL
   * (`SharedStartAdmission`), as the app backend's replicas do; 1 uses the per-process `StartAdmission`.
   */
  floodProcesses: z.number().int().min(1).max(16),
  /**
   * 1: the flood's starting processes (and the shared budget's PostgreSQL) are started and connected before the
   * measurement begins, as the app backend is already running when a flood arrives; 0: started at the flood's
   * instant, their start-up (Node.js, tsx, connections) inside the measurement.
   */
  floodPrestart: z.number().int().min(0).max(1),
  /** after the arrivals end: how long to wait for priority audits, then for the flood to drain */
  priorityWaitSeconds: z.number().int().positive(),
  drainWaitSeconds: z.number().int().min(0),
  pollIntervalMs: z.number().int().min(500),
  /**
   * The dev server's `history.transferProcessorMaxPollRPS` (0: its default, 20). The dev server runs one history
   * shard, and every workflow and activity task of every queue is dispatched through that shard's transfer-task
   * reader, which loads at most this many times per second (README, "Where run D's tail came from").
   */
  transferPollRps: z.number().int().min(0),
  /**
   * 1: the priority pool's worker runs on CPU 0 only, the standard pool's worker and the flood's starting processes
   * on CPU 1 only (`taskset`), as each pool has its own nodes and the app backend its own machines in production;
   * the Temporal dev server, PostgreSQL and the measuring process run on both. 0: every process on both cores.
   */
  pinPools: z.number().int().min(0).max(1),
  maxActivities: z.number().int().positive(),
  maxWorkflowTasks: z.number().int().positive(),
  cost: pageAuditCostSchema,
});

export type BenchConfig = z.infer<typeof benchConfigSchema>;

/**
 * The transfer-task load rate the chart's cluster has in total: 20 loads/s per history shard (Temporal's default
 * `history.transferProcessorMaxPollRPS`) times the 512 shards of `values-launch.yaml`. The dev server has one shard,
 * so at its default every task of every queue shares 20 loads/s; the benchmark gives that one shard the cluster's
 * total instead (`--transfer-poll-rps 0` keeps the dev server's default).
 */
export const CLUSTER_TRANSFER_POLL_RPS = 20 * 512;

const presets: Record<'quick' | 'full', Omit<BenchConfig, 'mode' | 'runs' | 'resultsName'>> = {
  quick: {
    rate: 2,
    arrivalSeconds: 45,
    floodDelaySeconds: 5,
    flood: 1000,
    floodClients: 4,
    floodWindow: 16,
    floodAdmitRate: 4,
    floodProcesses: 1,
    floodPrestart: 1,
    priorityWaitSeconds: 120,
    drainWaitSeconds: 120,
    pollIntervalMs: 2000,
    transferPollRps: CLUSTER_TRANSFER_POLL_RPS,
    pinPools: 0,
    maxActivities: 20,
    maxWorkflowTasks: 40,
    cost: { fetchMs: 40, cpuMs: 3, storeMs: 20 },
  },
  full: {
    rate: 1,
    arrivalSeconds: 300,
    floodDelaySeconds: 10,
    flood: 10_000,
    floodClients: 4,
    floodWindow: 32,
    floodAdmitRate: 4,
    floodProcesses: 1,
    floodPrestart: 1,
    priorityWaitSeconds: 600,
    drainWaitSeconds: 1200,
    pollIntervalMs: 2000,
    transferPollRps: CLUSTER_TRANSFER_POLL_RPS,
    pinPools: 0,
    maxActivities: 20,
    maxWorkflowTasks: 40,
    cost: { fetchMs: 40, cpuMs: 3, storeMs: 20 },
  },
};

const flagToKey: Record<string, keyof BenchConfig | 'cpuMs' | 'fetchMs' | 'storeMs'> = {
  '--rate': 'rate',
  '--arrival-seconds': 'arrivalSeconds',
  '--flood-delay': 'floodDelaySeconds',
  '--flood': 'flood',
  '--flood-clients': 'floodClients',
  '--flood-window': 'floodWindow',
  '--flood-admit-rate': 'floodAdmitRate',
  '--flood-processes': 'floodProcesses',
  '--flood-prestart': 'floodPrestart',
  '--priority-wait': 'priorityWaitSeconds',
  '--drain-wait': 'drainWaitSeconds',
  '--poll-ms': 'pollIntervalMs',
  '--transfer-poll-rps': 'transferPollRps',
  '--pin-pools': 'pinPools',
  '--max-activities': 'maxActivities',
  '--max-workflow-tasks': 'maxWorkflowTasks',
  '--cpu-ms': 'cpuMs',
  '--fetch-ms': 'fetchMs',
  '--store-ms': 'storeMs',
};

export function parseBenchArgs(argv: readonly string[]): BenchConfig {
  const modeIndex = argv.indexOf('--mode');
  const mode = modeIndex >= 0 ? argv[modeIndex + 1] : 'quick';
  if (mode !== 'quick' && mode !== 'full')
    throw new Error(`--mode must be quick or full, got ${String(mode)}`);
  const raw: Record<string, unknown> = {
    ...presets[mode],
    mode,
    runs: ['A', 'B', 'C', 'D'],
    resultsName: mode,
  };
  const cost: Record<string, unknown> = { ...presets[mode].cost };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    if (flag === '--resume') continue;
    if (flag === '--mode') {
      i++;
      continue;
    }
    if (flag === '--runs') {
      raw.runs = (argv[++i] ?? '').split(',').filter(Boolean);
      continue;
    }
    if (flag === '--results') {
      raw.resultsName = argv[++i];
      continue;
    }
    const key = flagToKey[flag];
    if (!key) throw new Error(`unknown flag ${flag}`);
    const value = Number(argv[++i]);
    if (key === 'cpuMs' || key === 'fetchMs' || key === 'storeMs') cost[key] = value;
    else raw[key] = value;
  }
  raw.cost = cost;
  const parsed = benchConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `invalid bench settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
