import { daysRemaining, statusForExpiry, type CertificateStatus } from '../../domain/status';
import type { SubjectEntry } from '../subjectEntry';
import type { DeviceCertificateSummary } from './model';
import type { DeviceCertPolicy, DeviceCertState } from './rules';

/**
 * The device certificates as one entry among the watched credentials (status, badge, metrics, CLI).
 * Its status is the worst of its certificates, judged now by the push certificate's day limits: an
 * expired one that nobody renewed is critical (its device has lost access), the earliest expiry
 * decides otherwise, a failed revocation is at least a warning. A failed scan is unknown, as for a
 * token subject: the last snapshot's figures stay in the summary, but nothing is known to be fine.
 */
export function deviceCertEntry(state: DeviceCertState | null, now: Date, policy: Pick<DeviceCertPolicy, 'warningDays' | 'criticalDays'>): SubjectEntry {
  const base = { subject: 'device_certificate' as const, id: null, name: 'Device certificates', appleIdentifier: null, state: null, lastSyncDateTime: null };
  const summary = state?.summary ?? null;
  if (state === null || summary === null || summary.scannedAt === null || state.consecutiveFailures > 0) {
    const error = summary?.lastError ?? 'no scan of the device certificates has completed yet';
    return { ...base, status: 'unknown', daysRemaining: null, expirationDateTime: summary?.earliestExpirationDateTime ?? null, error };
  }
  const earliest = summary.earliestExpirationDateTime;
  return {
    ...base,
    status: summaryStatus(summary, now, policy),
    daysRemaining: earliest === null ? null : daysRemaining(earliest, now),
    expirationDateTime: earliest,
    error: state.unreadable > 0 ? `${state.unreadable} certificate(s) had no usable expiry or thumbprint and were not judged` : null,
  };
}

export function summaryStatus(summary: DeviceCertificateSummary, now: Date, policy: Pick<DeviceCertPolicy, 'warningDays' | 'criticalDays'>): CertificateStatus {
  let status: CertificateStatus = 'ok';
  if (summary.earliestExpirationDateTime !== null) {
    const s = statusForExpiry(summary.earliestExpirationDateTime, now, policy);
    status = s === 'expired' ? 'critical' : s;
  }
  if (summary.expired > 0) status = 'critical';
  if (summary.revocationFailed > 0 && status === 'ok') status = 'warning';
  return status;
}
