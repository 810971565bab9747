/** `apexseo audit start` and `apexseo audit report`. */
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import type { LlmProvider } from '@apexseo/worker-sdk';
import { startAudit } from '../routing/start-audit.js';
import { openStoreClients } from '../worker/store-clients.js';
import type { AuditProgress, AuditSiteResult } from '../workflows/audit-workflow-types.js';
import { progressQuery } from '../workflows/audit-queries.js';
import { CliError } from './cli-errors.js';
import type { CliIo } from './cli-io.js';
import { ProgressPrinter } from './progress-bar.js';
import { renderReport } from './report-table.js';
import { connectCliClient } from './temporal-client.js';

function int(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new CliError('INVALID_OPTION', `--${name} must be a whole number (got ${JSON.stringify(value)})`);
    return n;
  };
}

function plan(value: string): 'mrr' | 'ltd' {
  if (value !== 'mrr' && value !== 'ltd')
    throw new CliError('INVALID_OPTION', `--plan must be mrr or ltd (got ${JSON.stringify(value)})`);
  return value;
}

interface StartOptions {
  tenant: string;
  plan: 'mrr' | 'ltd';
  site: string;
  auditId?: string;
  pages?: number;
  depth?: number;
  concurrency?: number;
  scoring: 'heuristic' | 'llm';
  provider?: LlmProvider;
  allowHost: string[];
  follow?: boolean;
  report?: boolean;
}

