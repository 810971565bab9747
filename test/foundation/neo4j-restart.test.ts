import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNeo4j, type Neo4jSettings, type RunningNeo4j } from '../harness/index.js';

async function markers(settings: Neo4jSettings, id: string): Promise<string[]> {
  const driver = neo4j.driver(settings.boltUrl, neo4j.auth.basic(settings.username, settings.password));
  try {
    const { records } = await driver.executeQuery('MATCH (m:RestartMarker {id: $id}) RETURN m.note AS note', {
      id,
    });
    return records.map((record) => record.get('note') as string);
  } finally {
    await driver.close();
  }
}

// A private server (not the shared one from useServices) because this test restarts it.
describe('startNeo4j().restart()', () => {
  let server: RunningNeo4j;

  beforeAll(async () => {
    server = await startNeo4j();
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('should come back on the same Bolt port with the graph and password it had before', async () => {
    const before = server.settings;
    const id = crypto.randomUUID();
    const driver = neo4j.driver(before.boltUrl, neo4j.auth.basic(before.username, before.password));
    try {
      await driver.executeQuery('CREATE (:RestartMarker {id: $id, note: "written before the restart"})', {
        id,
      });
    } finally {
      await driver.close();
    }

    const started = Date.now();
    await server.restart();
    const restartMs = Date.now() - started;

    // Connecting with the settings from before the restart (URL, user, password) proves port and password;
    // finding the marker proves the database folder was reopened, not replaced by an empty one.
    expect(await markers(before, id)).toEqual(['written before the restart']);
    console.info(
      `[foundation] Neo4j restart in place at ${before.boltUrl}: ${(restartMs / 1000).toFixed(1)} s`,
    );
  }, 300_000);
});
