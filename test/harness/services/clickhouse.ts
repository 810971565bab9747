import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../process/free-port.js';
import type { ClickHouseSettings, RunningService } from '../settings.js';
import { startServer } from './start-server.js';
import { makeServiceDir, removeServiceDir, requireTool, throwawayPassword } from './workspace.js';

const USER = 'apexseo';
const DATABASE = 'apexseo';

/** Attribute-free XML text escaping for values that end up in the generated config. */
function xml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function serverConfig(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <console>1</console>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>${xml(join(dir, 'data'))}/</path>
  <tmp_path>${xml(join(dir, 'tmp'))}/</tmp_path>
  <user_files_path>${xml(join(dir, 'user_files'))}/</user_files_path>
  <format_schema_path>${xml(join(dir, 'format_schemas'))}/</format_schema_path>
  <users_config>${xml(join(dir, 'users.xml'))}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
`;
}

function usersConfig(password: string): string {
  const user = (name: string): string => `
    <${name}>
      <password>${xml(password)}</password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </${name}>`;
  return `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>2000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>${user('default')}${user(USER)}
  </users>
  <quotas>
    <default>
      <interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval>
    </default>
  </quotas>
</yandex>
`;
}

async function httpQuery(url: string, password: string, sql: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${USER}:${password}`).toString('base64')}` },
    body: sql,
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`ClickHouse answered ${response.status}: ${text.trim()}`);
  return text;
}

/**
 * Starts Debian's clickhouse-server (18.16) with a generated config: HTTP and native ports on 127.0.0.1,
 * data in a temporary directory, password-protected users `apexseo` and `default`, and a database `apexseo`.
 * 18.16 predates several features of current ClickHouse (no TTL, no DateTime64): see the README.
 */
export async function startClickHouse(): Promise<RunningService<ClickHouseSettings>> {
  const binary = requireTool('clickhouse-server', [
    '/usr/bin/clickhouse-server',
    '/usr/sbin/clickhouse-server',
  ]);
  const dir = await makeServiceDir('clickhouse');
  try {
    for (const sub of ['data', 'tmp', 'user_files', 'format_schemas']) await mkdir(join(dir, sub));
    const password = throwawayPassword();
    const [httpPort, tcpPort] = [await freePort(), await freePort()];
    const configFile = join(dir, 'config.xml');
    await writeFile(configFile, serverConfig(dir, httpPort, tcpPort));
    await writeFile(join(dir, 'users.xml'), usersConfig(password), { mode: 0o600 });
    const url = `http://127.0.0.1:${httpPort}`;

    const { server, readiness: version } = await startServer({
      service: 'clickhouse',
      dir,
      process: {
        command: binary,
        args: [`--config-file=${configFile}`],
        stopSignal: 'SIGTERM',
        graceMs: 10_000,
      },
      readyTimeoutMs: 60_000,
      ready: async () => (await httpQuery(url, password, 'SELECT version()')).trim(),
    });
    await httpQuery(url, password, `CREATE DATABASE IF NOT EXISTS ${DATABASE}`);

    let stopped: Promise<void> | undefined;
    return {
      settings: { url, username: USER, password, database: DATABASE },
      description: `ClickHouse ${version} on ${url}`,
      stop: () => (stopped ??= server.stop().then(() => removeServiceDir(dir))),
    };
  } catch (error) {
    await removeServiceDir(dir);
    throw error;
  }
}