export function registerAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('start, follow and report E-E-A-T audits');

  audit
    .command('start')
    .description('start an audit on the pool of the tenant’s plan (mrr → eeat-priority, ltd → eeat-standard)')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--plan <plan>', 'mrr or ltd', plan)
    .requiredOption('--site <url>', 'site start URL')
    .option('--audit-id <id>', 're-use an audit id (re-runs it in place); default: a new id')
    .option('--pages <n>', 'page limit', int('pages'))
    .option('--depth <n>', 'link depth', int('depth'))
    .option('--concurrency <n>', 'pages of one host at a time', int('concurrency'))
    .option(
      '--scoring <mode>',
      'heuristic or llm (default: APEXSEO_SCORING, else heuristic)',
      io.env.APEXSEO_SCORING ?? 'heuristic',
    )
    .option('--provider <name>', 'LLM provider of the tenant key (openai or anthropic)')
    .option(
      '--allow-host <host:port>',
      'allow a loopback/private host (local sample sites only, and only where APEXSEO_FETCH_PRIVATE_HOSTS permits it; repeatable)',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--follow', 'wait for the audit, showing a progress bar')
    .option('--report', 'with --follow: print the report when the audit completes')
    .action(async (opts: StartOptions) => {
      if (opts.scoring !== 'heuristic' && opts.scoring !== 'llm')
        throw new CliError('INVALID_OPTION', '--scoring must be heuristic or llm');
      if (opts.provider && opts.provider !== 'openai' && opts.provider !== 'anthropic')
        throw new CliError('INVALID_OPTION', '--provider must be openai or anthropic');
      const { temporal: temporalSettings, privateHosts } = io.config();
      const temporal = await connectCliClient(temporalSettings);
      try {
        const started = await startAudit(
          temporal.client,
          {
            tenantId: opts.tenant,
            plan: opts.plan,
            siteUrl: opts.site,
            ...(opts.auditId ? { auditId: opts.auditId } : {}),
            limits: {
              ...(opts.pages !== undefined ? { pages: opts.pages } : {}),
              ...(opts.depth !== undefined ? { depth: opts.depth } : {}),
              ...(opts.concurrency !== undefined ? { concurrencyPerHost: opts.concurrency } : {}),
            },
            scoring: opts.scoring,
            ...(opts.provider ? { provider: opts.provider } : {}),
            ...(opts.allowHost.length ? { allowHosts: opts.allowHost } : {}),
          },
          { privateHosts },
        );
        const ids = {
          auditId: started.auditId,
          workflowId: started.workflowId,
          taskQueue: started.taskQueue,
        };
        if (!opts.follow) {
          io.result(
            ids,
            `Started audit ${started.auditId} on ${started.taskQueue} (workflow ${started.workflowId})`,
          );
          return;
        }
        if (!io.json) io.err.write(`Audit ${started.auditId} on ${started.taskQueue}\n`);
        const printer = io.json ? null : new ProgressPrinter(io.err);
        const resultPromise = started.handle.result();
        let finished: AuditSiteResult | undefined;
        let failure: unknown;
        resultPromise.then(
          (r) => (finished = r),
          (e: unknown) => (failure = e ?? new Error('audit failed')),
        );
        let progress: AuditProgress | undefined;
        while (!finished && !failure) {
          try {
            progress = await started.handle.query(progressQuery);
            printer?.update(progress);
          } catch {
            // Between runs (continue-as-new) or before the first workflow task the query can fail: try again.
          }
          await sleep(400);
        }
        if (printer && finished) {
          // One last read so the bar ends on the final state even when the audit finished between polls.
          printer.update(
            await started.handle.query(progressQuery).catch(() => progress ?? emptyProgress(started.auditId)),
          );
        }
        printer?.done();
        if (failure) {
          const cause =
            failure instanceof WorkflowFailedError && failure.cause
              ? failure.cause.message
              : (failure as Error).message;
          throw new CliError('AUDIT_FAILED', `audit ${started.auditId} failed: ${cause}`, 1);
        }
        const result = finished as AuditSiteResult;
        if (opts.report && !io.json) {
          io.out.write(`${await loadReport(io, opts.tenant, started.auditId)}\n`);
          return;
        }
        io.result(
          { ...ids, ...result },
          `Audit ${result.auditId}: ${result.counts.audited} audited, ${result.counts.skipped} skipped, ${result.counts.failed} failed; median level ${result.medianLevel ?? 'n/a'}`,
        );
      } finally {
        await temporal.close();
      }
    });

  audit
    .command('report')
    .description('show an audit’s report: level, dimension scores and top evidence quotes per page')
    .requiredOption('--tenant <id>', 'tenant id (reports are tenant-scoped)')
    .requiredOption('--audit <id>', 'audit id')
    .option('--quotes <n>', 'evidence quotes per page', int('quotes'), 2)
    .action(async (opts: { tenant: string; audit: string; quotes: number }) => {
      if (io.json) {
        const stores = openStoreClients(io.config().stores);
        try {
          const audit = await stores.results.siteAudit(opts.tenant, opts.audit);
          if (!audit)
            throw new CliError('AUDIT_NOT_FOUND', `tenant ${opts.tenant} has no audit ${opts.audit}`, 1);
          const pages = await stores.results.auditPages(opts.tenant, opts.audit);
          io.result({ audit, pages }, '');
        } finally {
          await stores.close();
        }
        return;
      }
      io.out.write(`${await loadReport(io, opts.tenant, opts.audit, opts.quotes)}\n`);
    });
}

async function loadReport(io: CliIo, tenantId: string, auditId: string, quotes = 2): Promise<string> {
  const stores = openStoreClients(io.config().stores);
  try {
    const audit = await stores.results.siteAudit(tenantId, auditId);
    if (!audit) throw new CliError('AUDIT_NOT_FOUND', `tenant ${tenantId} has no audit ${auditId}`, 1);
    const pages = await stores.results.auditPages(tenantId, auditId);
    return renderReport(audit, pages, {
      quotesPerPage: quotes,
      width: io.out.columns ? Math.max(40, io.out.columns - 30) : 100,
    });
  } finally {
    await stores.close();
  }
}

function emptyProgress(auditId: string): AuditProgress {
  return { auditId, phase: 'completed', total: 0, done: 0, failed: 0, skipped: 0, parked: false, runs: 0 };
}
