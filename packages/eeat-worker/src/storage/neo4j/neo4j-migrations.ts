/**
 * Neo4j schema: a uniqueness constraint per node label on (tenantId, key). Community Edition has a single
 * database, so the tenant is part of every key; the constraint also gives MERGE an index-backed lookup and
 * makes concurrent MERGEs of the same node safe (MERGE alone does not guarantee uniqueness).
 */
import type { Driver } from 'neo4j-driver';
import { MigrationError } from '../storage-errors.js';

export const GRAPH_KEYS = {
  Site: 'siteKey',
  Page: 'pageId',
  Author: 'authorKey',
  Organization: 'orgKey',
  ExternalSource: 'domain',
  Topic: 'slug',
  Audit: 'auditId',
} as const;
export type GraphLabel = keyof typeof GRAPH_KEYS;

export function constraintStatements(): string[] {
  return Object.entries(GRAPH_KEYS).map(
    ([label, key]) =>
      `CREATE CONSTRAINT ${label.toLowerCase()}_tenant_key IF NOT EXISTS FOR (n:${label}) REQUIRE (n.tenantId, n.${key}) IS UNIQUE`,
  );
}

export async function migrateNeo4j(driver: Driver): Promise<{ constraints: string[] }> {
  const session = driver.session();
  try {
    for (const statement of constraintStatements()) {
      try {
        await session.run(statement);
      } catch (error) {
        throw new MigrationError(`Neo4j constraint failed: ${(error as Error).message}`, statement, {
          cause: error,
        });
      }
    }
    const result = await session.run('SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name');
    return { constraints: result.records.map((r) => String(r.get('name'))) };
  } finally {
    await session.close();
  }
}
