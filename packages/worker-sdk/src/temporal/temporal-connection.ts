import { readFile } from 'node:fs/promises';
import { NativeConnection, Runtime, type NativeConnectionOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config/worker-config.js';
import { pinoTemporalLogger } from './pino-temporal-logger.js';

/** Connects to Temporal with the configured mTLS and/or Temporal Cloud API key (files read here, never logged). */
export async function connectTemporal(config: WorkerConfig): Promise<NativeConnection> {
  const { address, tls, apiKeyFile } = config.temporal;
  const options: NativeConnectionOptions = { address };
  if (tls.certFile && tls.keyFile) {
    const [crt, key, ca] = await Promise.all([
      readFile(tls.certFile),
      readFile(tls.keyFile),
      tls.caFile ? readFile(tls.caFile) : Promise.resolve(undefined),
    ]);
    options.tls = { clientCertPair: { crt, key }, ...(ca ? { serverRootCACertificate: ca } : {}) };
  } else if (tls.caFile) {
    options.tls = { serverRootCACertificate: await readFile(tls.caFile) };
  }
  if (apiKeyFile) {
    options.apiKey = (await readFile(apiKeyFile, 'utf8')).trim();
    // Temporal Cloud API keys require TLS.
    options.tls ??= true;
  }
  return NativeConnection.connect(options);
}

/**
 * Installs Temporal's Core runtime with its Prometheus exporter (`temporal_*` metrics, durations in seconds) on
 * `metrics.temporalPort` (none when it is 0) and its log lines routed to the worker's pino logger. A process has one runtime: when one is already installed (a second worker, or the
 * application installed its own), this keeps it and returns false.
 */
export function installTemporalRuntime(config: WorkerConfig, logger: Logger): boolean {
  const { temporalPort, host } = config.metrics;
  try {
    Runtime.install({
      logger: pinoTemporalLogger(logger),
      ...(temporalPort === 0
        ? {}
        : {
            telemetryOptions: {
              metrics: {
                prometheus: { bindAddress: `${host}:${temporalPort}`, useSecondsForDurations: true },
              },
            },
          }),
    });
    return true;
  } catch (err) {
    logger.info(
      { err: err instanceof Error ? err.message : String(err) },
      'Temporal runtime already installed; keeping it',
    );
    return false;
  }
}
