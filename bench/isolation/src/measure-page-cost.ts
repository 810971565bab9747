/**
 * Calibration: the real per-page cost of a heuristic audit in the eeat-worker's analysis engine (fetch from the
 * bundled sample site over loopback, extract, build the site context, rate), as this thread's CPU time and wall
 * time per page. The synthetic activity's cpuMs is set from this figure (see README).
 *   node --import tsx bench/isolation/src/measure-page-cost.ts [--rounds 20]
 */
import { parseArgs } from 'node:util';
import { createAnalysisEngine, PrivateHostAllowance, type PageFacts } from '@apexseo/eeat-worker/analysis';
import { startSampleSite } from '../../../packages/eeat-worker/test/local-stack/sample-site-server.js';
import { summarise } from '../../support/percentiles.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } });
const rounds = Number(values.rounds);

// The whole process: extraction and rating run in the engine's analysis threads.
const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const site = await startSampleSite();
try {
  const engine = createAnalysisEngine({
    privateHosts: PrivateHostAllowance.parse('127.0.0.1:*'),
    analysis: { threads: 1 },
  });
  const signal = new AbortController().signal;
  const found = await engine.discover(
    site.origin,
    { pages: 50, depth: 3, concurrencyPerHost: 4 },
    {
      allowHosts: [site.allowHost],
      heartbeat: () => undefined,
      signal,
    },
  );
  const cpuPerPage: number[] = [];
  const wallPerPage: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const facts: PageFacts[] = [];
    for (const url of found.urls) {
      const cpu0 = cpuMicros();
      const wall0 = performance.now();
      const collected = await engine.collect(url, {
        siteUrl: site.origin,
        allowHosts: [site.allowHost],
        signal,
      });
      if (collected.ok) facts.push({ ...collected.facts, url });
      cpuPerPage.push((cpuMicros() - cpu0) / 1000);
      wallPerPage.push(performance.now() - wall0);
    }
    const cpu0 = cpuMicros();
    const context = engine.siteContext(site.origin, facts);
    for (const f of facts) await engine.rateHeuristic(f, context);
    const rateCpuPerPage = (cpuMicros() - cpu0) / 1000 / Math.max(1, facts.length);
    // Attribute the site-context + rating CPU evenly to this round's pages.
    for (let i = cpuPerPage.length - facts.length; i < cpuPerPage.length; i++)
      cpuPerPage[i] = (cpuPerPage[i] ?? 0) + rateCpuPerPage;
  }
  const warm = cpuPerPage.slice(found.urls.length); // first round warms the JIT
  const cpu = summarise(warm);
  const wall = summarise(wallPerPage.slice(found.urls.length));
  process.stdout.write(
    `${JSON.stringify({ pages: found.urls.length, rounds, cpuMsPerPage: { p50: cpu.p50, mean: cpu.mean, p95: cpu.p95 }, fetchAndExtractWallMs: { p50: wall.p50, p95: wall.p95 } })}\n`,
  );
  await engine.close();
} finally {
  await site.close();
}
