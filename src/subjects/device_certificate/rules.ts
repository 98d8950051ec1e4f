import { createHash } from 'node:crypto';
import { NOT_APPLICABLE, type AlertEvent, type AlertKind, type CertificateGroup, type CertificateSample } from '../../domain/alertEvent';
import type { Severity } from '../../domain/status';
import * as text from '../../render/deviceCertText';
import { thresholdDue } from '../../rules/expiryLadder';
import type { IncidentRules } from '../../rules/incidents';
import { HEALTHY, recordFailure, recordSuccess, type MonitorHealth } from '../../rules/monitorHealth';
import { OccurrenceLedger, type OccurrenceState } from '../../rules/occurrences';
import type { AtRiskCertificate, DeviceCertificateSummary } from './model';
import { wholeDaysLeft } from './parse';
import { emptyBuckets, type ScanResult, type ScannedCertificate } from './scan';
import { expiredIsSystemic } from './status';

/**
 * Which alerts a scan of the device certificates raises. Aggregated: at most one `expiring` per
 * threshold per check, one `expired` summary per UTC day, one `revocation_failed` per check for the
 * certificates newly found failed. "Once per threshold" and "revocation once" are remembered per
 * certificate (by thumbprint) on the stored list rows. Pure: the caller writes rows, state and alerts.
 */

export const DEVICE_CERT_SUBJECT = 'device_certificate' as const;

export interface DeviceCertPolicy {
  /** Descending, unique, whole days (DEVICE_CERT_THRESHOLD_DAYS). */
  thresholdDays: readonly number[];
  /** An `expiring` alert for a threshold at or below this is critical (CRITICAL_DAYS). */
  criticalDays: number;
  warningDays: number;
}

/** A row of the stored list: the certificate and what has been alerted about it. */
export interface ListRow extends AtRiskCertificate {
  revokeFailed: boolean;
  /** In the list (not superseded, expired or within the largest threshold); false: kept for "revocation once". */
  atRisk: boolean;
  /** The tightest threshold alerted for this certificate; null when none yet. */
  alertedThresholdDays: number | null;
  revocationAlerted: boolean;
}

/**
 * A row as stored. Rows are written before the state commits, so a row written by a run whose commit
 * never happened must not count: `generation` names the decision that wrote it, and until the state's
 * generation reaches it the `prev…` values (what was true before) hold.
 */
export interface StoredListRow extends ListRow {
  generation: number;
  prevAlertedThresholdDays: number | null;
  prevRevocationAlerted: boolean;
}

export interface DeviceCertState extends OccurrenceState, MonitorHealth {
  /** The last complete scan's counts; `lastError` set while scans fail. Null before any scan. */
  summary: DeviceCertificateSummary | null;
  /** Certificates the last complete scan could not read (no usable expiry or thumbprint). */
  unreadable: number;
  /** A hash of what the list rows hold: equal means no row needs reading or writing. */
  listDigest: string | null;
  /** The committed decision: rows of a higher generation are not (yet) true. */
  generation: number;
  /** The UTC day the last `expired` summary was raised. */
  lastExpiredAlertDay: string | null;
  /** When the last scan (complete or not) was decided: tells a concurrent run whether this one covers its own. */
  lastAttemptAt: string | null;
}

export const INITIAL_DEVICE_CERT_STATE: DeviceCertState = {
  epoch: null,
  sequence: 0,
  incidents: [],
  ...HEALTHY,
  summary: null,
  unreadable: 0,
  listDigest: null,
  generation: 0,
  lastExpiredAlertDay: null,
  lastAttemptAt: null,
};

/** A scan that read every page, or one that did not (and so proves nothing about any certificate). */
export type DeviceCertScanOutcome = { kind: 'complete'; result: ScanResult } | { kind: 'failed'; error: string; httpStatus: number | null };

/** Only the monitor's own failure is an incident: certificate counts are the subject's status. */
export const DEVICE_CERT_INCIDENT_KINDS: IncidentRules = { monitor_failing: 'condition' };

export const MAX_GROUPS = 10;
export const MAX_SAMPLE = 10;

export interface DeviceCertDecisionContext {
  now: Date;
  policy: DeviceCertPolicy;
  tenant: string | null;
  /** The list's public address (PUBLIC_BASE_URL or WEBSITE_HOSTNAME); null when unknown. */
  listUrl: (withinDays: number) => string | null;
  newEpoch?: string;
}

export interface RowChanges {
  upsert: StoredListRow[];
  /** Thumbprints no longer kept. */
  remove: string[];
}

export interface DeviceCertDecision {
  alerts: AlertEvent[];
  next: DeviceCertState;
  /** Null when the rows are left as they are. */
  rows: RowChanges | null;
}

/** The tightest threshold a certificate has crossed ('x' expired, '-' none): what the digest compares. */
function level(c: ScannedCertificate, nowMs: number, thresholds: readonly number[]): string {
  if (c.expiryMs <= nowMs) return 'x';
  const days = wholeDaysLeft(c.expiryMs, nowMs);
  const crossed = thresholds.filter((t) => days <= t);
  return crossed.length === 0 ? '-' : String(Math.min(...crossed));
}

