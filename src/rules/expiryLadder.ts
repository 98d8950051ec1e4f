import { differenceInMilliseconds } from 'date-fns';
import type { Severity } from '../domain/status';
import type { ExpiryPolicy } from './policy';

const HOUR_MS = 3_600_000;

/**
 * The threshold an `expiring` alert is due for now: the tightest one crossed, and only when it is
 * tighter than the one already alerted. Thresholds skipped while the monitor was away are not
 * back-filled: a first look at 10 days left alerts for 14, not also for 60 and 30.
 */
export function thresholdDue(days: number, thresholds: readonly number[], alreadyAlerted: number | null): number | null {
  const crossed = thresholds.filter((t) => days <= t);
  if (crossed.length === 0) return null;
  const tightest = Math.min(...crossed);
  return alreadyAlerted === null || tightest < alreadyAlerted ? tightest : null;
}

/** Severity of an expiring alert: the status day limits decide, so alert and status never disagree. */
export function expiringSeverity(days: number, policy: Pick<ExpiryPolicy, 'criticalDays'>): Severity {
  return days <= policy.criticalDays ? 'critical' : 'warning';
}

export interface ExpiredRepeats {
  expiredAlerts: number;
  lastExpiredAlertAt: string | null;
}

/** An expired credential is alerted at once and then every EXPIRED_REPEAT_HOURS while it stays expired. */
export function expiredAlertDue(repeats: ExpiredRepeats, now: Date, policy: Pick<ExpiryPolicy, 'expiredRepeatHours'>): boolean {
  if (repeats.expiredAlerts === 0 || repeats.lastExpiredAlertAt === null) return true;
  return differenceInMilliseconds(now, new Date(repeats.lastExpiredAlertAt)) >= policy.expiredRepeatHours * HOUR_MS;
}
