/** A Temporal client for the CLI, from `APEXSEO_TEMPORAL_ADDRESS` / `APEXSEO_TEMPORAL_NAMESPACE`. */
import { Client, Connection } from '@temporalio/client';
import { CliError } from './cli-errors.js';

export async function connectCliClient(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ client: Client; close(): Promise<void> }> {
  const address = env.APEXSEO_TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const namespace = env.APEXSEO_TEMPORAL_NAMESPACE ?? 'default';
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: '10 seconds' });
  } catch (error) {
    throw new CliError(
      'TEMPORAL_UNREACHABLE',
      `Temporal at ${address} unreachable (APEXSEO_TEMPORAL_ADDRESS): ${(error as Error).message}`,
    );
  }
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}
