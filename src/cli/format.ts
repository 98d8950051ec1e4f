import type { OpenIncident } from '../check/runCheck';
import type { ApnsCertificate } from '../domain/certificate';
import type { CertificateStatus } from '../domain/status';
import type { SubjectEntry } from '../subjects/subjectEntry';
import { day, GRACE_DAYS } from '../domain/summary';

export interface StatusView {
  status: CertificateStatus;
  daysRemaining: number | null;
  certificate: ApnsCertificate | null;
  error: string | null;
  tenant: string | null;
  alertsSent?: number;
  /** Of those, how many a silence held back (recorded, not delivered). */
  alertsSilenced?: number;
  warningDays: number;
  criticalDays: number;
  /** When the check ran, shown by `status` (before the performance data). */
  checkTime?: string;
  /** Open incidents lead the line: they are why a certificate with months left is CRITICAL. */
  openIncidents?: readonly OpenIncident[];
  /** Every watched credential; the token subjects' problems and days left join the line. */
  subjects?: readonly SubjectEntry[];
}

const SUBJECT_LABEL: Record<SubjectEntry['subject'], string> = { apns: 'push certificate', vpp_token: 'VPP token', ade_token: 'ADE token', device_certificate: 'device certificates' };
const RANK: Record<CertificateStatus, number> = { ok: 0, not_configured: 0, warning: 1, unknown: 2, critical: 3, expired: 4 };

/** One token in words: `VPP token "Contoso" expires 2027-01-05 (5 days), state invalid`. */
export function tokenText(e: SubjectEntry): string {
  // Device certificates are one entry for many: the earliest one speaks for them.
  if (e.subject === 'device_certificate') {
    if (e.status === 'unknown') return `device certificates: ${e.error ?? 'could not be read'}`;
    if (e.expirationDateTime === null || e.daysRemaining === null) return 'device certificates: none at risk';
    return `device certificates: ${e.daysRemaining < 0 ? `one EXPIRED ${day(e.expirationDateTime)}` : `the first expires ${day(e.expirationDateTime)} (${daysText(e.daysRemaining)})`} (apns-monitor device-certs)`;
  }
  const who = `${SUBJECT_LABEL[e.subject]} "${e.name ?? e.id ?? 'unknown'}"`;
  if (e.status === 'unknown') return `${who}: ${e.error ?? 'could not be read'}`;
  const parts = [e.expirationDateTime === null || e.daysRemaining === null ? who : e.status === 'expired' ? `${who} EXPIRED ${day(e.expirationDateTime)}` : `${who} expires ${day(e.expirationDateTime)} (${daysText(e.daysRemaining)})`];
  if (e.state !== null && e.state !== 'valid') parts.push(`state ${e.state}`);
  // A token can be in trouble with months left: its sync is what says why.
  if (e.status !== 'ok' && e.lastSyncDateTime !== null) parts.push(`last sync ${e.lastSyncDateTime.slice(0, 16).replace('T', ' ')} UTC`);
  if (e.error !== null) parts.push(e.error);
  return parts.join(', ');
}

/** A performance-data label from a token's name (or id): letters, digits and underscores only, unique. */
function perfLabel(e: SubjectEntry, taken: Set<string>): string {
  const base = `${e.subject}_${(e.name ?? e.id ?? 'token').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 40) || 'token'}`;
  let label = `${base}_days_remaining`;
  for (let n = 2; taken.has(label); n++) label = `${base}_${n}_days_remaining`;
  taken.add(label);
  return label;
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

/**
 * Text that is safe inside a plugin line: monitoring systems cut the output at the first newline and
 * read everything after `|` as performance data, so an Apple ID or an error (which come from Graph
 * and from remote servers) must contain neither.
 */
export function pluginText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\|/g, '/')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * Nagios thresholds for days_remaining, matching the plugin's own status: warning at
 * `days <= warningDays`, and a range `N:` alerts when the value is below N.
 */
export function perfData(days: number, policy: { warningDays: number; criticalDays: number }): string {
  return `days_remaining=${days};${policy.warningDays + 1}:;${policy.criticalDays + 1}:`;
}

/** The certificate's expiry and Apple ID, e.g. `expires 2027-03-01 (90 days) - Apple ID a@contoso.com`. */
export function certificateParts(cert: ApnsCertificate, days: number, expired: boolean): string[] {
  const parts = [expired ? expiredText(cert.expirationDateTime, days) : `expires ${day(cert.expirationDateTime)} (${daysText(days)})`];
  if (cert.appleIdentifier !== null) parts.push(`Apple ID ${cert.appleIdentifier}`);
  return parts;
}

function line(label: string, parts: string[], perf: string | null): string {
  const text = parts.map(pluginText).filter((p) => p !== '');
  return `APNS ${label} - ${text.join(' - ')}${perf === null ? '' : ` | ${perf}`}`;
}

/** `open incident: removed since 2026-08-16 (ack: apns-monitor ack <id>)`, or a count for several. */
export function incidentText(incidents: readonly OpenIncident[]): string | null {
  const [first] = incidents;
  if (first === undefined) return null;
  if (incidents.length === 1) return `open incident: ${first.kind.replace(/_/g, ' ')} since ${day(first.openedAt)} (ack: apns-monitor ack ${first.id})`;
  return `${incidents.length} open incidents: ${incidents.map((i) => i.kind.replace(/_/g, ' ')).join(', ')} (ack: apns-monitor ack --all)`;
}

