import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HarnessError } from '../errors.js';
import { freePort } from '../process/free-port.js';
import { SupervisedProcess } from '../process/supervised-process.js';
import { waitUntil } from '../process/wait-until.js';
import { makeServiceDir, removeServiceDir, repoRoot } from '../services/workspace.js';
import { buildBinaryImage, clusterImages, clusterToolsDir } from './images.js';
import { KubeApi, writeKubeconfig, type KubeCredentials } from './kube-api.js';
import { createPki, type ClientIdentity, type ClusterPki } from './pki.js';
import { nodeIp, Sandbox } from './sandbox.js';

const run = promisify(execFile);
/** Relay routes (relay.ts). */
type Endpoint = { tcp: { host: string; port: number } } | { unix: string };
interface Route {
  from: Endpoint;
  to: Endpoint;
}
const relayPath = fileURLToPath(new URL('./relay.ts', import.meta.url));

export const kubernetesVersion = 'v1.35.5';
/** The cluster's one node. */
export const nodeName = 'node-0';
const serviceCidr = '10.96.0.0/16';
const kubernetesServiceIp = '10.96.0.1';
const dnsServiceIp = '10.96.0.10';
const podCidr = '10.244.0.0/24';
const apiserverPort = 6443;
/** Namespace of the Services that stand for servers on the host (see `hostServices`). */
export const hostServicesNamespace = 'external';

export interface HostService {
  /** Address of the server on the host's loopback, `127.0.0.1:port`. */
  address: string;
  /** Port of the in-cluster Service (what the pods dial). */
  port: number;
}

export interface StartClusterOptions {
  /**
   * Servers on the host (the services harness's) the cluster's pods reach by name, as
   * `<name>.external.svc.cluster.local:<port>`: to the cluster they are outside services, like managed stores.
   */
  hostServices?: Record<string, HostService>;
  /** `docker save` archives to load into the node besides the cluster's own images (may still be in the making). */
  imageArchives?: readonly string[] | Promise<readonly string[]>;
  /** Progress lines. Default: stderr with a `[cluster]` prefix. */
  log?: (line: string) => void;
}

export interface RunningCluster {
  /** Admin access (system:masters) from the host. */
  readonly api: KubeApi;
  /** Kubeconfig file with the same admin credentials, for Helm and kubectl. */
  readonly kubeconfig: string;
  /** In-cluster DNS name and port of each host service. */
  readonly hostServices: Readonly<Record<string, string>>;
  /** Component logs (kept when a test fails: see `stop`). */
  readonly logsDir: string;
  /** Environment for Helm and kubectl: KUBECONFIG and the project's Helm homes. */
  readonly env: NodeJS.ProcessEnv;
  /**
   * Makes a Service's port reachable from the host, like `kubectl port-forward service/<name>`, and returns the
   * host address (`127.0.0.1:<port>`). The forward lasts until `stop`.
   */
  forward(namespace: string, service: string, port: number): Promise<string>;
  /**
   * Stops every component and removes the run's folder. With `keepLogs`, the component logs are first copied to
   * `.run/cluster-logs/<run>/` in the repository, whose path is returned.
   */
  stop(options?: { keepLogs?: boolean }): Promise<string | undefined>;
}

function binary(name: string): string {
  const path = join(clusterToolsDir, 'bin', name);
  if (!existsSync(path)) {
    throw new HarnessError('TOOL_MISSING', `${name} not found at ${path}; run scripts/bootstrap.sh`);
  }
  return path;
}

function debianBinary(path: string): string {
  const full = join(clusterToolsDir, 'debroot', path);
  if (!existsSync(full))
    throw new HarnessError('TOOL_MISSING', `${full} not found; run scripts/bootstrap.sh`);
  return full;
}

/**
 * Removes the kubelet's cgroup trees: this run's (`only`), or those left by runs whose process is gone (a killed
 * run's processes die with its sandbox, but the empty cgroup directories stay).
 */
async function removeStaleCgroups(only?: string): Promise<void> {
  const alive = (name: string): boolean => {
    const pid = Number(/^apexseo-cluster-(\d+)-/.exec(name)?.[1]);
    return pid > 0 && existsSync(`/proc/${pid}`);
  };
  const hierarchies = await readdir('/sys/fs/cgroup').catch(() => []);
  for (const hierarchy of hierarchies) {
    const root = join('/sys/fs/cgroup', hierarchy);
    const entries = await readdir(root).catch(() => []);
    for (const entry of entries) {
      if (only === undefined ? entry.startsWith('apexseo-cluster-') && !alive(entry) : entry === only) {
        await removeCgroupTree(join(root, entry));
      }
    }
  }
}

