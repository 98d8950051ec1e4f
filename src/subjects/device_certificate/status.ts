import { daysRemaining, statusForExpiry, type CertificateStatus } from '../../domain/status';
import type { SubjectEntry } from '../subjectEntry';
import type { DeviceCertificateSummary } from './model';
import type { DeviceCertPolicy, DeviceCertState } from './rules';

/**
 * At or above this share of the live (readable, not superseded) certificates expired unrenewed, the
 * subject is critical: that many is a CA, an NDES/SCEP connector or Cloud PKI that stopped renewing,
 * not a few stale devices. Below it, expired certificates are a warning (and the daily `expired`
 * summary a warning): in a real fleet some stale device always has one, and a headline that is always
 * critical would drown the push certificate.
 */
export const CRITICAL_EXPIRED_SHARE = 0.1;

/** Whether `expired` of the `live` certificates is a systemic renewal failure (see CRITICAL_EXPIRED_SHARE). */
export function expiredIsSystemic(expired: number, live: number): boolean {
  return expired > 0 && live > 0 && expired >= live * CRITICAL_EXPIRED_SHARE;
}

/** The earliest expiry still to come; a summary stored before that field existed falls back to the earliest one if it is ahead. */
function upcomingExpiry(summary: DeviceCertificateSummary, now: Date): string | null {
  if (summary.earliestUpcomingExpirationDateTime !== undefined) return summary.earliestUpcomingExpirationDateTime;
  const e = summary.earliestExpirationDateTime;
  return e !== null && Date.parse(e) > now.getTime() ? e : null;
}

/**
 * The device certificates as one entry among the watched credentials (status, badge, metrics, CLI).
 * A device certificate is one device's Wi-Fi or VPN, not the tenant's management, so the subject is at
 * most a warning (any expired unrenewed, any expiring within WARNING_DAYS, a failed revocation) unless
 * the expired ones are a systemic share (CRITICAL_EXPIRED_SHARE). Each `expiring` alert keeps its own
 * severity (critical at or below CRITICAL_DAYS). Days left are the next expiry to come. A failed scan
 * is unknown, as for a token subject: the last snapshot's figures stay in the summary, but nothing is
 * known to be fine.
 */
export function deviceCertEntry(state: DeviceCertState | null, now: Date, policy: Pick<DeviceCertPolicy, 'warningDays' | 'criticalDays'>): SubjectEntry {
  const base = { subject: 'device_certificate' as const, id: null, name: 'Device certificates', appleIdentifier: null, state: null, lastSyncDateTime: null };
  const summary = state?.summary ?? null;
  if (state === null || summary === null || summary.scannedAt === null || state.consecutiveFailures > 0) {
    const error = summary?.lastError ?? 'no scan of the device certificates has completed yet';
    return { ...base, status: 'unknown', daysRemaining: null, expirationDateTime: summary?.earliestExpirationDateTime ?? null, error };
  }
  const shown = upcomingExpiry(summary, now) ?? summary.earliestExpirationDateTime;
  return {
    ...base,
    status: summaryStatus(summary, now, policy, state.unreadable),
    daysRemaining: shown === null ? null : daysRemaining(shown, now),
    expirationDateTime: shown,
    error: state.unreadable > 0 ? `${state.unreadable} certificate(s) had no usable expiry or thumbprint and were not judged` : null,
  };
}

export function summaryStatus(summary: DeviceCertificateSummary, now: Date, policy: Pick<DeviceCertPolicy, 'warningDays' | 'criticalDays'>, unreadable = 0): CertificateStatus {
  if (expiredIsSystemic(summary.expired, summary.scanned - summary.superseded - unreadable)) return 'critical';
  const upcoming = upcomingExpiry(summary, now);
  const dueSoon = upcoming !== null && statusForExpiry(upcoming, now, policy) !== 'ok';
  return dueSoon || summary.expired > 0 || summary.revocationFailed > 0 ? 'warning' : 'ok';
}
