/**
 * Assembles charts/apexseo with its real dependency charts, for a shell or a cluster test:
 *
 *   npx tsx test/chart/tools/assemble-chart.ts [DEST]
 *
 * Copies the chart to DEST/apexseo (default: a new temporary folder) with the packages from
 * ${APEXSEO_UPSTREAM_CHARTS:-/work/shared/upstream-charts} in its charts/ folder. Any dependency version the copy
 * had to change (neo4j 5.26.21 -> 5.17.0, the newest packaged) is reported on stderr. The last line on stdout is
 * the chart folder, ready for `helm lint`, `helm template` or `helm install`; delete it when done.
 */
import { assembleChartWithDependencies } from '../support/chart-with-dependencies.js';

const dest = process.argv[2];
const chart = await assembleChartWithDependencies(dest ? { dest } : {});
for (const line of chart.substitutions) process.stderr.write(`version rewritten: ${line}\n`);
process.stderr.write(`dependencies: ${chart.packages.join(', ')}\n`);
process.stdout.write(`${chart.dir}\n`);