/**
 * Removes this run's cgroup trees once the sandbox is gone. The kernel refuses to remove a cgroup until its last
 * task has been reaped, which can lag the end of the sandbox's PID namespace by a moment: try again for a while.
 */
async function removeRunCgroups(runId: string): Promise<void> {
  const left = async (): Promise<boolean> =>
    (await readdir('/sys/fs/cgroup').catch(() => [])).some((hierarchy) =>
      existsSync(join('/sys/fs/cgroup', hierarchy, runId)),
    );
  for (let attempt = 0; attempt < 40; attempt += 1) {
    await removeStaleCgroups(runId);
    if (!(await left())) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function removeCgroupTree(dir: string): Promise<void> {
  const children = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const child of children) if (child.isDirectory()) await removeCgroupTree(join(dir, child.name));
  await rmdir(dir).catch(() => undefined);
}

/**
 * A real single-node Kubernetes cluster for one test run: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, containerd + kubelet (runc, bridge CNI), kube-proxy and CoreDNS, all inside a private sandbox
 * (sandbox.ts) with a per-run PKI. From the host it is reached only through a relay on 127.0.0.1 (`api`,
 * `kubeconfig`); the pods reach the host's servers only through the relays of `hostServices`.
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<RunningCluster> {
  const log = options.log ?? ((line: string) => process.stderr.write(`[cluster] ${line}\n`));
  const startedAt = performance.now();
  const elapsed = (): string => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
  // The run's name carries this process's PID: a later run removes the cgroups of runs whose process is gone.
  const runId = `apexseo-cluster-${process.pid}-${Date.now().toString(36)}`;
  const cgroupRoot = `/${runId}`;
  await removeStaleCgroups();

  const dir = await makeServiceDir('cluster');
  const logsDir = join(dir, 'logs');
  const socketsDir = join(dir, 'sockets');
  await Promise.all([mkdir(logsDir), mkdir(socketsDir)]);
  const components: { name: string; process: SupervisedProcess }[] = [];
  let sandbox: Sandbox | undefined;
  let api: KubeApi | undefined;

  const stop = async (stopOptions: { keepLogs?: boolean } = {}): Promise<string | undefined> => {
    api?.close();
    // Newest first: the node before the control plane, so pods are not rescheduled on the way down.
    for (const component of components.reverse()) await component.process.stop();
    await sandbox?.stop();
    await removeRunCgroups(runId);
    let kept: string | undefined;
    if (stopOptions.keepLogs === true) {
      kept = join(repoRoot, '.run', 'cluster-logs', runId);
      await cp(logsDir, kept, { recursive: true }).catch(() => undefined);
    }
    await removeServiceDir(dir);
    return kept;
  };

  try {
    const images = Promise.all(Object.values(clusterImages).map((image) => buildBinaryImage(image)));
    const [pki, createdSandbox] = await Promise.all([
      createPki(join(dir, 'pki'), { name: nodeName, ip: nodeIp }, kubernetesServiceIp),
      Sandbox.create(dir),
    ]);
    sandbox = createdSandbox;
    const inside = sandbox;
    const start = (name: string, command: string, args: string[], graceMs?: number): void => {
      const component = inside.start({
        command,
        args,
        logFile: join(logsDir, `${name}.log`),
        ...(graceMs === undefined ? {} : { graceMs }),
      });
      components.push({ name, process: component });
    };
    const kubeconfigFor = async (identity: ClientIdentity, server: string): Promise<string> => {
      const file = join(dir, `${identity}.kubeconfig`);
      await writeKubeconfig(file, credentials(pki, identity, server));
      return file;
    };

    // Relays: the API server out to the host; the host's servers in to the node address. A host server keeps its
    // port number inside the sandbox, where nothing else uses that range.
    const hostServices = Object.entries(options.hostServices ?? {});
    const socket = (name: string): Endpoint => ({ unix: join(socketsDir, `${name}.sock`) });
    const apiHostPort = await freePort();
    const hostSide: Route[] = [
      { from: { tcp: { host: '127.0.0.1', port: apiHostPort } }, to: socket('apiserver') },
    ];
    const sandboxSide: Route[] = [
      { from: socket('apiserver'), to: { tcp: { host: nodeIp, port: apiserverPort } } },
    ];
    const relayPorts: Record<string, number> = {};
    for (const [name, service] of hostServices) {
      const { host, port } = parseAddress(name, service.address);
      relayPorts[name] = port;
      hostSide.push({ from: socket(name), to: { tcp: { host, port } } });
      sandboxSide.push({ from: { tcp: { host: nodeIp, port } }, to: socket(name) });
    }
    start('relay-sandbox', process.execPath, [relayPath, JSON.stringify(sandboxSide)], 2_000);
    components.push({
      name: 'relay-host',
      process: SupervisedProcess.start({
        command: process.execPath,
        args: [relayPath, JSON.stringify(hostSide)],
        cwd: dir,
        stopSignal: 'SIGTERM',
        graceMs: 2_000,
        logFile: join(logsDir, 'relay-host.log'),
      }),
    });

    // Control plane. etcd keeps its data on the sandbox's tmpfs.
    start('etcd', debianBinary('usr/bin/etcd'), [
      '--data-dir=/run/etcd',
      '--listen-client-urls=http://127.0.0.1:2379',
      '--advertise-client-urls=http://127.0.0.1:2379',
      '--listen-peer-urls=http://127.0.0.1:2380',
      '--initial-advertise-peer-urls=http://127.0.0.1:2380',
      '--initial-cluster=default=http://127.0.0.1:2380',
    ]);
    start('kube-apiserver', binary('kube-apiserver'), [
      '--etcd-servers=http://127.0.0.1:2379',
      '--bind-address=0.0.0.0',
      `--secure-port=${apiserverPort}`,
      `--advertise-address=${nodeIp}`,
      `--tls-cert-file=${pki.apiserverCert}`,
      `--tls-private-key-file=${pki.apiserverKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${pki.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      `--service-cluster-ip-range=${serviceCidr}`,
      `--kubelet-client-certificate=${pki.kubeletClientCert}`,
      `--kubelet-client-key=${pki.kubeletClientKey}`,
      '--kubelet-preferred-address-types=InternalIP',
      `--requestheader-client-ca-file=${pki.frontProxyCaCert}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.frontProxyClientCert}`,
      `--proxy-client-key-file=${pki.frontProxyClientKey}`,
    ]);
    const server = `https://127.0.0.1:${apiHostPort}`;
    const kubeconfig = await kubeconfigFor('admin', server);
    api = new KubeApi(credentials(pki, 'admin', server));
    const adminApi = api;
    await waitUntil(async () => ((await adminApi.get<string>('/readyz')) === 'ok' ? true : undefined), {
      timeoutMs: 180_000,
      intervalMs: 500,
    });
    log(`API server ${kubernetesVersion} ready (${elapsed()})`);

    const inCluster = `https://${nodeIp}:${apiserverPort}`;
    start('kube-controller-manager', binary('kube-controller-manager'), [
      `--kubeconfig=${await kubeconfigFor('kube-controller-manager', inCluster)}`,
      `--authentication-kubeconfig=${await kubeconfigFor('kube-controller-manager', inCluster)}`,
      `--authorization-kubeconfig=${await kubeconfigFor('kube-controller-manager', inCluster)}`,
      '--bind-address=127.0.0.1',
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
    ]);
    start('kube-scheduler', binary('kube-scheduler'), [
      `--kubeconfig=${await kubeconfigFor('kube-scheduler', inCluster)}`,
      `--authentication-kubeconfig=${await kubeconfigFor('kube-scheduler', inCluster)}`,
      `--authorization-kubeconfig=${await kubeconfigFor('kube-scheduler', inCluster)}`,
      '--bind-address=127.0.0.1',
      '--leader-elect=false',
    ]);

    // The node: containerd (state on the sandbox's /run), the cluster's images, then the kubelet.
    const nodeDir = join(dir, 'node');
    await mkdir(join(nodeDir, 'cni'), { recursive: true });
    const containerdSocket = '/run/containerd/containerd.sock';
    const cniBin = join(clusterToolsDir, 'debroot', 'usr/lib/cni');
    await writeFile(
      join(nodeDir, 'cni', '10-bridge.conflist'),
      JSON.stringify({
        cniVersion: '0.4.0',
        name: 'pods',
        plugins: [
          {
            type: 'bridge',
            bridge: 'cni0',
            isGateway: true,
            ipMasq: false,
            hairpinMode: true,
            ipam: { type: 'host-local', ranges: [[{ subnet: podCidr }]], routes: [{ dst: '0.0.0.0/0' }] },
          },
          { type: 'loopback' },
        ],
      }),
    );
    await writeFile(
      join(nodeDir, 'containerd.toml'),
      [
        'version = 2',
        `root = "${join(nodeDir, 'containerd')}"`,
        'state = "/run/containerd/state"',
        '[grpc]',
        `  address = "${containerdSocket}"`,
        '[plugins."io.containerd.internal.v1.opt"]',
        `  path = "${join(nodeDir, 'containerd-opt')}"`,
        '[plugins."io.containerd.grpc.v1.cri"]',
        `  sandbox_image = "${clusterImages.pause.tag}"`,
        // runc cannot lower a container's oom_score_adj without CAP_SYS_RESOURCE, which this machine's bounding set
        // lacks ("nsexec: failed to update /proc/self/oom_score_adj"): clamp to containerd's own value.
        '  restrict_oom_score_adj = true',
        '  [plugins."io.containerd.grpc.v1.cri".containerd]',
        '    snapshotter = "overlayfs"',
        '    default_runtime_name = "runc"',
        '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
        '      runtime_type = "io.containerd.runc.v2"',
        '  [plugins."io.containerd.grpc.v1.cri".cni]',
        `    bin_dir = "${cniBin}"`,
        `    conf_dir = "${join(nodeDir, 'cni')}"`,
        '',
      ].join('\n'),
    );
    const debianPath = `${join(clusterToolsDir, 'debroot', 'usr/bin')}:${join(clusterToolsDir, 'debroot', 'usr/sbin')}:${process.env.PATH ?? ''}`;
    start('containerd', 'env', [
      `PATH=${debianPath}`,
      debianBinary('usr/bin/containerd'),
      '--config',
      join(nodeDir, 'containerd.toml'),
    ]);
    const ctr = async (...args: string[]): Promise<string> =>
      inside.exec(debianBinary('usr/bin/ctr'), [
        '--address',
        containerdSocket,
        '--namespace',
        'k8s.io',
        ...args,
      ]);
    await waitUntil(async () => ((await ctr('version')) === '' ? undefined : true), {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    for (const archive of [...(await images), ...((await options.imageArchives) ?? [])]) {
      await ctr('images', 'import', archive);
    }
    log(`containerd ready, images loaded (${elapsed()})`);

    // The kubelet's cgroup root must exist in every v1 hierarchy; a new cpuset cgroup needs cpus and mems first.
    for (const hierarchy of await readdir('/sys/fs/cgroup')) {
      if (hierarchy === 'unified') continue;
      await mkdir(join('/sys/fs/cgroup', hierarchy, runId), { recursive: true }).catch(() => undefined);
    }
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      await writeFile(
        join('/sys/fs/cgroup/cpuset', runId, file),
        await readFile(join('/sys/fs/cgroup/cpuset', file)),
      );
    }
    await writeFile(join(nodeDir, 'resolv.conf'), '');
    await writeFile(
      join(nodeDir, 'kubelet.yaml'),
      JSON.stringify({
        apiVersion: 'kubelet.config.k8s.io/v1beta1',
        kind: 'KubeletConfiguration',
        containerRuntimeEndpoint: `unix://${containerdSocket}`,
        cgroupDriver: 'cgroupfs',
        cgroupRoot,
        // This machine runs cgroup v1; v1.35 kubelets refuse it unless told otherwise.
        failCgroupV1: false,
        failSwapOn: false,
        address: nodeIp,
        readOnlyPort: 0,
        healthzPort: 0,
        resolvConf: join(nodeDir, 'resolv.conf'),
        // Pod logs beside the components' logs, so a failed run keeps them too.
        podLogsDir: join(logsDir, 'pods'),
        clusterDNS: [dnsServiceIp],
        clusterDomain: 'cluster.local',
        authentication: {
          anonymous: { enabled: false },
          webhook: { enabled: true },
          x509: { clientCAFile: pki.caCert },
        },
        authorization: { mode: 'Webhook' },
        serializeImagePulls: false,
        imageGCHighThresholdPercent: 100,
        evictionHard: {
          'memory.available': '100Mi',
          'nodefs.available': '1%',
          'imagefs.available': '1%',
          'nodefs.inodesFree': '1%',
        },
        registerNode: true,
      }),
    );
    start('kubelet', binary('kubelet'), [
      `--config=${join(nodeDir, 'kubelet.yaml')}`,
      `--kubeconfig=${await kubeconfigFor('kubelet', inCluster)}`,
      `--root-dir=${join(nodeDir, 'kubelet')}`,
      `--cert-dir=${join(nodeDir, 'kubelet-pki')}`,
      `--hostname-override=${nodeName}`,
      `--node-ip=${nodeIp}`,
      '--node-labels=topology.kubernetes.io/zone=zone-a',
    ]);
    const proxyConfig = join(nodeDir, 'kube-proxy.yaml');
    await writeFile(
      proxyConfig,
      JSON.stringify({
        apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
        kind: 'KubeProxyConfiguration',
        clientConnection: { kubeconfig: await kubeconfigFor('kube-proxy', inCluster) },
        mode: 'iptables',
        clusterCIDR: podCidr,
        hostnameOverride: nodeName,
        bindAddress: nodeIp,
        healthzBindAddress: '127.0.0.1:10256',
        metricsBindAddress: '127.0.0.1:10249',
        // Connection-tracking limits are the host's (global) settings: leave them alone.
        conntrack: { maxPerCore: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
      }),
    );
    start('kube-proxy', binary('kube-proxy'), [`--config=${proxyConfig}`]);
    await waitUntil(
      async () => {
        const node = await adminApi.find<{ status?: { conditions?: { type: string; status: string }[] } }>(
          `/api/v1/nodes/${nodeName}`,
        );
        return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
          ? true
          : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    log(`node ${nodeName} Ready (${elapsed()})`);

    await applyClusterDns(adminApi);
    for (const [name, service] of hostServices) {
      await exposeHostService(adminApi, name, service.port, relayPorts[name] ?? 0);
    }
    await waitUntil(
      async () => {
        const deployment = await adminApi.find<{ status?: { availableReplicas?: number } }>(
          '/apis/apps/v1/namespaces/kube-system/deployments/coredns',
        );
        return (deployment?.status?.availableReplicas ?? 0) > 0 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    log(`cluster DNS available (${elapsed()})`);

    const hostServiceNames = Object.fromEntries(
      hostServices.map(([name, service]) => [
        name,
        `${name}.${hostServicesNamespace}.svc.cluster.local:${service.port}`,
      ]),
    );
    let forwards = 0;
    const forward = async (namespace: string, service: string, port: number): Promise<string> => {
      const found = await adminApi.get<{ spec: { clusterIP: string } }>(
        `/api/v1/namespaces/${namespace}/services/${service}`,
      );
      forwards += 1;
      const name = `forward-${forwards}`;
      const hostPort = await freePort();
      const inside = { unix: join(socketsDir, `${name}.sock`) };
      start(`relay-sandbox-${name}`, process.execPath, [
        relayPath,
        JSON.stringify([{ from: inside, to: { tcp: { host: found.spec.clusterIP, port } } }]),
      ]);
      await waitUntil(() => Promise.resolve(existsSync(inside.unix) ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      components.push({
        name: `relay-host-${name}`,
        process: SupervisedProcess.start({
          command: process.execPath,
          args: [
            relayPath,
            JSON.stringify([{ from: { tcp: { host: '127.0.0.1', port: hostPort } }, to: inside }]),
          ],
          cwd: dir,
          stopSignal: 'SIGTERM',
          graceMs: 2_000,
          logFile: join(logsDir, `relay-host-${name}.log`),
        }),
      });
      const address = `127.0.0.1:${hostPort}`;
      await waitUntil(async () => ((await canConnect(address)) ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      return address;
    };
    return {
      api: adminApi,
      kubeconfig,
      hostServices: hostServiceNames,
      logsDir,
      env: { ...process.env, KUBECONFIG: kubeconfig },
      forward,
      stop,
    };
  } catch (error) {
    const kept = await stop({ keepLogs: true });
    throw new HarnessError(
      'SERVICE_START_FAILED',
      `test cluster did not start: ${error instanceof Error ? error.message : String(error)} (logs: ${kept ?? 'none'})`,
      { cause: error },
    );
  }
}

/** Whether a TCP connection to `host:port` opens (and closes it again). */
function canConnect(address: string): Promise<boolean> {
  const { host, port } = parseAddress('forward', address);
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function parseAddress(name: string, address: string): { host: string; port: number } {
  const match = /^(.+):(\d+)$/.exec(address);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new HarnessError(
      'INVALID_ARGUMENT',
      `hostServices.${name}.address: expected host:port, got "${address}"`,
    );
  }
  return { host: match[1], port: Number(match[2]) };
}

function credentials(pki: ClusterPki, identity: ClientIdentity, server: string): KubeCredentials {
  return {
    server,
    caFile: pki.caCert,
    certFile: pki.clients[identity].cert,
    keyFile: pki.clients[identity].key,
  };
}

/** A Service without selector whose endpoint is the sandbox relay for one host server. */
async function exposeHostService(api: KubeApi, name: string, port: number, relayPort: number): Promise<void> {
  const ns = hostServicesNamespace;
  await api.apply(`/api/v1/namespaces/${ns}`, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  await api.apply(`/api/v1/namespaces/${ns}/services/${name}`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { ports: [{ name: 'tcp', port, targetPort: relayPort, protocol: 'TCP' }] },
  });
  await api.apply(`/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/${name}`, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [nodeIp], conditions: { ready: true } }],
    ports: [{ name: 'tcp', port: relayPort, protocol: 'TCP' }],
  });
}

