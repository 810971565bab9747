import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HarnessError } from '../errors.js';
import type { Neo4jSettings, RunningService } from '../settings.js';
import { startServer } from './start-server.js';
import { makeServiceDir, removeServiceDir, requireTool, throwawayPassword, toolsDir } from './workspace.js';

/** Where bootstrap.sh builds test/harness/neo4j (Launcher.java + the neo4j-harness jars). */
const launcherDir = join(toolsDir, 'neo4j');
const USERNAME = 'neo4j';

function javaBinary(): string {
  const candidates = [];
  if (process.env.JAVA_HOME !== undefined) candidates.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  candidates.push('/usr/bin/java');
  return requireTool('Java 17+', candidates);
}

/**
 * Starts a real Neo4j 5.26 through its Maven test harness (test/harness/neo4j/Launcher.java): Bolt on a free
 * 127.0.0.1 port, authentication on, user `neo4j` with a generated password. The launcher prints its Bolt URL
 * once the database accepts connections and exits when its stdin closes.
 */
export async function startNeo4j(): Promise<RunningService<Neo4jSettings>> {
  requireTool('Neo4j launcher', [
    join(launcherDir, 'classes', 'com', 'apexseo', 'harness', 'neo4j', 'Launcher.class'),
  ]);
  const java = javaBinary();
  const dir = await makeServiceDir('neo4j');
  try {
    const password = throwawayPassword();
    const { server, readiness: boltUrl } = await startServer({
      service: 'neo4j',
      dir,
      process: {
        command: java,
        args: [
          // A small, fixed heap keeps the JVM polite on a shared 2-core machine.
          '-Xms128m',
          '-Xmx768m',
          '-XX:+UseSerialGC',
          '-XX:TieredStopAtLevel=1',
          '-cp',
          `${join(launcherDir, 'classes')}:${join(launcherDir, 'lib', '*')}`,
          'com.apexseo.harness.neo4j.Launcher',
          join(dir, 'db'),
          password,
        ],
        stopSignal: 'SIGTERM',
        graceMs: 20_000,
      },
      readyTimeoutMs: 240_000,
      ready: async (process) => {
        const log = await readFile(process.logFile, 'utf8');
        const match = /^BOLT_URL=(bolt:\/\/\S+)$/m.exec(log);
        return match?.[1]?.replace('//localhost:', '//127.0.0.1:').replace(/\/$/, '');
      },
    });
    let stopped: Promise<void> | undefined;
    return {
      settings: { boltUrl, username: USERNAME, password },
      description: `Neo4j 5.26 (Maven test harness) at ${boltUrl}`,
      stop: () => (stopped ??= server.stop().then(() => removeServiceDir(dir))),
    };
  } catch (error) {
    await removeServiceDir(dir);
    if (error instanceof HarnessError) throw error;
    throw new HarnessError('SERVICE_START_FAILED', `neo4j: ${String(error)}`, { cause: error });
  }
}
