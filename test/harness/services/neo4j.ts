import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HarnessError } from '../errors.js';
import { freePort } from '../process/free-port.js';
import type { SupervisedProcess } from '../process/supervised-process.js';
import type { RunningNeo4j } from '../settings.js';
import { startRestartableServer, startServer, type RestartableServer } from './start-server.js';
import { makeServiceDir, requireTool, throwawayPassword, toolsDir } from './workspace.js';

/** Where bootstrap.sh builds test/harness/neo4j (Launcher.java + the neo4j-harness jars). */
const launcherDir = join(toolsDir, 'neo4j');
const USERNAME = 'neo4j';

function javaBinary(): string {
  const candidates = [];
  if (process.env.JAVA_HOME !== undefined) candidates.push(join(process.env.JAVA_HOME, 'bin', 'java'));
  candidates.push('/usr/bin/java');
  return requireTool('Java 17+', candidates);
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/**
 * Starts a real Neo4j 5.26 (the engine of its Maven test harness, run by test/harness/neo4j/Launcher.java):
 * Bolt on a free 127.0.0.1 port, authentication on, user `neo4j` with a generated password. The launcher
 * prints its Bolt URL once the database accepts connections and exits when its stdin closes. `restart()`
 * stops it in order and starts it again on the same port with the same database folder and password, so
 * the graph survives, as it does when a real deployment's Neo4j restarts.
 */
export async function startNeo4j(): Promise<RunningNeo4j> {
  requireTool('Neo4j launcher', [
    join(launcherDir, 'classes', 'com', 'apexseo', 'harness', 'neo4j', 'Launcher.class'),
  ]);
  const java = javaBinary();
  const dir = await makeServiceDir('neo4j');
  const password = throwawayPassword();
  const port = await freePort();
  const boltUrl = `bolt://127.0.0.1:${port}`;

  const launch = async (): Promise<SupervisedProcess> => {
    const logFile = join(dir, 'neo4j.log');
    // A restart appends to the same log: only a BOLT_URL line written after this launch means "ready".
    const logStart = await fileSize(logFile);
    const { server } = await startServer({
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
          String(port),
        ],
        stopSignal: 'SIGTERM',
        graceMs: 20_000,
      },
      readyTimeoutMs: 240_000,
      ready: async (process) => {
        const log = (await readFile(process.logFile)).subarray(logStart).toString('utf8');
        return /^BOLT_URL=bolt:\/\/\S+$/m.test(log) ? true : undefined;
      },
    });
    return server;
  };

  let server: RestartableServer;
  try {
    server = await startRestartableServer('neo4j', dir, launch);
  } catch (error) {
    if (error instanceof HarnessError) throw error;
    throw new HarnessError('SERVICE_START_FAILED', `neo4j: ${String(error)}`, { cause: error });
  }
  return {
    settings: { boltUrl, username: USERNAME, password },
    description: `Neo4j 5.26 (embedded engine of the Maven test harness) at ${boltUrl}`,
    ...server,
  };
}