/** CoreDNS as the cluster's kube-dns: answers for cluster.local only (there is no upstream to forward to). */
async function applyClusterDns(api: KubeApi): Promise<void> {
  const ns = 'kube-system';
  const labels = { 'k8s-app': 'kube-dns' };
  const corefile = [
    '.:1053 {',
    '  errors',
    '  health :8080',
    '  ready :8181',
    '  kubernetes cluster.local in-addr.arpa ip6.arpa {',
    '    pods insecure',
    '    fallthrough in-addr.arpa ip6.arpa',
    '  }',
    '  cache 30',
    '}',
    '',
  ].join('\n');
  await api.apply('/apis/rbac.authorization.k8s.io/v1/clusterroles/system:coredns', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:coredns' },
    rules: [
      {
        apiGroups: [''],
        resources: ['endpoints', 'services', 'pods', 'namespaces'],
        verbs: ['list', 'watch'],
      },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  });
  await api.apply('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:coredns', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'system:coredns' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
    subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: ns }],
  });
  await api.apply(`/api/v1/namespaces/${ns}/serviceaccounts/coredns`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'coredns', namespace: ns },
  });
  await api.apply(`/api/v1/namespaces/${ns}/configmaps/coredns`, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'coredns', namespace: ns },
    data: { Corefile: corefile },
  });
  await api.apply(`/apis/apps/v1/namespaces/${ns}/deployments/coredns`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: ns, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: 'coredns',
          dnsPolicy: 'Default',
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'coredns',
              image: clusterImages.coredns.tag,
              imagePullPolicy: 'Never',
              args: ['-conf', '/etc/coredns/Corefile'],
              ports: [
                { name: 'dns', containerPort: 1053, protocol: 'UDP' },
                { name: 'dns-tcp', containerPort: 1053, protocol: 'TCP' },
              ],
              readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
              livenessProbe: { httpGet: { path: '/health', port: 8080 } },
              resources: { requests: { cpu: '10m', memory: '32Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
        },
      },
    },
  });
  await api.apply(`/api/v1/namespaces/${ns}/services/kube-dns`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: ns, labels },
    spec: {
      clusterIP: dnsServiceIp,
      selector: labels,
      ports: [
        { name: 'dns', port: 53, targetPort: 1053, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, targetPort: 1053, protocol: 'TCP' },
      ],
    },
  });
}

/** Runs Helm (the project's pinned one, from PATH) against the cluster. */
export async function helm(cluster: RunningCluster, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('helm', [...args], { env: cluster.env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`helm ${args.slice(0, 2).join(' ')} failed:\n${stderr}${stdout.slice(-2000)}`, {
      cause: error,
    });
  }
}
