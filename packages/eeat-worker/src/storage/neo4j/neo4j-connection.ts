/** Neo4j connection settings (read from `APEXSEO_NEO4J_*` by src/config/eeat-config.ts) and the driver built from them. */
import neo4j, { type Driver } from 'neo4j-driver';
import { z } from 'zod';

export const Neo4jSettingsSchema = z.object({
  boltUrl: z.string().regex(/^(bolt|neo4j)(\+s|\+ssc)?:\/\/.+/, 'must be a bolt:// or neo4j:// URL'),
  username: z.string().min(1),
  password: z.string(),
});
export type Neo4jSettings = z.infer<typeof Neo4jSettingsSchema>;

export function createNeo4jDriver(settings: Neo4jSettings): Driver {
  return neo4j.driver(settings.boltUrl, neo4j.auth.basic(settings.username, settings.password), {
    maxTransactionRetryTime: 30_000,
    connectionAcquisitionTimeout: 30_000,
    disableLosslessIntegers: true,
  });
}
