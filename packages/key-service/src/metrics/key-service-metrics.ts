import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PROVIDERS } from '../domain/provider.js';

export type AcquireMetricOutcome =
  | 'granted'
  | 'probe'
  | 'not_found'
  | 'paused'
  | 'unauthenticated'
  | 'forbidden'
  | 'invalid'
  | 'rate_limited'
  | 'error';

/**
 * The service's metrics on its own registry (several instances can live in one test process).
 * Labels are bounded enums only: never a tenant id, subject or anything taken from a request.
 */
export class KeyServiceMetrics {
  readonly registry = new Registry();
  readonly acquireDuration: Histogram<'outcome'>;
  readonly breakerTrips: Counter<'provider' | 'reason'>;
  readonly breakerOpen: Gauge<'provider'>;
  readonly reports: Counter<'provider' | 'outcome'>;
  readonly authFailures: Counter<'kind'>;

  constructor(openCounts: () => Promise<Map<string, number>>) {
    collectDefaultMetrics({ register: this.registry });
    this.acquireDuration = new Histogram({
      name: 'key_service_acquire_duration_seconds',
      help: 'Time to answer a key acquire, by outcome.',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.breakerTrips = new Counter({
      name: 'key_service_breaker_trips_total',
      help: 'Breaker trips (closed to open) decided by this replica, by provider and reason.',
      labelNames: ['provider', 'reason'],
      registers: [this.registry],
    });
    this.breakerOpen = new Gauge({
      name: 'key_service_breaker_open',
      help: 'Breakers of served keys that are open or half-open (read from the database at scrape time).',
      labelNames: ['provider'],
      registers: [this.registry],
      async collect() {
        // The table is the truth for the whole fleet, so every replica reports the same value.
        const counts = await openCounts().catch(() => null);
        if (!counts) return;
        for (const provider of PROVIDERS) this.set({ provider }, counts.get(provider) ?? 0);
      },
    });
    this.reports = new Counter({
      name: 'key_service_reports_total',
      help: 'Call outcomes reported by workers, by provider and outcome.',
      labelNames: ['provider', 'outcome'],
      registers: [this.registry],
    });
    this.authFailures = new Counter({
      name: 'key_service_auth_failures_total',
      help: 'Refused calls by kind (unauthenticated, forbidden, key_set_unavailable).',
      labelNames: ['kind'],
      registers: [this.registry],
    });
  }
}
