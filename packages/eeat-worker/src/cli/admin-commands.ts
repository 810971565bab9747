/** `apexseo key set`, `apexseo tenant resume` and `apexseo migrate`. */
import type { Command } from 'commander';
import { resumeTenantWorkflows } from '@apexseo/worker-sdk';
import { openStoreClients } from '../worker/store-clients.js';
import { CliError } from './cli-errors.js';
import type { CliIo } from './cli-io.js';
import { KeyServiceAdmin } from './key-service-admin.js';
import { readSecret } from './secret-input.js';
import { connectCliClient } from './temporal-client.js';
import type { LlmProvider } from '@apexseo/worker-sdk';

function provider(value: string): LlmProvider {
  if (value !== 'openai' && value !== 'anthropic')
    throw new CliError(
      'INVALID_OPTION',
      `--provider must be openai or anthropic (got ${JSON.stringify(value)})`,
    );
  return value;
}

/** What the key-service admin commands are told of the key service (each falls back to the environment). */
interface KeyServiceAdminFlags {
  keyServiceUrl?: string;
  adminTokenFile?: string;
}

/** Adds the key-service admin options to a command. */
function withKeyServiceAdminFlags(command: Command): Command {
  return command
    .option('--key-service-url <url>', 'key service base URL (default APEXSEO_KEY_SERVICE_URL)')
    .option(
      '--admin-token-file <path>',
      'file holding the admin bearer token (default APEXSEO_ADMIN_TOKEN_FILE)',
    );
}

function adminOptions(io: CliIo, opts: KeyServiceAdminFlags): { baseUrl: string; adminTokenFile: string } {
  const adminTokenFile = opts.adminTokenFile ?? io.env.APEXSEO_ADMIN_TOKEN_FILE;
  if (!adminTokenFile)
    throw new CliError('ADMIN_TOKEN_UNREADABLE', 'give --admin-token-file or set APEXSEO_ADMIN_TOKEN_FILE');
  return {
    baseUrl: opts.keyServiceUrl ?? io.env.APEXSEO_KEY_SERVICE_URL ?? 'http://127.0.0.1:8080',
    adminTokenFile,
  };
}

export function registerAdminCommands(program: Command, io: CliIo): void {
  const key = program.command('key').description('tenant LLM keys in the key service');
  withKeyServiceAdminFlags(
    key
      .command('set')
      .description(
        'store a tenant’s LLM key: typed at a hidden prompt, or piped on stdin (never given as an argument)',
      )
      .requiredOption('--tenant <id>', 'tenant id')
      .requiredOption('--provider <name>', 'openai or anthropic', provider),
  ).action(async (opts: { tenant: string; provider: LlmProvider } & KeyServiceAdminFlags) => {
    const admin = await KeyServiceAdmin.open(adminOptions(io, opts));
    const apiKey = await readSecret(`${opts.provider} key for tenant ${opts.tenant}: `, io.in, io.err);
    const stored = await admin.putKey(opts.tenant, opts.provider, apiKey);
    io.result(
      stored,
      `Stored ${stored.provider} key version ${stored.keyVersion} for tenant ${stored.tenantId} (fingerprint ${stored.fingerprint})`,
    );
  });

  const tenant = program.command('tenant').description('tenant operations');
  withKeyServiceAdminFlags(
    tenant
      .command('resume')
      .description('resume a paused tenant in the key service and wake its parked audits')
      .requiredOption('--tenant <id>', 'tenant id')
      .option('--provider <name>', 'only this provider', provider),
  ).action(async (opts: { tenant: string; provider?: LlmProvider } & KeyServiceAdminFlags) => {
    const admin = await KeyServiceAdmin.open(adminOptions(io, opts));
    const resumed = await admin.resume(opts.tenant, opts.provider);
    const temporal = await connectCliClient(io.config().temporal);
    try {
      const signalled = await resumeTenantWorkflows(temporal.client, opts.tenant, opts.provider);
      io.result(
        { ...resumed, workflows: signalled },
        `Resumed tenant ${opts.tenant}; parked audits signalled (${signalled.mode})`,
      );
    } finally {
      await temporal.close();
    }
  });

  program
    .command('migrate')
    .description('apply the result stores’ schema migrations')
    .requiredOption('--store <store>', 'clickhouse, neo4j or all')
    .action(async (opts: { store: string }) => {
      if (!['clickhouse', 'neo4j', 'all'].includes(opts.store))
        throw new CliError(
          'INVALID_OPTION',
          `--store must be clickhouse, neo4j or all (got ${JSON.stringify(opts.store)})`,
        );
      const stores = openStoreClients(io.config().stores);
      try {
        const out: Record<string, unknown> = {};
        if (opts.store !== 'neo4j') {
          const { migrateClickHouse } = await import('../storage/clickhouse/clickhouse-migrator.js');
          out.clickhouse = await migrateClickHouse(stores.clickhouse, stores.clickhouseSettings.database);
        }
        if (opts.store !== 'clickhouse') {
          const { migrateNeo4j } = await import('../storage/neo4j/neo4j-migrations.js');
          out.neo4j = await migrateNeo4j(stores.neo4j);
        }
        io.result(out, JSON.stringify(out, null, 2));
      } finally {
        await stores.close();
      }
    });
}
