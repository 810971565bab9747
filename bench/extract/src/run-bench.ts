/**
 * Extraction benchmark: ApexSEO's htmlparser2 extractor vs @mozilla/readability on jsdom, over the same
 * deterministic corpus in the same run, each in its own child process pinned to one CPU core (taskset),
 * one after the other (A B B A). Writes bench/extract/results/latest.json and prints a summary.
 *
 *   node --import tsx bench/extract/src/run-bench.ts [--seconds 8] [--generated 240]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCorpus } from './corpus.js';

/** The extractor must stay at least this many times faster than Readability on jsdom (pages per CPU-second). */
const SPEEDUP_GOAL = 10;

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '8' }, generated: { type: 'string', default: '240' } },
});
const here = new URL('.', import.meta.url).pathname;
const corpus = buildCorpus(Number(values.generated));
const dir = mkdtempSync(join(tmpdir(), 'extract-bench-'));
const corpusFile = join(dir, 'corpus.json');
writeFileSync(corpusFile, JSON.stringify(corpus));
const totalBytes = corpus.reduce((s, p) => s + p.html.length, 0);
const templates = [...new Set(corpus.map((p) => p.template))];

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
}
const pin = hasTaskset();

function measure(impl: string): Record<string, unknown> {
  const args = [
    '--import',
    'tsx',
    join(here, 'measure.ts'),
    '--impl',
    impl,
    '--corpus',
    corpusFile,
    '--seconds',
    values.seconds,
  ];
  const [cmd, argv] = pin
    ? ['taskset', ['-c', String(cpus().length - 1), process.execPath, ...args]]
    : [process.execPath, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${impl} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

// A B B A: each extractor runs twice, in mirrored order, so load that drifts during the run hits both alike.
const runs = [measure('apexseo'), measure('readability'), measure('readability'), measure('apexseo')];
const mean = (impl: string, key: string): number => {
  const mine = runs.filter((r) => r['impl'] === impl).map((r) => r[key] as number);
  return Math.round((mine.reduce((a, b) => a + b, 0) / mine.length) * 10) / 10;
};
const summary = (impl: string): Record<string, unknown> => ({
  pagesPerSecondOneCore: mean(impl, 'pagesPerSecond'),
  wallPagesPerSecond: mean(impl, 'wallPagesPerSecond'),
  peakRssMb: Math.max(...runs.filter((r) => r['impl'] === impl).map((r) => r['peakRssMb'] as number)),
  runs: runs.filter((r) => r['impl'] === impl),
});
const floor = measure('none');
const ours = summary('apexseo');
const baseline = summary('readability');
const ratio =
  Math.round(
    ((ours['pagesPerSecondOneCore'] as number) / (baseline['pagesPerSecondOneCore'] as number)) * 10,
  ) / 10;
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  pinnedToOneCore: pin,
  corpus: {
    pages: corpus.length,
    templates,
    totalKiB: Math.round(totalBytes / 1024),
    meanKiB: Math.round(totalBytes / corpus.length / 102.4) / 10,
  },
  apexseo: ours,
  readabilityJsdom: baseline,
  /** Peak RSS of the same process doing no extraction (Node + tsx + the corpus held in memory). */
  processFloorPeakRssMb: floor['peakRssMb'],
  speedup: ratio,
  goal: SPEEDUP_GOAL,
  goalMet: ratio >= SPEEDUP_GOAL,
};
const results = join(here, '..', 'results');
mkdirSync(results, { recursive: true });
writeFileSync(join(results, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
