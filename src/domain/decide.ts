import { addDays } from 'date-fns';
import { expiredAlertDue, expiringSeverity, thresholdDue } from '../rules/expiryLadder';
import { acknowledgeIncidents, type Incident, type IncidentRules } from '../rules/incidents';
import { recordFailure, recordSuccess } from '../rules/monitorHealth';
import { OccurrenceLedger, occurrenceId } from '../rules/occurrences';
import type { ExpiryPolicy } from '../rules/policy';
import { NOT_APPLICABLE, type AlertEvent, type AlertKind, type PreviousValues } from './alertEvent';
import type { ApnsCertificate, ReadOutcome } from './certificate';
import { daysRemaining, isExpired, type Severity } from './status';
import * as text from './summary';

/**
 * Which alerts a check raises, from what the previous checks saw and what this one read. Pure: the
 * caller persists `next` together with the alerts, so an alert is raised exactly once per occurrence.
 */

export interface SeenCertificate {
  topicIdentifier: string | null;
  appleIdentifier: string | null;
  expirationDateTime: string;
  certificateSerialNumber: string | null;
}

export type { Incident } from '../rules/incidents';
export { FAILURES_BEFORE_ALERT } from '../rules/monitorHealth';
export { MAX_OPEN_INCIDENTS, worstIncidentSeverity } from '../rules/incidents';

export interface AlertState {
  /**
   * Names this state's lifetime in alert ids. A state that is lost and started afresh gets a new one,
   * so its alerts can never collide with the rows of an earlier life.
   */
  epoch: string | null;
  /** How many alerts this state has raised: each occurrence gets the next number in its id. */
  sequence: number;
  /** Open incidents, oldest first. */
  incidents: Incident[];
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
  /** The seen certificate answered 404 and `removed` was raised; cleared once one is read again. */
  removedAlerted: boolean;
}

export const INITIAL_STATE: AlertState = {
  epoch: null,
  sequence: 0,
  incidents: [],
  seen: null,
  alertedThresholdDays: null,
  expiredAlerts: 0,
  lastExpiredAlertAt: null,
  uploadFailure: null,
  consecutiveFailures: 0,
  firstFailureAt: null,
  failingAlerted: false,
  removedAlerted: false,
};

export interface DecisionContext {
  now: Date;
  policy: ExpiryPolicy;
  tenant: string | null;
  /**
   * The epoch for a state that has none yet (a fresh random value from the caller; decisions stay
   * pure). Without it, a fixed one: fine for tests, never for a store that can be reset.
   */
  newEpoch?: string;
}

export interface Decision {
  alerts: AlertEvent[];
  next: AlertState;
}

/**
 * An alert id names one occurrence: the state's epoch and its running number. A condition that comes
 * back (a flap) is a new occurrence with a new id; a run retried from the same state raises the same
 * ids, so a retry is recognised as the same occurrence downstream.
 */
export function alertId(kind: AlertKind, epoch: string, sequence: number): string {
  return occurrenceId('apns', kind, epoch, sequence);
}

/** Kinds whose alert opens an incident, and whether only a person closes it. */
const INCIDENT_KINDS: IncidentRules = {
  topic_changed: 'ack',
  apple_id_changed: 'ack',
  upload_failed: 'ack',
  removed: 'condition',
  expired: 'condition',
  monitor_failing: 'condition',
};

export function opensIncident(kind: AlertKind): boolean {
  return INCIDENT_KINDS[kind] !== undefined;
}

