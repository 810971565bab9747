#!/usr/bin/env node
/**
 * The key-service binary:
 *   serve    run the API (port 8080) and /metrics (port 9464)
 *   migrate  bring the schema up to date (the Helm pre-install/pre-upgrade hook Job); safe to run concurrently
 *   rewrap   move every data key to the current KEK version (after adding one); never decrypts an LLM key
 */
import {
  loadKeyServiceConfig,
  loadPostgresConfig,
  KeyServiceConfigError,
} from './config/key-service-config.js';
import { migrate } from './db/migrate.js';
import { createPgPool } from './db/pg-pool.js';
import { createKekProvider } from './kek/create-kek-provider.js';
import { rewrapDataKeys } from './keys/rewrap-job.js';
import { createLogger } from './logging/logger.js';
import { createKeyService } from './service/key-service.js';

async function run(command: string | undefined): Promise<number> {
  if (command !== 'serve' && command !== 'migrate' && command !== 'rewrap') {
    process.stderr.write('usage: key-service serve | migrate | rewrap\n');
    return 64;
  }
  if (command === 'migrate') {
    // The migration Job gets only the database settings.
    const { postgres, logLevel } = loadPostgresConfig(process.env);
    const pool = createPgPool({ ...postgres, poolSize: 1 });
    try {
      const result = await migrate(pool);
      createLogger(logLevel).info(
        { event: 'migrated', applied: result.applied, schemaVersion: result.current },
        'schema is up to date',
      );
      return 0;
    } finally {
      await pool.end();
    }
  }
  const config = loadKeyServiceConfig(process.env);
  const logger = createLogger(config.logLevel);
  switch (command) {
    case 'serve': {
      const service = await createKeyService(config);
      const urls = await service.start();
      // Supervisors (and the test harness) wait for this line, so it is written even when the log
      // level hides info messages.
      if (!logger.isLevelEnabled('info')) {
        process.stdout.write(`${JSON.stringify({ service: 'key-service', event: 'listening', ...urls })}\n`);
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        service.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      return -1;
    }
    case 'rewrap': {
      const pool = createPgPool({ ...config.postgres, poolSize: 2 });
      const kek = await createKekProvider(config.kek);
      try {
        const result = await rewrapDataKeys(pool, kek, logger);
        return result.failed === 0 ? 0 : 2;
      } finally {
        await pool.end();
      }
    }
  }
}

run(process.argv[2]).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    const message =
      error instanceof KeyServiceConfigError || error instanceof Error ? error.message : 'unknown error';
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'key-service', msg: message })}\n`);
    process.exit(1);
  },
);