/** One line in monitoring-plugin form; performance data after `|` comes last, nothing follows it. */
export function statusLine(view: StatusView): string {
  const parts: string[] = [];
  const cert = view.certificate;
  const incidents = incidentText(view.openIncidents ?? []);
  if (incidents !== null) parts.push(incidents);
  const subjects = view.subjects ?? [];
  const apns = subjects.find((e) => e.subject === 'apns');
  // The tokens that are not fine, worst first: the line leads with the worst credential.
  const troubled = subjects.filter((e) => e.subject !== 'apns' && RANK[e.status] > 0).sort((a, b) => RANK[b.status] - RANK[a.status]);
  const tokensFirst = troubled.length > 0 && (apns === undefined || RANK[troubled[0]!.status] > RANK[apns.status]);
  if (tokensFirst) parts.push(...troubled.map(tokenText));
  if (apns === undefined && subjects.length > 0) {
    // The push certificate is not watched (WATCH).
  } else if (view.status === 'unknown' && (apns === undefined || apns.status === 'unknown')) parts.push(view.error ?? 'the certificate could not be read');
  else if (view.error !== null && apns?.status === 'unknown') parts.push(view.error);
  else if (cert === null) parts.push('no Apple MDM push certificate is configured in Intune');
  else if (view.daysRemaining !== null) {
    const [first, ...rest] = certificateParts(cert, view.daysRemaining, (apns?.status ?? view.status) === 'expired');
    // Beside tokens, say which credential this is.
    parts.push(troubled.length > 0 ? `push certificate ${first}` : (first as string), ...rest);
  }
  if (!tokensFirst) parts.push(...troubled.map(tokenText));
  if (view.tenant !== null) parts.push(`tenant ${view.tenant}`);
  if (view.alertsSent !== undefined && view.alertsSent > 0) parts.push(`${view.alertsSent} alert${view.alertsSent === 1 ? '' : 's'} raised${view.alertsSilenced ? ` (${view.alertsSilenced} silenced)` : ''}`);
  if (view.checkTime !== undefined) parts.push(`checked ${view.checkTime}`);
  const taken = new Set<string>(['days_remaining']);
  const perf = [
    ...(view.daysRemaining === null ? [] : [perfData(view.daysRemaining, view)]),
    ...subjects.filter((e) => e.subject !== 'apns' && e.daysRemaining !== null).map((e) => perfData(e.daysRemaining as number, view).replace(/^days_remaining/, perfLabel(e, taken))),
  ];
  return line(LABEL[view.status], parts, perf.length === 0 ? null : perf.join(' '));
}

/** The line for anything that kept the plugin from answering: a bad setting, a failure, a usage error. */
export function unknownLine(reason: string): string {
  return line('UNKNOWN', [reason], null);
}

/** 12 h, 3 days, 90 min, 2 s: how old a check may get. */
export function durationText(ms: number): string {
  const units: Array<[number, (n: number) => string]> = [
    [86_400_000, (n) => `${n} day${n === 1 ? '' : 's'}`],
    [3_600_000, (n) => `${n} h`],
    [60_000, (n) => `${n} min`],
  ];
  for (const [size, text] of units) if (ms >= size && ms % size === 0 && (size !== 86_400_000 || ms >= 2 * size)) return text(ms / size);
  return ms >= 3_600_000 ? `${Math.round(ms / 3_600_000)} h` : ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.ceil(ms / 1000)} s`;
}

export interface StaleView {
  /** The last check recorded, whatever its outcome. */
  lastCheckAt: string;
  /** Its error when it could not read the certificate. */
  lastError: string | null;
  lastGoodCheckAt: string | null;
  staleAfterMs: number;
  /** What the last good check saw, with the days recomputed now. */
  lastKnown: { certificate: ApnsCertificate; daysRemaining: number; expired: boolean } | null;
  tenant: string | null;
  now: Date;
}

/**
 * UNKNOWN for a status that is too old to vouch for: either nothing has checked for longer than the
 * schedule allows (the timer stopped), or checks run but none has read the certificate for as long.
 */
export function staleLine(view: StaleView): string {
  const limit = `older than ${durationText(view.staleAfterMs)}`;
  const parts: string[] = [];
  if (view.now.getTime() - new Date(view.lastCheckAt).getTime() > view.staleAfterMs) {
    parts.push(`last check ${view.lastCheckAt} is stale (${limit}): the timer may have stopped`);
  } else {
    parts.push(view.lastError ?? 'the certificate could not be read');
    parts.push(view.lastGoodCheckAt === null ? 'no check has read the certificate yet' : `no good check since ${view.lastGoodCheckAt} (${limit})`);
  }
  if (view.lastKnown !== null) {
    const [first, ...rest] = certificateParts(view.lastKnown.certificate, view.lastKnown.daysRemaining, view.lastKnown.expired);
    parts.push(`last known: ${first}`, ...rest);
  }
  if (view.tenant !== null) parts.push(`tenant ${view.tenant}`);
  return line('UNKNOWN', parts, null);
}
