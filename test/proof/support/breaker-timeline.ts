/**
 * Reads the fleet breaker's story for one tenant off the two recordings that share this process's clock: the
 * key-service exchanges (acquire, report) seen by the recording proxy and the provider calls seen by the LLM
 * stand-in.
 */
import type { KeyServiceExchange } from './key-service-recorder.js';

export interface ProviderCall {
  readonly arrivedAt: number;
}

export interface BreakerTimeline {
  /** The report whose answer said `tripped` (the one and only). */
  readonly trip: KeyServiceExchange;
  /** Key-failure reports the key service answered before the tripping one, plus the tripping one. */
  readonly keyFailuresAtTrip: number;
  /** Acquires granted (200) before the trip was answered that had no report yet: calls still in flight. */
  readonly inFlightAtTrip: number;
  /** Provider calls for the tenant's key that arrived after the trip was answered (and before `until`). */
  readonly callsAfterTrip: number;
  /** Acquires for the tenant that started after the trip (and before `until`) and were granted anyway. */
  readonly grantsAfterTrip: KeyServiceExchange[];
}

export function tripsOf(exchanges: readonly KeyServiceExchange[], tenantId: string): KeyServiceExchange[] {
  return exchanges.filter((e) => e.tenantId === tenantId && e.route === '/v1/keys/report' && e.tripped);
}

export function breakerTimeline(
  exchanges: readonly KeyServiceExchange[],
  calls: readonly ProviderCall[],
  tenantId: string,
  keyFailure: string,
  /** End of the window of interest (e.g. when a new key was stored): later grants are legitimate. */
  until = Number.POSITIVE_INFINITY,
): BreakerTimeline {
  const mine = exchanges.filter((e) => e.tenantId === tenantId);
  const trips = tripsOf(exchanges, tenantId);
  if (trips.length !== 1)
    throw new Error(`expected exactly one tripping report for ${tenantId}, saw ${trips.length}`);
  const trip = trips[0] as KeyServiceExchange;
  const t = trip.answeredAt;
  const reportsBefore = mine.filter((e) => e.route === '/v1/keys/report' && e.answeredAt <= t);
  const grantsBefore = mine.filter(
    (e) => e.route === '/v1/keys/acquire' && e.status === 200 && e.answeredAt <= t,
  );
  return {
    trip,
    keyFailuresAtTrip: reportsBefore.filter((e) => e.outcome === keyFailure && e.status === 200).length,
    inFlightAtTrip: Math.max(0, grantsBefore.length - reportsBefore.length),
    callsAfterTrip: calls.filter((c) => c.arrivedAt > t && c.arrivedAt < until).length,
    grantsAfterTrip: mine.filter(
      (e) => e.route === '/v1/keys/acquire' && e.startedAt > t && e.startedAt < until && e.status === 200,
    ),
  };
}

/** One line describing a tenant's key-service traffic, for failure messages (counts only, never bodies). */
export function describeTraffic(
  exchanges: readonly KeyServiceExchange[],
  tenantId: string,
  providerCalls: number,
): string {
  const counts = new Map<string, number>();
  for (const e of exchanges.filter((x) => x.tenantId === tenantId)) {
    const label = `${e.route.replace('/v1/keys/', '')} ${e.status}${e.outcome ? ` ${e.outcome}` : ''}${e.tripped ? ' tripped' : ''}${e.probe ? ' probe' : ''}`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return `${tenantId}: ${providerCalls} provider calls; key service: ${[...counts].map(([k, v]) => `${k} x${v}`).join(', ') || 'no traffic'}`;
}
