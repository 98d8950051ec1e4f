import type { ApnsCertificate } from '../domain/certificate';
import type { CertificateStatus } from '../domain/status';
import { day, GRACE_DAYS } from '../domain/summary';

export interface StatusView {
  status: CertificateStatus;
  daysRemaining: number | null;
  certificate: ApnsCertificate | null;
  error: string | null;
  tenant: string | null;
  alertsSent?: number;
  warningDays: number;
  criticalDays: number;
}

const LABEL: Record<CertificateStatus, string> = {
  ok: 'OK',
  not_configured: 'OK',
  warning: 'WARNING',
  critical: 'CRITICAL',
  expired: 'CRITICAL',
  unknown: 'UNKNOWN',
};

function daysText(days: number): string {
  return `${days} day${Math.abs(days) === 1 ? '' : 's'}`;
}

/** Floored days are whole, so the grace days left are exactly daysRemaining + 30. */
function expiredText(expiry: string, days: number): string {
  const graceLeft = days + GRACE_DAYS;
  return graceLeft >= 0 ? `EXPIRED ${day(expiry)} (${daysText(graceLeft)} left to renew)` : `EXPIRED ${day(expiry)} (renewal grace period over: re-enroll devices)`;
}

/** One line in monitoring-plugin form, with performance data after `|`. */
export function statusLine(view: StatusView): string {
  const parts: string[] = [];
  const cert = view.certificate;
  if (view.status === 'unknown') parts.push(view.error ?? 'the certificate could not be read');
  else if (view.status === 'not_configured') parts.push('no Apple MDM push certificate is configured in Intune');
  else if (cert !== null && view.daysRemaining !== null) {
    parts.push(view.status === 'expired' ? expiredText(cert.expirationDateTime, view.daysRemaining) : `expires ${day(cert.expirationDateTime)} (${daysText(view.daysRemaining)})`);
    if (cert.appleIdentifier !== null) parts.push(`Apple ID ${cert.appleIdentifier}`);
  }
  if (view.tenant !== null) parts.push(`tenant ${view.tenant}`);
  if (view.alertsSent !== undefined && view.alertsSent > 0) parts.push(`${view.alertsSent} alert${view.alertsSent === 1 ? '' : 's'} raised`);
  const perf = view.daysRemaining === null ? '' : ` | days_remaining=${view.daysRemaining};${view.warningDays};${view.criticalDays}`;
  return `APNS ${LABEL[view.status]} - ${parts.join(' - ')}${perf}`;
}
