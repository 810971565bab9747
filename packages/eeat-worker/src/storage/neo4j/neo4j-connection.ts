/** Neo4j connection settings from the environment (`APEXSEO_NEO4J_*`, see docs/architecture.md). */
import neo4j, { type Driver } from 'neo4j-driver';
import { z } from 'zod';
import { StorageConfigError } from '../storage-errors.js';

export const Neo4jSettingsSchema = z.object({
  boltUrl: z.string().regex(/^(bolt|neo4j)(\+s|\+ssc)?:\/\/.+/, 'must be a bolt:// or neo4j:// URL'),
  username: z.string().min(1),
  password: z.string(),
});
export type Neo4jSettings = z.infer<typeof Neo4jSettingsSchema>;

export function neo4jSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): Neo4jSettings {
  const parsed = Neo4jSettingsSchema.safeParse({
    boltUrl: env.APEXSEO_NEO4J_URL ?? 'bolt://127.0.0.1:7687',
    username: env.APEXSEO_NEO4J_USER ?? 'neo4j',
    password: env.APEXSEO_NEO4J_PASSWORD ?? '',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field =
      { boltUrl: 'URL', username: 'USER', password: 'PASSWORD' }[String(issue?.path[0]) as 'boltUrl'] ??
      'URL';
    throw new StorageConfigError(`APEXSEO_NEO4J_${field}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function createNeo4jDriver(settings: Neo4jSettings): Driver {
  return neo4j.driver(settings.boltUrl, neo4j.auth.basic(settings.username, settings.password), {
    maxTransactionRetryTime: 30_000,
    connectionAcquisitionTimeout: 30_000,
    disableLosslessIntegers: true,
  });
}
