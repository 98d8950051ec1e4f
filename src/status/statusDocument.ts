import type { AlertPolicy } from '../config';
import type { ApnsCertificate } from '../domain/certificate';
import { openIncidentsOf, type OpenIncident } from '../check/runCheck';
import { worstIncidentSeverity } from '../domain/decide';
import { daysRemaining, nextThresholdDays, statusForExpiry, withIncidents, type CertificateStatus } from '../domain/status';
import { longestInterval, parseScheduleOnce } from '../schedule/ncrontab';
import type { LoadedState, LoadedSubject } from '../storage/monitorStore';
import type { TokenPolicy } from '../rules/policy';
import { tokenEntries, worstStatus, type SubjectEntry } from '../subjects/subjectEntry';
import type { TokenSubjectKind } from '../subjects/token';
import type { DeliveryFailureRecord } from '../storage/records';
import type { DeviceCertificateSummary } from '../subjects/device_certificate/model';
import type { DeviceCertPolicy, DeviceCertState } from '../subjects/device_certificate/rules';
import { deviceCertEntry } from '../subjects/device_certificate/status';
import type { ChannelHealth, Silence } from './operatorModel';

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
  /** Every watched credential: the push certificate, then each VPP and ADE token (time left recomputed now). */
  subjects: SubjectEntry[];
  /** Issue 12: the last device-certificate scan, when WATCH names device_certificate (absent otherwise). */
  deviceCertificates?: DeviceCertificateSummary | null;
  /** Issue 15: silences in force now (expired ones are not listed). */
  silences?: Silence[];
  /** Issue 15: each configured channel's recent record. */
  channels?: ChannelHealth[];
}

/** A token subject as stored: its state, its last read and the policy it is judged by. */
export interface TokenSnapshot {
  subject: TokenSubjectKind;
  policy: TokenPolicy;
  loaded: LoadedSubject;
}

/** Issue 12: the device certificates as stored, when WATCH names them. */
export interface DeviceCertSnapshot {
  state: DeviceCertState;
  policy: DeviceCertPolicy;
}

const DAY_MS = 86_400_000;

/** staleAfterMs is computed once per schedule per hour: the gap it finds moves with the calendar, not the request. */
const STALE_WINDOW_MS = 3_600_000;
const staleMemo = new Map<string, number>();

/**
 * A check is stale when the last good one is older than twice the longest gap of CHECK_SCHEDULE
 * (two missed runs), or 24 hours when the schedule gives no interval. Every status request asks,
 * and the answer costs a hundred-odd nextOccurrence calls: it is remembered per schedule and hour.
 */
export function staleAfterMs(checkSchedule: string, now: Date): number {
  const key = `${Math.floor(now.getTime() / STALE_WINDOW_MS)}|${checkSchedule}`;
  const known = staleMemo.get(key);
  if (known !== undefined) return known;
  let value: number;
  try {
    const gap = longestInterval(parseScheduleOnce(checkSchedule), now);
    value = gap === null ? DAY_MS : 2 * gap;
  } catch {
    value = DAY_MS;
  }
  // A handful of schedules at most; a long-lived process moves to a new hour, so old keys go.
  if (staleMemo.size >= 32) staleMemo.clear();
  staleMemo.set(key, value);
  return value;
}

export function buildStatusDocument(loaded: LoadedState, now: Date, policy: AlertPolicy, staleAfter: number, tenant: string | null, tokens: readonly TokenSnapshot[] = [], devices: DeviceCertSnapshot | null = null): StatusDocument | null {
  const last = loaded.lastCheck;
  if (last === null) return null;
  // While reads fail, the last certificate seen still tells how much time is left.
  const certificate = last.certificate ?? loaded.lastGoodCheck?.certificate ?? null;
  const days = certificate === null ? null : daysRemaining(certificate.expirationDateTime, now);
  const own: CertificateStatus = last.status === 'unknown' || last.status === 'not_configured' || certificate === null ? last.status : statusForExpiry(certificate.expirationDateTime, now, policy);
  const lastGood = last.lastGoodCheckAt;
  const apns: SubjectEntry = {
    subject: 'apns',
    id: null,
    name: 'Apple MDM push certificate',
    status: own,
    daysRemaining: last.status === 'not_configured' ? null : days,
    expirationDateTime: last.status === 'not_configured' ? null : (certificate?.expirationDateTime ?? null),
    appleIdentifier: certificate?.appleIdentifier ?? null,
    state: null,
    lastSyncDateTime: null,
    error: last.error,
  };
  const read = tokens.filter((t) => t.loaded.lastRead !== null);
  const subjects = [
    apns,
    ...read.flatMap((t) => tokenEntries(t.subject, t.loaded.lastRead!.outcome, t.loaded.state, now, t.policy)),
    ...(devices === null ? [] : [deviceCertEntry(devices.state, now, devices.policy)]),
  ];
  const openIncidents = [...openIncidentsOf(loaded.state), ...read.flatMap((t) => openIncidentsOf(t.loaded.state)), ...(devices === null ? [] : openIncidentsOf(devices.state))];
  const status = withIncidents(worstStatus(subjects.map((e) => e.status)), worstIncidentSeverity(openIncidents));
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
    openIncidents,
    deliveryFailures: loaded.deliveryFailures,
    subjects,
    ...(devices === null ? {} : { deviceCertificates: devices.state.summary }),
  };
}

/**
 * Each credential's status with its own open incidents taken into account (a changed topic keeps the
 * push certificate critical with months left), as badges and metrics show them.
 */
export function withOwnIncidents(doc: StatusDocument): SubjectEntry[] {
  return doc.subjects.map((e) => {
    const own = doc.openIncidents.filter((i) => i.subject === e.subject && (e.subject === 'apns' || i.subjectId === null || i.subjectId === e.id));
    return { ...e, status: withIncidents(e.status, worstIncidentSeverity(own)) };
  });
}
