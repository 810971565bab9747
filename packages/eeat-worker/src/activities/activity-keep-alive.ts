/**
 * Heartbeats of the audit's page activities. With a `heartbeatTimeout` on the activity, the server notices a lost
 * worker (crash, kill -9, node loss) within that timeout instead of the whole start-to-close timeout, and the
 * workflow sees a heartbeat timeout, which it treats as the platform's failure, not the page's.
 */
import { Context } from '@temporalio/activity';

/**
 * How often a running page activity heartbeats. Temporal throttles heartbeats to a fraction of the heartbeat
 * timeout, so a short interval costs no extra RPCs.
 */
const KEEP_ALIVE_INTERVAL_MS = 5_000;

/**
 * Runs `work` inside the current activity, heartbeating while it is in flight. The first heartbeat comes after
 * one interval, so the many page steps that finish sooner cost no heartbeat at all.
 */
export async function keepingAlive<T>(work: () => Promise<T>): Promise<T> {
  const activity = Context.current();
  const timer = setInterval(() => activity.heartbeat(), KEEP_ALIVE_INTERVAL_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