/** Closes the open incidents a person acknowledged; unknown ids are returned, the state is untouched for them. */
export function acknowledge(state: AlertState, ids: readonly string[] | 'all'): { next: AlertState; closed: Incident[]; unknown: string[] } {
  return acknowledgeIncidents(state, ids);
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
  const ledger = new OccurrenceLedger('apns', prev, ctx.newEpoch, INCIDENT_KINDS);
  const base = (cert: ApnsCertificate | SeenCertificate | null) => ({
    ...NOT_APPLICABLE,
    subject: 'apns' as const,
    tenant: ctx.tenant,
    summary: '',
    occurredAt,
    daysRemaining: cert === null ? null : daysRemaining(cert.expirationDateTime, ctx.now),
    expirationDateTime: cert?.expirationDateTime ?? null,
    appleIdentifier: cert?.appleIdentifier ?? null,
    topicIdentifier: cert?.topicIdentifier ?? null,
    certificateSerialNumber: cert?.certificateSerialNumber ?? null,
  });
  const raise = (kind: AlertKind, severity: Severity, summary: string, cert: ApnsCertificate | SeenCertificate | null, extra: Partial<AlertEvent> = {}) => {
    const id = ledger.raise(kind, severity, summary, occurredAt, { topicIdentifier: cert?.topicIdentifier ?? null });
    alerts.push({ id, kind, severity, ...base(cert), summary, ...extra });
  };
  const finish = (next: AlertState): Decision => ({ alerts, next: { ...next, ...ledger.state } });

  if (read.kind === 'failed') {
    const failure = recordFailure(prev, occurredAt);
    if (failure.alertFailing) {
      raise('monitor_failing', 'warning', text.monitorFailingSummary(ctx.tenant, failure.failures, read.error), prev.seen, { error: read.error });
    }
    return finish({ ...prev, ...failure.next });
  }

  const health = recordSuccess(prev);
  const next: AlertState = { ...prev, ...health.next };
  if (health.alertRecovered) {
    raise('monitor_recovered', 'info', text.monitorRecoveredSummary(ctx.tenant), prev.seen);
  }
  ledger.close('monitor_failing');
  if (read.kind === 'not_configured') {
    // A certificate that was there and is gone is the worst incident there is; a tenant that never
    // had one is simply not configured. Keep what was last seen, so its return (or a certificate
    // under another topic) is recognised.
    if (prev.seen !== null && !prev.removedAlerted) {
      raise('removed', 'critical', text.removedSummary(ctx.tenant, prev.seen), prev.seen);
      next.removedAlerted = true;
    }
    return finish(next);
  }

  const cert = read.certificate;
  next.removedAlerted = false;
  // The certificate that went away is back: the removal is over.
  ledger.close('removed', (i) => i.topicIdentifier === cert.topicIdentifier);
  const seen = prev.seen;
  if (seen !== null) {
    const previous: PreviousValues = {
      appleIdentifier: seen.appleIdentifier,
      topicIdentifier: seen.topicIdentifier,
      expirationDateTime: seen.expirationDateTime,
    };
    const topicChanged = seen.topicIdentifier !== null && cert.topicIdentifier !== null && seen.topicIdentifier !== cert.topicIdentifier;
    if (topicChanged) {
      raise('topic_changed', 'critical', text.topicChangedSummary(ctx.tenant, previous, cert.topicIdentifier), cert, { previous });
    }
    if (!sameAppleId(seen.appleIdentifier, cert.appleIdentifier)) {
      raise('apple_id_changed', 'warning', text.appleIdChangedSummary(ctx.tenant, previous, cert.appleIdentifier), cert, { previous });
    }
    const expiryMoved = new Date(cert.expirationDateTime).getTime() !== new Date(seen.expirationDateTime).getTime();
    const renewed = !topicChanged && new Date(cert.expirationDateTime) > new Date(seen.expirationDateTime);
    if (renewed) {
      raise('renewed', 'info', text.renewedSummary(ctx.tenant, seen.expirationDateTime, cert.expirationDateTime), cert, { previous });
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
    if (expiredAlertDue(next, ctx.now, ctx.policy)) {
      const graceEnds = addDays(new Date(cert.expirationDateTime), text.GRACE_DAYS).toISOString();
      const graceDays = daysRemaining(graceEnds, ctx.now);
      raise('expired', 'critical', text.expiredSummary(ctx.tenant, cert.expirationDateTime, graceEnds, graceDays, cert.appleIdentifier), cert, {
        graceEndsDateTime: graceEnds,
        graceDaysRemaining: graceDays,
      });
      next.expiredAlerts += 1;
      next.lastExpiredAlertAt = occurredAt;
    }
    // Past expiry no threshold alert is due any more.
    next.alertedThresholdDays = 0;
  } else {
    ledger.close('expired');
    const days = daysRemaining(cert.expirationDateTime, ctx.now);
    const due = thresholdDue(days, ctx.policy.thresholdDays, next.alertedThresholdDays);
    if (due !== null) {
      raise('expiring', expiringSeverity(days, ctx.policy), text.expiringSummary(ctx.tenant, days, cert.expirationDateTime, cert.appleIdentifier), cert, {
        thresholdDays: due,
      });
      next.alertedThresholdDays = due;
    }
  }

  const failureKey = uploadFailureKey(cert);
  if (failureKey !== null && failureKey !== prev.uploadFailure) {
    raise('upload_failed', 'critical', text.uploadFailedSummary(ctx.tenant, cert.certificateUploadStatus, cert.certificateUploadFailureReason), cert);
  }
  next.uploadFailure = failureKey;
  return finish(next);
}
