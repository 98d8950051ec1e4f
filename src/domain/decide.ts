import { createHash } from 'node:crypto';
import { addDays, differenceInMilliseconds } from 'date-fns';
import type { AlertPolicy } from '../config';
import type { AlertEvent, AlertKind, PreviousValues } from './alertEvent';
import type { ApnsCertificate, ReadOutcome } from './certificate';
import { daysRemaining, isExpired, type Severity } from './status';
import * as text from './summary';

/**
 * Which alerts a check raises, from what the previous checks saw and what this one read. Pure: the
 * caller persists `next` together with the alerts, so an alert is raised exactly once per certificate.
 */

export interface SeenCertificate {
  topicIdentifier: string | null;
  appleIdentifier: string | null;
  expirationDateTime: string;
  certificateSerialNumber: string | null;
}

export interface AlertState {
  /** The certificate the last good check saw; a renewal or a new topic starts a new generation. */
  seen: SeenCertificate | null;
  /** The tightest threshold alerted for the seen certificate; null when none yet. */
  alertedThresholdDays: number | null;
  expiredAlerts: number;
  lastExpiredAlertAt: string | null;
  /** The upload failure already alerted, so the same failure is not reported on every check. */
  uploadFailure: string | null;
  consecutiveFailures: number;
  firstFailureAt: string | null;
  failingAlerted: boolean;
}

export const INITIAL_STATE: AlertState = {
  seen: null,
  alertedThresholdDays: null,
  expiredAlerts: 0,
  lastExpiredAlertAt: null,
  uploadFailure: null,
  consecutiveFailures: 0,
  firstFailureAt: null,
  failingAlerted: false,
};

export const FAILURES_BEFORE_ALERT = 2;
const HOUR_MS = 3_600_000;

export interface DecisionContext {
  now: Date;
  policy: AlertPolicy;
  tenant: string | null;
}

export interface Decision {
  alerts: AlertEvent[];
  next: AlertState;
}

/** Alert ids are hashes of what makes the alert unique, so two runs that see the same thing agree. */
export function alertId(kind: AlertKind, ...parts: Array<string | number | null>): string {
  const digest = createHash('sha256').update(JSON.stringify([kind, ...parts])).digest('hex').slice(0, 24);
  return `apns-${kind}-${digest}`;
}

/** Upload status values are undocumented: any failure reason, or a status that says it failed, counts. */
export function uploadFailureKey(cert: ApnsCertificate): string | null {
  const reason = cert.certificateUploadFailureReason?.trim() ?? '';
  const status = cert.certificateUploadStatus?.trim() ?? '';
  const reasonSaysFailure = reason !== '' && !/^(none|null|n\/a)$/i.test(reason);
  const statusSaysFailure = /fail|error|invalid|reject|denied/i.test(status);
  return reasonSaysFailure || statusSaysFailure ? `${status}|${reason}` : null;
}

