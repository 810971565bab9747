#!/usr/bin/env node
/**
 * `apexseo-dev`: runs a worker locally, outside Kubernetes, in one command:
 *
 *   npx apexseo-dev --tenant acme -- npx tsx worker.ts
 *
 * It starts a Temporal dev server (port 7233 by default, so `temporal workflow ...` and default clients find it), the
 * testing kit's local key service with the given tenants, and (unless `--llm real`) the LLM provider stand-in; writes
 * a development token to a temporary file; and runs the command with the `APEXSEO_*` variables that point the
 * worker at all three. The development token is accepted only by this local key service: the production key
 * service refuses its issuer in every configuration.
 *
 * With `--llm real`, each tenant's provider key is read from stdin (one line per tenant, prompted on stderr; never
 * from arguments or the environment) and the worker calls the provider's public API.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { Runtime } from '@temporalio/worker';
import type { LlmProvider } from '../keys/tenant-key.js';
import { createTestEnvironment, findTemporalCli } from '../testing/test-environment.js';

const USAGE = `Usage: apexseo-dev [options] -- <worker command...>

Options:
  --tenant <id>[:openai|anthropic]  a tenant with a key (repeatable; provider defaults to openai)
  --llm stand-in|real               answer LLM calls with the local stand-in (default) or the real provider
  --task-queue <name>               APEXSEO_TASK_QUEUE of the worker (default: dev)
  --temporal-cli <path>             Temporal CLI executable (default: $TEMPORAL_CLI_PATH, else temporal on PATH)
  --temporal-port <port>            Temporal dev server port (default: 7233)

Example: npx apexseo-dev --tenant acme -- npx tsx worker.ts`;

async function main(argv: readonly string[]): Promise<number> {
  const split = argv.indexOf('--');
  const command = split === -1 ? [] : argv.slice(split + 1);
  const { values } = parseArgs({
    args: split === -1 ? [...argv] : argv.slice(0, split),
    options: {
      tenant: { type: 'string', multiple: true, default: [] },
      llm: { type: 'string', default: 'stand-in' },
      'task-queue': { type: 'string', default: 'dev' },
      'temporal-cli': { type: 'string' },
      'temporal-port': { type: 'string', default: '7233' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || command.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (values.llm !== 'stand-in' && values.llm !== 'real') throw new Error('--llm must be stand-in or real');
  const tenants = values.tenant.map((spec): { tenantId: string; provider: LlmProvider } => {
    const [tenantId = '', provider = 'openai'] = spec.split(':');
    if (!isProvider(provider)) throw new Error(`--tenant ${spec}: provider must be openai or anthropic`);
    return { tenantId, provider };
  });
  const port = Number(values['temporal-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error('--temporal-port must be a port number');

  // Ctrl-C is forwarded to the worker; this process stops its servers once the worker has exited.
  Runtime.install({ shutdownSignals: [] });
  const env = await createTestEnvironment({
    temporal: { cli: values['temporal-cli'] ?? (await findTemporalCli()), port },
    taskQueue: values['task-queue'],
  });
  try {
    const realKeys = values.llm === 'real' ? await readKeys(tenants) : undefined;
    for (const [i, { tenantId, provider }] of tenants.entries()) {
      const apiKey = realKeys?.[i] ?? `sk-local-${tenantId}-${provider}`;
      env.keys.putKey(tenantId, provider, apiKey);
    }
    const workerEnv = env.workerEnv();
    if (realKeys) {
      delete workerEnv['APEXSEO_OPENAI_BASE_URL'];
      delete workerEnv['APEXSEO_ANTHROPIC_BASE_URL'];
    }
    process.stderr.write(
      [
        `apexseo-dev: Temporal ${workerEnv['APEXSEO_TEMPORAL_ADDRESS']} (namespace ${workerEnv['APEXSEO_TEMPORAL_NAMESPACE']})`,
        `apexseo-dev: key service ${env.keys.url} (development token in ${env.tokenFile})`,
        `apexseo-dev: LLM ${realKeys ? "the providers' public APIs" : `stand-in ${env.llm.url}`}`,
        `apexseo-dev: tenants ${tenants.map((t) => `${t.tenantId} (${t.provider})`).join(', ') || '(none)'}`,
        `apexseo-dev: task queue ${env.taskQueue}; running: ${command.join(' ')}`,
        '',
      ].join('\n'),
    );
    return await runChild(command, { ...process.env, ...workerEnv });
  } finally {
    await env.teardown();
  }
}

function isProvider(value: string): value is LlmProvider {
  return value === 'openai' || value === 'anthropic';
}

async function readKeys(tenants: readonly { tenantId: string; provider: LlmProvider }[]): Promise<string[]> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  const keys: string[] = [];
  try {
    for (const { tenantId, provider } of tenants) {
      const key = (await rl.question(`${provider} key for tenant ${tenantId}: `)).trim();
      if (!key) throw new Error(`no key given for tenant ${tenantId}`);
      keys.push(key);
    }
  } finally {
    rl.close();
  }
  return keys;
}

/**
 * Runs the worker command in its own process group and forwards Ctrl-C / SIGTERM to the whole group, so wrappers
 * such as `npx` (which do not pass signals on) stop together with the worker they started.
 */
function runChild(command: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [file = '', ...args] = command;
  const child = spawn(file, args, { env, stdio: 'inherit', detached: true });
  let stopRequested = false;
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined || child.exitCode !== null) return;
    stopRequested = signal !== 'SIGKILL';
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const onInt = (): void => signalGroup('SIGINT');
  const onTerm = (): void => signalGroup('SIGTERM');
  const onExit = (): void => signalGroup('SIGKILL');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('exit', onExit);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('exit', onExit);
      // Stopped on request (a wrapper such as npx may end by the forwarded signal itself): a clean stop.
      if (stopRequested && (code === 0 || signal === 'SIGINT' || signal === 'SIGTERM')) resolve(0);
      else resolve(code ?? 1);
    });
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`apexseo-dev: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
