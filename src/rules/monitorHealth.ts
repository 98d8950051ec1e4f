/**
 * Whether the monitor can read a subject. One failed read is often a blip; the second in a row is
 * alerted once (`monitor_failing`), and the first good read after that is reported (`monitor_recovered`).
 * Kept per subject, so a failing endpoint never hides or silences another.
 */
export interface MonitorHealth {
  consecutiveFailures: number;
  firstFailureAt: string | null;
  failingAlerted: boolean;
}

export const HEALTHY: MonitorHealth = { consecutiveFailures: 0, firstFailureAt: null, failingAlerted: false };
export const FAILURES_BEFORE_ALERT = 2;

export function recordFailure(health: MonitorHealth, at: string): { next: MonitorHealth; failures: number; alertFailing: boolean } {
  const failures = health.consecutiveFailures + 1;
  const alertFailing = failures >= FAILURES_BEFORE_ALERT && !health.failingAlerted;
  return {
    next: { consecutiveFailures: failures, firstFailureAt: health.firstFailureAt ?? at, failingAlerted: health.failingAlerted || alertFailing },
    failures,
    alertFailing,
  };
}

export function recordSuccess(health: MonitorHealth): { next: MonitorHealth; alertRecovered: boolean } {
  return { next: HEALTHY, alertRecovered: health.failingAlerted };
}
