import type { AlertPolicy } from '../config';
import type { ApnsCertificate } from '../domain/certificate';
import { openIncidentsOf, type OpenIncident } from '../check/runCheck';
import { worstIncidentSeverity } from '../domain/decide';
import { daysRemaining, nextThresholdDays, statusForExpiry, withIncidents, type CertificateStatus } from '../domain/status';
import { longestInterval, parseScheduleOnce } from '../schedule/ncrontab';
import type { LoadedState } from '../storage/monitorStore';
import type { DeliveryFailureRecord } from '../storage/records';

/** What /api/status answers: the last recorded check, with the time left recomputed now. */
export interface StatusDocument {
  status: CertificateStatus;
  daysRemaining: number | null;
  checkedAt: string;
  lastGoodCheckAt: string | null;
  stale: boolean;
  certificate: ApnsCertificate | null;
  lastError: string | null;
  nextThresholdDays: number | null;
  tenant: string | null;
  /** Incidents nobody has acknowledged yet (or whose condition goes on), oldest first. */
  openIncidents: OpenIncident[];
  /** Alerts a channel refused for good (not retried until its setting changes), newest first. */
  deliveryFailures: DeliveryFailureRecord[];
}

const DAY_MS = 86_400_000;

/**
 * A check is stale when the last good one is older than twice the longest gap of CHECK_SCHEDULE
 * (two missed runs), or 24 hours when the schedule gives no interval.
 */
export function staleAfterMs(checkSchedule: string, now: Date): number {
  try {
    const gap = longestInterval(parseScheduleOnce(checkSchedule), now);
    return gap === null ? DAY_MS : 2 * gap;
  } catch {
    return DAY_MS;
  }
}

export function buildStatusDocument(loaded: LoadedState, now: Date, policy: AlertPolicy, staleAfter: number, tenant: string | null): StatusDocument | null {
  const last = loaded.lastCheck;
  if (last === null) return null;
  // While reads fail, the last certificate seen still tells how much time is left.
  const certificate = last.certificate ?? loaded.lastGoodCheck?.certificate ?? null;
  const days = certificate === null ? null : daysRemaining(certificate.expirationDateTime, now);
  const own: CertificateStatus = last.status === 'unknown' || last.status === 'not_configured' || certificate === null ? last.status : statusForExpiry(certificate.expirationDateTime, now, policy);
  const status = withIncidents(own, worstIncidentSeverity(loaded.state.incidents));
  const lastGood = last.lastGoodCheckAt;
  return {
    status,
    daysRemaining: last.status === 'not_configured' ? null : days,
    checkedAt: last.checkedAt,
    lastGoodCheckAt: lastGood,
    stale: lastGood === null || now.getTime() - new Date(lastGood).getTime() > staleAfter,
    certificate: last.status === 'not_configured' ? null : certificate,
    lastError: last.error,
    nextThresholdDays: nextThresholdDays(days, policy.thresholdDays),
    tenant,
    openIncidents: openIncidentsOf(loaded.state),
    deliveryFailures: loaded.deliveryFailures,
  };
}