function sameAppleId(a: string | null, b: string | null): boolean {
  // Apple IDs are email addresses; Intune keeps whatever case the admin typed.
  return a === null || b === null || a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function decideAlerts(prev: AlertState, read: ReadOutcome, ctx: DecisionContext): Decision {
  const occurredAt = ctx.now.toISOString();
  const alerts: AlertEvent[] = [];
  const base = (cert: ApnsCertificate | SeenCertificate | null) => ({
    subject: 'apns' as const,
    tenant: ctx.tenant,
    summary: '',
    occurredAt,
    thresholdDays: null,
    daysRemaining: cert === null ? null : daysRemaining(cert.expirationDateTime, ctx.now),
    expirationDateTime: cert?.expirationDateTime ?? null,
    appleIdentifier: cert?.appleIdentifier ?? null,
    topicIdentifier: cert?.topicIdentifier ?? null,
    certificateSerialNumber: cert?.certificateSerialNumber ?? null,
    graceEndsDateTime: null,
    graceDaysRemaining: null,
    previous: null,
    error: null,
  });
  const raise = (kind: AlertKind, severity: Severity, id: string, summary: string, cert: ApnsCertificate | SeenCertificate | null, extra: Partial<AlertEvent> = {}) =>
    alerts.push({ id, kind, severity, ...base(cert), summary, ...extra });

  if (read.kind === 'failed') {
    const failures = prev.consecutiveFailures + 1;
    const firstFailureAt = prev.firstFailureAt ?? occurredAt;
    const alertNow = failures >= FAILURES_BEFORE_ALERT && !prev.failingAlerted;
    if (alertNow) {
      raise('monitor_failing', 'warning', alertId('monitor_failing', firstFailureAt), text.monitorFailingSummary(ctx.tenant, failures, read.error), prev.seen, { error: read.error });
    }
    return { alerts, next: { ...prev, consecutiveFailures: failures, firstFailureAt, failingAlerted: prev.failingAlerted || alertNow } };
  }

  const next: AlertState = { ...prev, consecutiveFailures: 0, firstFailureAt: null, failingAlerted: false };
  if (prev.failingAlerted) {
    raise('monitor_recovered', 'info', alertId('monitor_recovered', prev.firstFailureAt), text.monitorRecoveredSummary(ctx.tenant), prev.seen);
  }
  // No certificate: keep what was last seen, so a later upload under another topic is still caught.
  if (read.kind === 'not_configured') return { alerts, next };

  const cert = read.certificate;
  const seen = prev.seen;
  if (seen !== null) {
    const previous: PreviousValues = {
      appleIdentifier: seen.appleIdentifier,
      topicIdentifier: seen.topicIdentifier,
      expirationDateTime: seen.expirationDateTime,
    };
    const topicChanged = seen.topicIdentifier !== null && cert.topicIdentifier !== null && seen.topicIdentifier !== cert.topicIdentifier;
    if (topicChanged) {
      raise('topic_changed', 'critical', alertId('topic_changed', seen.topicIdentifier, cert.topicIdentifier, cert.expirationDateTime), text.topicChangedSummary(ctx.tenant, previous, cert.topicIdentifier), cert, { previous });
    }
    if (!sameAppleId(seen.appleIdentifier, cert.appleIdentifier)) {
      raise('apple_id_changed', 'warning', alertId('apple_id_changed', cert.topicIdentifier, seen.appleIdentifier, cert.appleIdentifier, cert.expirationDateTime), text.appleIdChangedSummary(ctx.tenant, previous, cert.appleIdentifier), cert, { previous });
    }
    const expiryMoved = new Date(cert.expirationDateTime).getTime() !== new Date(seen.expirationDateTime).getTime();
    const renewed = !topicChanged && new Date(cert.expirationDateTime) > new Date(seen.expirationDateTime);
    if (renewed) {
      raise('renewed', 'info', alertId('renewed', cert.topicIdentifier, seen.expirationDateTime, cert.expirationDateTime), text.renewedSummary(ctx.tenant, seen.expirationDateTime, cert.expirationDateTime), cert, { previous });
    }
    if (topicChanged || expiryMoved) {
      // Another certificate: its thresholds and expiry alerts start afresh.
      next.alertedThresholdDays = null;
      next.expiredAlerts = 0;
      next.lastExpiredAlertAt = null;
    }
  }
  next.seen = {
    topicIdentifier: cert.topicIdentifier,
    appleIdentifier: cert.appleIdentifier,
    expirationDateTime: cert.expirationDateTime,
    certificateSerialNumber: cert.certificateSerialNumber,
  };

  if (isExpired(cert.expirationDateTime, ctx.now)) {
    const sinceLast = next.lastExpiredAlertAt === null ? Infinity : differenceInMilliseconds(ctx.now, new Date(next.lastExpiredAlertAt));
    if (next.expiredAlerts === 0 || sinceLast >= ctx.policy.expiredRepeatHours * HOUR_MS) {
      const graceEnds = addDays(new Date(cert.expirationDateTime), text.GRACE_DAYS).toISOString();
      const graceDays = daysRemaining(graceEnds, ctx.now);
      const sequence = next.expiredAlerts + 1;
      raise('expired', 'critical', alertId('expired', cert.topicIdentifier, cert.expirationDateTime, sequence), text.expiredSummary(ctx.tenant, cert.expirationDateTime, graceEnds, graceDays, cert.appleIdentifier), cert, {
        graceEndsDateTime: graceEnds,
        graceDaysRemaining: graceDays,
      });
      next.expiredAlerts = sequence;
      next.lastExpiredAlertAt = occurredAt;
    }
    // Past expiry no threshold alert is due any more.
    next.alertedThresholdDays = 0;
  } else {
    const days = daysRemaining(cert.expirationDateTime, ctx.now);
    const crossed = ctx.policy.thresholdDays.filter((t) => days <= t);
    const tightest = crossed.length === 0 ? null : Math.min(...crossed);
    if (tightest !== null && (next.alertedThresholdDays === null || tightest < next.alertedThresholdDays)) {
      const severity: Severity = days <= ctx.policy.criticalDays ? 'critical' : 'warning';
      raise('expiring', severity, alertId('expiring', cert.topicIdentifier, cert.expirationDateTime, tightest), text.expiringSummary(ctx.tenant, days, cert.expirationDateTime, cert.appleIdentifier), cert, {
        thresholdDays: tightest,
      });
      next.alertedThresholdDays = tightest;
    }
  }

  const failureKey = uploadFailureKey(cert);
  if (failureKey !== null && failureKey !== prev.uploadFailure) {
    raise('upload_failed', 'critical', alertId('upload_failed', cert.topicIdentifier, cert.expirationDateTime, failureKey), text.uploadFailedSummary(ctx.tenant, cert.certificateUploadStatus, cert.certificateUploadFailureReason), cert);
  }
  next.uploadFailure = failureKey;
  return { alerts, next };
}
