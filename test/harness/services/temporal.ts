import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort } from '../process/free-port.js';
import type { SupervisedProcess } from '../process/supervised-process.js';
import type { RunningTemporal, TemporalSettings } from '../settings.js';
import { startRestartableServer, startServer } from './start-server.js';
import { makeServiceDir, requireTool, toolsDir } from './workspace.js';

const NAMESPACE = 'default';

/**
 * Search attributes the platform registers on its namespace (docs/architecture.md). SQLite visibility
 * allows at most 10 Keyword attributes per namespace.
 */
export const temporalSearchAttributes: Readonly<Record<string, 'Keyword' | 'Bool'>> = {
  TenantId: 'Keyword',
  Plan: 'Keyword',
  AuditId: 'Keyword',
  TenantParked: 'Bool',
};

/**
 * Dynamic config the platform relies on: batch operations pause/resume a tenant's workflows concurrently
 * (the default allows only one batch per namespace), and the new matcher honours task priority.
 */
export const temporalDynamicConfig: Readonly<Record<string, string>> = {
  'frontend.MaxConcurrentBatchOperationPerNamespace': '20',
  'matching.useNewMatcher': 'true',
};

export interface StartTemporalOptions {
  /** Reuse an existing SQLite file (e.g. to inspect what a previous run left). Default: a fresh temp file. */
  dbFile?: string;
  /**
   * More dynamic config on top of the platform's (`temporalDynamicConfig`), e.g. a benchmark lifting a limit the
   * dev server's single history shard would otherwise impose. Default: none.
   */
  extraDynamicConfig?: Readonly<Record<string, string>>;
}

function temporalArgs(
  port: number,
  dbFile: string,
  extraDynamicConfig: Readonly<Record<string, string>> = {},
): string[] {
  // The HTTP API and metrics ports default to random free ports; only the gRPC port must stay fixed across
  // restarts. The `default` namespace is always created.
  const args = [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--db-filename',
    dbFile,
    '--log-level',
    'warn',
  ];
  for (const [name, type] of Object.entries(temporalSearchAttributes))
    args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries({ ...temporalDynamicConfig, ...extraDynamicConfig }))
    args.push('--dynamic-config-value', `${key}=${value}`);
  return args;
}

async function probeNamespace(address: string): Promise<string | undefined> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    const info = await connection.workflowService.getSystemInfo({});
    await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
    return info.serverVersion ?? 'unknown';
  } finally {
    await connection.close();
  }
}

/**
 * Starts the Temporal CLI dev server (pinned v1.5.1, built by bootstrap.sh) on free 127.0.0.1 ports with a
 * SQLite file, the platform's search attributes and dynamic config. `restart()` stops it and starts it again
 * on the same ports with the same file: running workflows resume, which is what restart tests need.
 */
export async function startTemporal(options: StartTemporalOptions = {}): Promise<RunningTemporal> {
  const temporal = requireTool('Temporal CLI', [join(toolsDir, 'bin', 'temporal')]);
  const dir = await makeServiceDir('temporal');
  const dbFile = options.dbFile ?? join(dir, 'temporal.sqlite');
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  let serverVersion = 'unknown';

  const launch = async (): Promise<SupervisedProcess> => {
    const { server, readiness } = await startServer({
      service: 'temporal',
      dir,
      process: {
        command: temporal,
        args: temporalArgs(port, dbFile, options.extraDynamicConfig),
        stopSignal: 'SIGTERM',
        graceMs: 15_000,
      },
      readyTimeoutMs: 120_000,
      ready: () => probeNamespace(address),
    });
    serverVersion = readiness;
    return server;
  };

  const { restart, stop } = await startRestartableServer('temporal', dir, launch);
  const settings: TemporalSettings = { address, namespace: NAMESPACE };
  return {
    settings,
    get description() {
      return `Temporal dev server ${serverVersion} (CLI v1.5.1, SQLite) on ${address}`;
    },
    restart,
    stop,
  };
}
