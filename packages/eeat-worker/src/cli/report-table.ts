/**
 * Renders an audit report as a readable table: the site summary, then one line per page (level and dimension
 * scores) with its top evidence quotes underneath. Plain text, fixed-width columns, no colours (pipe-safe).
 */
import type { Finding } from '../audit-model.js';
import type { PageResultRow, SiteAuditRow } from '../storage/clickhouse/page-results-store.js';

export interface ReportOptions {
  /** Evidence quotes shown under each audited page. @default 2 */
  readonly quotesPerPage?: number;
  /** Column width of quotes before they are cut with an ellipsis. @default 100 */
  readonly width?: number;
}

const LEVEL_WIDTH = 9;

export function renderReport(
  audit: SiteAuditRow,
  pages: readonly PageResultRow[],
  options: ReportOptions = {},
): string {
  const quotes = options.quotesPerPage ?? 2;
  const width = options.width ?? 100;
  const origin = safeOrigin(audit.siteUrl);
  const lines: string[] = [];
  lines.push(
    `Audit ${audit.auditId} · tenant ${audit.tenantId} (${audit.plan}) · ${audit.siteUrl} · ${audit.status}`,
  );
  const c = audit.counts;
  lines.push(
    `Pages: ${c.total} total · ${c.audited} audited · ${c.skipped} skipped · ${c.failed} failed · median level: ${audit.medianLevel || 'n/a'}`,
  );
  const dims = audit.rating?.dimensions;
  if (dims) {
    const f = (v: number | null | undefined): string =>
      v === null || v === undefined ? '–' : String(Math.round(v));
    lines.push(
      `Site means: Experience ${f(dims.experience)} · Expertise ${f(dims.expertise)} · Authoritativeness ${f(dims.authoritativeness)} · Trust ${f(dims.trust)} · Main content ${f(dims.mc_quality)}`,
    );
  }
  for (const finding of audit.rating?.findings.slice(0, 6) ?? []) {
    lines.push(`  ${finding.polarity === 'positive' ? '+' : '-'} ${finding.message}`);
  }
  lines.push('');
  lines.push(
    `${'LEVEL'.padEnd(LEVEL_WIDTH)} ${['E', 'Ex', 'A', 'T', 'MC'].map((h) => h.padStart(3)).join(' ')}  PAGE`,
  );
  for (const page of pages) {
    const path = page.pageUrl.startsWith(origin) ? page.pageUrl.slice(origin.length) || '/' : page.pageUrl;
    if (page.outcome !== 'audited') {
      const label = `${page.outcome}: ${page.outcomeReason.replaceAll('_', ' ')}`;
      lines.push(
        `${page.outcome.padEnd(LEVEL_WIDTH)} ${''.padStart(19)}  ${path}  (${label}${page.outcomeDetail ? ` — ${cut(page.outcomeDetail, 60)}` : ''})`,
      );
      continue;
    }
    const s = page.scores;
    const nums = [s.experience, s.expertise, s.authoritativeness, s.trust, s.mcQuality]
      .map((v) => (v === null ? '–' : String(v)).padStart(3))
      .join(' ');
    lines.push(
      `${page.level.padEnd(LEVEL_WIDTH)} ${nums}  ${path}${page.gatedBy ? `  [gate ${page.gatedBy}]` : ''}`,
    );
    for (const finding of topEvidence(page.rating?.findings ?? [], page.level, quotes)) {
      const quote = finding.evidence.kind === 'quote' ? `“${cut(finding.evidence.quote, width)}”` : '';
      lines.push(
        `    ${finding.polarity === 'positive' ? '+' : '-'} ${finding.dimension}: ${finding.message}${quote ? ` ${quote}` : ''}`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * The findings that best explain a page's level: E-E-A-T and main-content findings before the page-purpose
 * label, verified quotes before other evidence, and for weak pages the negative findings (why it is weak), for
 * strong pages the positive ones.
 */
export function topEvidence(findings: readonly Finding[], level: string, count: number): Finding[] {
  const weak = level === 'lowest' || level === 'low';
  const evidence = (f: Finding): number =>
    f.evidence.kind === 'quote' && f.evidence.verified ? 0 : f.evidence.kind === 'quote' ? 1 : 2;
  const score = (f: Finding): number =>
    (f.dimension === 'purpose' ? 100 : 0) + ((f.polarity === 'negative') === weak ? 0 : 10) + evidence(f);
  return [...findings].sort((a, b) => score(a) - score(b)).slice(0, count);
}

function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