/**
 * What the rows would hold, hashed: every kept certificate with the threshold it is in. When it equals
 * the committed digest, every certificate was alerted as far as it has come and nothing was added or
 * dropped, so the check neither reads nor writes a row (a quiet check costs no list traffic).
 */
export function listDigest(certificates: readonly ScannedCertificate[], now: Date, thresholds: readonly number[]): string {
  const hash = createHash('sha256');
  const nowMs = now.getTime();
  for (const c of certificates) {
    hash.update(`${c.thumbprint}\u0000${c.expirationDateTime}\u0000${level(c, nowMs, thresholds)}\u0000${c.revokeFailed ? 1 : 0}\u0000${c.atRisk ? 1 : 0}\u0000${c.deviceName}\u0000${c.userPrincipalName}\u0000${c.subjectName}\u0000${c.issuerName}\u0000${c.serialNumber}\u0001`);
  }
  return hash.digest('base64');
}

/** Whether the stored rows must be read for this scan (the digest differs, or none is committed). */
export function needsRows(prev: DeviceCertState, result: ScanResult, now: Date, policy: Pick<DeviceCertPolicy, 'thresholdDays'>): boolean {
  return prev.listDigest === null || prev.listDigest !== listDigest(result.certificates, now, policy.thresholdDays);
}

function effective(row: StoredListRow | undefined, committed: number): { alerted: number | null; revocation: boolean } {
  if (row === undefined) return { alerted: null, revocation: false };
  return row.generation <= committed ? { alerted: row.alertedThresholdDays, revocation: row.revocationAlerted } : { alerted: row.prevAlertedThresholdDays, revocation: row.prevRevocationAlerted };
}

function sameRow(a: ListRow, b: ListRow): boolean {
  return (
    a.deviceName === b.deviceName &&
    a.userPrincipalName === b.userPrincipalName &&
    a.subjectName === b.subjectName &&
    a.issuerName === b.issuerName &&
    a.expirationDateTime === b.expirationDateTime &&
    a.serialNumber === b.serialNumber &&
    a.revokeFailed === b.revokeFailed &&
    a.atRisk === b.atRisk &&
    a.alertedThresholdDays === b.alertedThresholdDays &&
    a.revocationAlerted === b.revocationAlerted
  );
}

