/**
 * Heartbeats for long-running activities. With a `heartbeatTimeout` on the activity, the server notices a lost
 * worker (crash, kill -9, node loss) within that timeout instead of the whole start-to-close timeout, and the
 * workflow sees a heartbeat timeout: the platform's failure, not the activity's.
 */
import { Context } from '@temporalio/activity';

/**
 * How often a running activity heartbeats. Temporal throttles heartbeats to a fraction of the heartbeat timeout,
 * so a short interval costs no extra RPCs.
 */
const INTERVAL_MS = 5_000;

/**
 * Runs `work` inside the current activity, heartbeating every 5 s while it is in flight (the first heartbeat after
 * one interval, so work that finishes sooner costs none). `details` supplies what each heartbeat carries, e.g. the
 * activity's last progress report.
 */
export async function heartbeatWhileRunning<T>(
  work: () => Promise<T>,
  details: () => unknown = () => undefined,
): Promise<T> {
  const activity = Context.current();
  const timer = setInterval(() => activity.heartbeat(details()), INTERVAL_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
