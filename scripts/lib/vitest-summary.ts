/**
 * Prints vitest's totals as one plain closing line, `vitest: N passed, N failed` (plus skipped/todo when
 * present), from its JSON report. Run by Node 24 directly (type stripping).
 */
import { readFileSync } from 'node:fs';

interface VitestJson {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  testResults?: { name?: string; status?: string }[];
}

const path = process.argv[2] ?? '.run/vitest.json';
let report: VitestJson;
try {
  report = JSON.parse(readFileSync(path, 'utf8')) as VitestJson;
} catch {
  process.stdout.write('vitest: no report (vitest did not finish)\n');
  process.exit(1);
}
const failedFiles = (report.testResults ?? []).filter((file) => file.status === 'failed').length;
const extra = [
  report.numPendingTests ? `, ${report.numPendingTests} skipped` : '',
  failedFiles > 0 ? ` (in ${failedFiles} test files)` : '',
].join('');
process.stdout.write(
  `\nvitest: ${report.numPassedTests ?? 0} passed, ${report.numFailedTests ?? 0} failed${extra}\n`,
);