/** Up to 10 issuers, most certificates first (earliest first among equals). */
export function groupsOf(certs: readonly ScannedCertificate[]): CertificateGroup[] {
  const groups = new Map<string, CertificateGroup>();
  for (const c of certs) {
    const g = groups.get(c.issuerName);
    if (g === undefined) groups.set(c.issuerName, { issuerName: c.issuerName, count: 1, earliestExpirationDateTime: c.expirationDateTime });
    else {
      g.count += 1;
      if (c.expirationDateTime < g.earliestExpirationDateTime) g.earliestExpirationDateTime = c.expirationDateTime;
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || (a.earliestExpirationDateTime < b.earliestExpirationDateTime ? -1 : 1)).slice(0, MAX_GROUPS);
}

/** Up to 10 certificates, earliest expiry first (the input is sorted by expiry). */
export function sampleOf(certs: readonly ScannedCertificate[]): CertificateSample[] {
  return certs.slice(0, MAX_SAMPLE).map((c) => ({ deviceName: c.deviceName, userPrincipalName: c.userPrincipalName, subjectName: c.subjectName, expirationDateTime: c.expirationDateTime }));
}

export function decideDeviceCertificates(prev: DeviceCertState, scan: DeviceCertScanOutcome, stored: ReadonlyMap<string, StoredListRow> | null, ctx: DeviceCertDecisionContext): DeviceCertDecision {
  const occurredAt = ctx.now.toISOString();
  const nowMs = ctx.now.getTime();
  const alerts: AlertEvent[] = [];
  const ledger = new OccurrenceLedger(DEVICE_CERT_SUBJECT, prev, ctx.newEpoch, DEVICE_CERT_INCIDENT_KINDS);
  const raise = (kind: AlertKind, severity: Severity, summary: string, extra: Partial<AlertEvent> = {}) => {
    const id = ledger.raise(kind, severity, summary, occurredAt, { subjectId: null });
    alerts.push({ id, ...NOT_APPLICABLE, kind, severity, subject: DEVICE_CERT_SUBJECT, tenant: ctx.tenant, summary, occurredAt, ...extra });
  };
  const about = (certs: readonly ScannedCertificate[], totalAtRisk: number, withinDays: number): Partial<AlertEvent> => {
    const earliest = certs[0]!.expirationDateTime;
    return {
      count: certs.length,
      totalAtRisk,
      earliestExpirationDateTime: earliest,
      expirationDateTime: earliest,
      daysRemaining: wholeDaysLeft(certs[0]!.expiryMs, nowMs),
      groups: groupsOf(certs),
      sample: sampleOf(certs),
      listUrl: ctx.listUrl(withinDays),
      // One alert for many devices: the device is named when there is only one.
      subjectName: certs.length === 1 ? certs[0]!.deviceName || null : null,
    };
  };

  if (scan.kind === 'failed') {
    // An incomplete scan proves nothing: the last snapshot and its rows stay; only the failure is news.
    const failure = recordFailure(prev, occurredAt);
    if (failure.alertFailing) raise('monitor_failing', 'warning', text.deviceCertFailingSummary(ctx.tenant, failure.failures, scan.error), { error: scan.error });
    const summary: DeviceCertificateSummary =
      prev.summary === null
        ? { scannedAt: null, scanned: 0, superseded: 0, totalAtRisk: 0, expired: 0, revocationFailed: 0, earliestExpirationDateTime: null, buckets: emptyBuckets(), issuers: [], byBucketAndIssuer: [], lastError: scan.error }
        : { ...prev.summary, lastError: scan.error };
    return { alerts, next: { ...prev, ...ledger.state, ...failure.next, summary, lastAttemptAt: occurredAt }, rows: null };
  }

  const result = scan.result;
  const health = recordSuccess(prev);
  if (health.alertRecovered) raise('monitor_recovered', 'info', text.deviceCertRecoveredSummary(ctx.tenant));
  ledger.close('monitor_failing');
  const summary = result.summary;
  const thresholds = ctx.policy.thresholdDays;
  const largest = Math.max(...thresholds);
  let rows: RowChanges | null = null;
  let generation = prev.generation;

  if (stored !== null) {
    generation = prev.generation + 1;
    const crossed = new Map<number, ScannedCertificate[]>();
    const revoked: ScannedCertificate[] = [];
    const upsert: StoredListRow[] = [];
    const keep = new Set<string>();
    for (const c of result.certificates) {
      keep.add(c.thumbprint);
      const before = stored.get(c.thumbprint);
      const eff = effective(before, prev.generation);
      let alerted = eff.alerted;
      // Expired certificates are the daily summary's, never an `expiring` count.
      if (c.atRisk && c.expiryMs > nowMs) {
        const due = thresholdDue(wholeDaysLeft(c.expiryMs, nowMs), thresholds, eff.alerted);
        if (due !== null) {
          const list = crossed.get(due) ?? [];
          list.push(c);
          crossed.set(due, list);
          alerted = due;
        }
      }
      if (c.revokeFailed && !eff.revocation) revoked.push(c);
      const row: StoredListRow = {
        deviceName: c.deviceName,
        userPrincipalName: c.userPrincipalName,
        subjectName: c.subjectName,
        issuerName: c.issuerName,
        expirationDateTime: c.expirationDateTime,
        thumbprint: c.thumbprint,
        serialNumber: c.serialNumber,
        revokeFailed: c.revokeFailed,
        atRisk: c.atRisk,
        alertedThresholdDays: alerted,
        revocationAlerted: eff.revocation || c.revokeFailed,
        generation,
        prevAlertedThresholdDays: eff.alerted,
        prevRevocationAlerted: eff.revocation,
      };
      // A row already holding this is left alone: committed, or written for this same generation by a
      // run whose commit did not happen (its `prev…` values are then ours too).
      if (before === undefined || !sameRow(before, row)) upsert.push(row);
    }
    const remove = [...stored.keys()].filter((t) => !keep.has(t));
    rows = { upsert, remove };
    for (const t of [...crossed.keys()].sort((a, b) => b - a)) {
      const certs = crossed.get(t)!;
      const severity: Severity = t <= ctx.policy.criticalDays ? 'critical' : 'warning';
      const facts = about(certs, summary.totalAtRisk, t);
      raise(
        'expiring',
        severity,
        text.deviceCertExpiringSummary({ tenant: ctx.tenant, thresholdDays: t, count: certs.length, totalAtRisk: summary.totalAtRisk, earliestExpirationDateTime: certs[0]!.expirationDateTime, earliestDays: facts.daysRemaining ?? 0 }),
        { ...facts, thresholdDays: t },
      );
    }
    if (revoked.length > 0) raise('revocation_failed', 'warning', text.deviceCertRevocationSummary(ctx.tenant, revoked.length), { ...about(revoked, summary.totalAtRisk, largest), daysRemaining: null });
  }

  const today = occurredAt.slice(0, 10);
  let lastExpiredAlertDay = prev.lastExpiredAlertDay;
  if (summary.expired > 0 && lastExpiredAlertDay !== today) {
    const expired = result.certificates.filter((c) => c.atRisk && c.expiryMs <= nowMs);
    // A warning for a few stale devices, critical when the expired are a systemic share (see status.ts).
    const severity: Severity = expiredIsSystemic(expired.length, result.scanned - result.superseded - result.unreadable) ? 'critical' : 'warning';
    raise('expired', severity, text.deviceCertExpiredSummary(ctx.tenant, expired.length, expired[0]?.expirationDateTime ?? null), about(expired, summary.totalAtRisk, 0));
    lastExpiredAlertDay = today;
  }

  return {
    alerts,
    next: {
      ...ledger.state,
      ...health.next,
      summary,
      unreadable: result.unreadable,
      listDigest: listDigest(result.certificates, ctx.now, thresholds),
      generation,
      lastExpiredAlertDay,
      lastAttemptAt: occurredAt,
    },
    rows,
  };
}
