/**
 * Entry of scripts/demo.sh: the main job on embedded defaults. For now it starts the local stack through the
 * services harness (the same servers the tests use), proves each one answers, and stops them.
 * `--keep` leaves the stack running (connection settings printed) until Ctrl-C.
 */
import { serviceNames, ServiceRegistry, type ServiceName } from '../test/harness/index.js';
import { healthChecks } from './demo/stack-health.js';

const keep = process.argv.includes('--keep');
const registry = new ServiceRegistry({ log: (line) => process.stdout.write(`  ${line}\n`) });

async function checkService<K extends ServiceName>(name: K): Promise<boolean> {
  const service = await registry.ensure(name);
  try {
    const summary = await healthChecks[name](service.settings);
    process.stdout.write(`  ✔ ${name.padEnd(10)} ${summary}\n`);
    return true;
  } catch (error) {
    process.stdout.write(
      `  ✘ ${name.padEnd(10)} ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return false;
  }
}

async function main(): Promise<number> {
  process.stdout.write(
    'ApexSEO local stack: starting PostgreSQL, Temporal, ClickHouse and Neo4j on 127.0.0.1 ...\n',
  );
  const results = await Promise.all(serviceNames.map((name) => checkService(name)));
  const healthy = results.every(Boolean);
  process.stdout.write(healthy ? '\nLocal stack healthy.\n' : '\nLocal stack NOT healthy.\n');
  if (keep && healthy) {
    for (const name of serviceNames) {
      const { settings } = await registry.ensure(name);
      process.stdout.write(`  ${name}: ${JSON.stringify(settings)}\n`);
    }
    process.stdout.write('Running until Ctrl-C ...\n');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
  return healthy ? 0 : 1;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await registry.stopAll();
}
process.exit(exitCode);
