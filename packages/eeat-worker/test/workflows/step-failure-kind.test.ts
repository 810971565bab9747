import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { stepFailureKind } from '../../src/workflows/step-failure-kind.js';

/** The failure a workflow receives when an activity's attempts ran out on `cause`. */
function ranOut(cause: Error): ActivityFailure {
  return new ActivityFailure(
    'Activity task failed',
    'collectPage',
    '7',
    RetryState.MAXIMUM_ATTEMPTS_REACHED,
    'worker-1',
    cause,
  );
}

describe('stepFailureKind', () => {
  it('should count a heartbeat timeout (a lost worker) as the platform’s', () => {
    expect(stepFailureKind(ranOut(new TimeoutFailure('heartbeat', undefined, 'HEARTBEAT')))).toBe('platform');
  });

  it('should count a start-to-close timeout of a heartbeating step as an overrun, not the platform’s', () => {
    expect(stepFailureKind(ranOut(new TimeoutFailure('too long', undefined, 'START_TO_CLOSE')))).toBe(
      'overran',
    );
  });

  it('should count an unavailable result store and the key service as the platform’s', () => {
    for (const type of ['ResultStoreUnavailable', 'KeyServiceError', 'KeyServiceUnauthorized'])
      expect(stepFailureKind(ranOut(ApplicationFailure.create({ type, message: 'down' }))), type).toBe(
        'platform',
      );
  });

  it('should count a page’s or a provider’s failure as the page’s', () => {
    for (const type of ['Error', 'FactsMissing', 'LlmBadRequest', 'LlmInvalidResponse', 'TenantPaused'])
      expect(stepFailureKind(ranOut(ApplicationFailure.create({ type, message: 'no' }))), type).toBe('page');
    expect(stepFailureKind(new Error('not a Temporal failure'))).toBe('page');
  });

  it('should decide by the first failure in the cause chain (the last attempt’s), not by a deeper cause', () => {
    const storeBehindPage = ApplicationFailure.create({
      type: 'LlmInvalidResponse',
      message: 'bad answer',
      cause: ApplicationFailure.create({ type: 'ResultStoreUnavailable', message: 'down' }),
    });
    expect(stepFailureKind(ranOut(storeBehindPage))).toBe('page');
  });
});
