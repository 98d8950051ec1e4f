import { differenceInMilliseconds } from 'date-fns';
import type { AlertPolicy } from '../config';
import type { ReadOutcome } from './certificate';

export type CertificateStatus = 'ok' | 'warning' | 'critical' | 'expired' | 'not_configured' | 'unknown';
export type Severity = 'info' | 'warning' | 'critical';

const DAY_MS = 86_400_000;

/** Whole days left, floored: 10.9 days is 10, and a certificate one minute past expiry has -1. */
export function daysRemaining(expirationDateTime: string, now: Date): number {
  return Math.floor(differenceInMilliseconds(new Date(expirationDateTime), now) / DAY_MS);
}

export function isExpired(expirationDateTime: string, now: Date): boolean {
  return new Date(expirationDateTime).getTime() <= now.getTime();
}

/**
 * Status by time left. `expired` means the expiry instant has passed, not that fewer than 24 hours are
 * left: a certificate with 12 hours left still works (daysRemaining 0, status critical).
 */
export function statusForExpiry(expirationDateTime: string, now: Date, policy: Pick<AlertPolicy, 'warningDays' | 'criticalDays'>): CertificateStatus {
  if (isExpired(expirationDateTime, now)) return 'expired';
  const days = daysRemaining(expirationDateTime, now);
  if (days <= policy.criticalDays) return 'critical';
  if (days <= policy.warningDays) return 'warning';
  return 'ok';
}

export interface Evaluation {
  status: CertificateStatus;
  daysRemaining: number | null;
}

export function evaluate(read: ReadOutcome, now: Date, policy: Pick<AlertPolicy, 'warningDays' | 'criticalDays'>): Evaluation {
  switch (read.kind) {
    case 'not_configured':
      return { status: 'not_configured', daysRemaining: null };
    case 'failed':
      return { status: 'unknown', daysRemaining: null };
    case 'found':
      return {
        status: statusForExpiry(read.certificate.expirationDateTime, now, policy),
        daysRemaining: daysRemaining(read.certificate.expirationDateTime, now),
      };
  }
}

/**
 * The status with open incidents taken into account: an incident nobody has acknowledged keeps the
 * monitor from saying OK. Unknown stays unknown under a warning (it already asks for attention).
 */
export function withIncidents(status: CertificateStatus, worst: Severity | null): CertificateStatus {
  if (worst === 'critical' && status !== 'expired') return 'critical';
  if (worst === 'warning' && (status === 'ok' || status === 'not_configured')) return 'warning';
  return status;
}

/** Exit codes of a monitoring plugin (Nagios/Icinga convention). */
export function exitCodeFor(status: CertificateStatus): 0 | 1 | 2 | 3 {
  switch (status) {
    case 'ok':
    case 'not_configured':
      return 0;
    case 'warning':
      return 1;
    case 'critical':
    case 'expired':
      return 2;
    case 'unknown':
      return 3;
  }
}

/** The next threshold the time left will fall to: the largest one below it (none once all are crossed). */
export function nextThresholdDays(days: number | null, thresholds: readonly number[]): number | null {
  if (days === null) return null;
  const ahead = thresholds.filter((t) => t < days);
  return ahead.length === 0 ? null : Math.max(...ahead);
}
