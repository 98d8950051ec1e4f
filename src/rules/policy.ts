/**
 * The thresholds a credential is judged by. The domain never reads settings: the caller builds these
 * from config (THRESHOLD_DAYS and its per-kind overrides, WARNING_DAYS, CRITICAL_DAYS,
 * EXPIRED_REPEAT_HOURS, SYNC_STALE_HOURS) and passes them in.
 */
export interface ExpiryPolicy {
  /** Descending, unique, whole days. */
  thresholdDays: readonly number[];
  warningDays: number;
  criticalDays: number;
  expiredRepeatHours: number;
}

/** A token that Intune syncs with Apple is also judged by how long ago that sync last worked. */
export interface TokenPolicy extends ExpiryPolicy {
  syncStaleHours: number;
}

export const DEFAULT_SYNC_STALE_HOURS = 72;
