import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from 'pino';

/**
 * Temporal's runtime logger on top of pino, so the SDK's worker, workflow and activity log lines come out as the
 * same JSON as the worker's own (component `temporal`), with pino's level filter and redaction.
 */
export function pinoTemporalLogger(logger: Logger): TemporalLogger {
  const child = logger.child({ component: 'temporal' });
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    const fields = meta ?? {};
    switch (level) {
      case 'TRACE':
        child.trace(fields, message);
        break;
      case 'DEBUG':
        child.debug(fields, message);
        break;
      case 'INFO':
        child.info(fields, message);
        break;
      case 'WARN':
        child.warn(fields, message);
        break;
      case 'ERROR':
        child.error(fields, message);
        break;
    }
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}
