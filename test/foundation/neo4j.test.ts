import neo4j, { type Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServices, type Neo4jSettings } from '../harness/index.js';

describe('Neo4j (harness)', () => {
  let settings: Neo4jSettings;
  let driver: Driver;

  beforeAll(async () => {
    ({ neo4j: settings } = await useServices('neo4j'));
    driver = neo4j.driver(settings.boltUrl, neo4j.auth.basic(settings.username, settings.password));
  });

  afterAll(async () => {
    await driver?.close();
  });

  it('should write a small site graph over Bolt and read it back with Cypher', async () => {
    const site = `https://example-${crypto.randomUUID().slice(0, 8)}.test`;
    await driver.executeQuery(
      `MERGE (s:Site {url: $site})
       MERGE (a:Page {url: $site + '/'}) MERGE (b:Page {url: $site + '/about'})
       MERGE (s)-[:HAS_PAGE]->(a) MERGE (s)-[:HAS_PAGE]->(b) MERGE (a)-[:LINKS_TO]->(b)`,
      { site },
    );
    const { records } = await driver.executeQuery(
      `MATCH (:Site {url: $site})-[:HAS_PAGE]->(from:Page)-[:LINKS_TO]->(to:Page) RETURN from.url AS from, to.url AS to`,
      { site },
    );
    expect(records.map((record) => [record.get('from') as string, record.get('to') as string])).toEqual([
      [`${site}/`, `${site}/about`],
    ]);
    const info = await driver.getServerInfo();
    console.info(
      `[foundation] Neo4j ${settings.boltUrl}: ${info.agent ?? 'unknown agent'}, Cypher round trip ok`,
    );
  });

  it('should reject a wrong password', async () => {
    const intruder = neo4j.driver(settings.boltUrl, neo4j.auth.basic(settings.username, 'not-the-password'));
    try {
      await expect(intruder.executeQuery('RETURN 1')).rejects.toThrow(/unauthorized|authentication failure/i);
    } finally {
      await intruder.close();
    }
  });
});
