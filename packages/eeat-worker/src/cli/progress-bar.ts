/** A one-line progress bar for `audit start --follow` (redrawn in place on a terminal, one line per change otherwise). */
import type { AuditProgress } from '../workflows/audit-workflow-types.js';

export function renderProgress(p: AuditProgress, width = 30): string {
  const finished = p.done + p.failed + p.skipped;
  const total = Math.max(p.total, finished);
  const ratio = total === 0 ? 0 : finished / total;
  const filled = Math.round(ratio * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `${bar} ${pct} ${finished}/${total} pages · ${p.done} audited · ${p.failed} failed · ${p.skipped} skipped · ${p.phase}${p.parked ? ' · PARKED (tenant paused)' : ''}`;
}

export class ProgressPrinter {
  private last = '';
  constructor(private readonly out: NodeJS.WriteStream) {}

  update(p: AuditProgress): void {
    const line = renderProgress(p);
    if (line === this.last) return;
    this.last = line;
    if (this.out.isTTY) this.out.write(`\r\u001b[2K${line}`);
    else this.out.write(`${line}\n`);
  }

  done(): void {
    if (this.out.isTTY && this.last) this.out.write('\n');
  }
}
