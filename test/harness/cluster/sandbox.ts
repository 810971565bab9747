import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HarnessError } from '../errors.js';
import { SupervisedProcess } from '../process/supervised-process.js';
import { waitUntil } from '../process/wait-until.js';

const run = promisify(execFile);

/** The node's address inside the sandbox: the kubelet refuses a loopback node IP. */
export const nodeIp = '10.245.0.1';

/**
 * Sets up the sandbox from inside it, then stays as its PID 1. Before /proc is replaced by the namespace's own,
 * /proc/self still names this shell's PID on the host, which nsenter needs.
 *  - /run, /var/lib and /var/log get a tmpfs: containerd keeps runc state and pod network namespaces there, CNI
 *    its cache, the kubelet its device plugins and its links to container logs (always /var/log/containers; the
 *    logs themselves go to the run's folder). Nothing lands on the host's folders.
 *  - The kubelet wants four kernel settings; files bind-mounted over them answer it without touching the host's.
 *  - One interface carries the node's address (a veth pair whose both ends stay inside), and the default route
 *    points at it so Service addresses route into kube-proxy's rules; nothing is connected beyond it.
 */
const holderScript = `
set -euo pipefail
read -r host_pid _ </proc/self/stat
mount -t proc proc /proc
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=0755 tmpfs /var/lib
mount -t tmpfs -o mode=0755 tmpfs /var/log
for setting in vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/panic=10 kernel/panic_on_oops=1; do
  key=\${setting%%=*}
  file="$SANDBOX_DIR/sysctl-\${key//\\//-}"
  echo "\${setting#*=}" >"$file"
  mount --bind "$file" "/proc/sys/$key"
done
ip link set lo up
ip link add apexnode type veth peer name apexnode-peer
ip addr add "$NODE_IP/32" dev apexnode
ip link set apexnode-peer up
ip link set apexnode up
ip route add default dev apexnode
echo "$host_pid" >"$SANDBOX_DIR/holder.pid"
while :; do sleep 3600; done
`;

/**
 * Private PID, mount and network namespaces for a test cluster. Every cluster process runs inside them (through
 * nsenter), so it sees only the sandbox's loopback and node address, and it dies with the sandbox: when the
 * namespace holder (PID 1 inside) goes, the kernel kills every process in the PID namespace, containers and their
 * shims included. The holder runs behind the harness's watchdog like every server, so no cluster process outlives
 * the run, even when the run is killed.
 */
export class Sandbox {
  readonly dir: string;
  readonly #holder: SupervisedProcess;
  readonly #hostPid: number;

  private constructor(dir: string, holder: SupervisedProcess, hostPid: number) {
    this.dir = dir;
    this.#holder = holder;
    this.#hostPid = hostPid;
  }

  static async create(dir: string): Promise<Sandbox> {
    await rm(join(dir, 'holder.pid'), { force: true });
    const holder = SupervisedProcess.start({
      command: 'unshare',
      args: [
        '--pid',
        '--fork',
        '--kill-child=SIGKILL',
        '--mount',
        '--net',
        '--propagation',
        'private',
        '--',
        'env',
        `SANDBOX_DIR=${dir}`,
        `NODE_IP=${nodeIp}`,
        'bash',
        '-c',
        holderScript,
      ],
      cwd: dir,
      stopSignal: 'SIGKILL',
      graceMs: 1_000,
      logFile: join(dir, 'sandbox.log'),
    });
    try {
      const hostPid = await waitUntil(
        async () => Number((await readFile(join(dir, 'holder.pid'), 'utf8')).trim()) || undefined,
        {
          timeoutMs: 20_000,
          abortReason: () => (holder.exitReason === undefined ? undefined : `holder ${holder.exitReason}`),
        },
      );
      return new Sandbox(dir, holder, hostPid);
    } catch (error) {
      await holder.stop();
      throw new HarnessError(
        'SERVICE_START_FAILED',
        `cluster sandbox did not start (unshare needs root): ${error instanceof Error ? error.message : String(error)}\n${await holder.logTail()}`,
        { cause: error },
      );
    }
  }

  /** nsenter arguments that run a command inside the sandbox's namespaces. */
  #enter(command: string, args: readonly string[]): string[] {
    return ['--target', String(this.#hostPid), '--pid', '--mount', '--net', '--', command, ...args];
  }

  /** Runs a command to completion inside the sandbox. */
  async exec(command: string, args: readonly string[], input?: string): Promise<string> {
    const child = run('nsenter', this.#enter(command, args), { maxBuffer: 64 * 1024 * 1024 });
    if (input !== undefined) child.child.stdin?.end(input);
    const { stdout } = await child;
    return stdout;
  }

  /** Starts a long-running process inside the sandbox, behind the watchdog; its output goes to `logFile`. */
  start(options: {
    command: string;
    args: readonly string[];
    logFile: string;
    stopSignal?: NodeJS.Signals;
    graceMs?: number;
  }): SupervisedProcess {
    return SupervisedProcess.start({
      command: 'nsenter',
      args: this.#enter(options.command, options.args),
      cwd: this.dir,
      stopSignal: options.stopSignal ?? 'SIGTERM',
      graceMs: options.graceMs ?? 10_000,
      logFile: options.logFile,
    });
  }

  /** Ends the sandbox: the holder's PID namespace takes every process left inside with it. */
  async stop(): Promise<void> {
    await this.#holder.stop();
  }
}
