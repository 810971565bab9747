/** A Temporal client for the CLI, at the configuration's `APEXSEO_TEMPORAL_ADDRESS` / `APEXSEO_TEMPORAL_NAMESPACE`. */
import { Client, Connection } from '@temporalio/client';
import type { EeatCliConfig } from '../config/eeat-config.js';
import { CliError } from './cli-errors.js';

export async function connectCliClient({
  address,
  namespace,
}: EeatCliConfig['temporal']): Promise<{ client: Client; close(): Promise<void> }> {
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
