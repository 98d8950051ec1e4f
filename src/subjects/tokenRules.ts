import { differenceInMilliseconds } from 'date-fns';
import { NOT_APPLICABLE, type AlertEvent, type AlertKind } from '../domain/alertEvent';
import { daysRemaining, isExpired, type Severity } from '../domain/status';
import * as text from '../render/tokenText';
import { expiredAlertDue, expiringSeverity, thresholdDue } from '../rules/expiryLadder';
import type { IncidentRules } from '../rules/incidents';
import { recordFailure, recordSuccess } from '../rules/monitorHealth';
import { OccurrenceLedger } from '../rules/occurrences';
import type { TokenPolicy } from '../rules/policy';
import { bound } from './parse';
import { MAX_REMEMBERED_TOKENS, type TokenFacts, type TokenReadOutcome, type TokenState, type TokenSubjectKind, type TokenSubjectState } from './token';

/**
 * Which alerts a check of one token subject raises, token by token, with the push certificate's
 * guarantees: once per threshold crossed (no back-fill), `expired` repeating, every condition that
 * comes back a new occurrence, and incidents open until their condition ends or a person acknowledges
 * them. Pure: the caller persists `next` together with the alerts.
 */

export interface TokenDecisionContext {
  now: Date;
  policy: TokenPolicy;
  tenant: string | null;
  /** The epoch for a state that has none yet (see DecisionContext in domain/decide). */
  newEpoch?: string;
}

export interface TokenDecision {
  alerts: AlertEvent[];
  next: TokenSubjectState;
}

/**
 * Removal, expiry and an unusable state close by themselves when they end (and by ack); a changed Apple
 * ID stays open until a person has looked.
 */
export const TOKEN_INCIDENT_KINDS: IncidentRules = {
  removed: 'condition',
  expired: 'condition',
  token_invalid: 'condition',
  monitor_failing: 'condition',
  apple_id_changed: 'ack',
};

const HOUR_MS = 3_600_000;

function sameAppleId(a: string | null, b: string | null): boolean {
  // Managed Apple IDs are email addresses; Intune keeps whatever case Apple sent.
  return a === null || b === null || a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Hours since the last successful sync; a token that never synced counts from when it was first seen. */
export function syncAgeHours(lastSync: string | null, firstSeenAt: string | null, now: Date): number | null {
  const from = lastSync ?? firstSeenAt;
  return from === null ? null : differenceInMilliseconds(now, new Date(from)) / HOUR_MS;
}

/** Names are kept for the removal alert only: short enough that many tokens fit one state row. */
const MAX_REMEMBERED_NAME = 256;

function freshState(facts: TokenFacts, at: string): TokenState {
  return {
    name: bound(facts.name, MAX_REMEMBERED_NAME),
    appleIdentifier: facts.appleIdentifier,
    expirationDateTime: facts.expirationDateTime,
    firstSeenAt: at,
    alertedThresholdDays: null,
    expiredAlerts: 0,
    lastExpiredAlertAt: null,
    invalidState: null,
    syncFailure: null,
    syncStaleAlerted: false,
    removedAt: null,
  };
}

/** Keeps the state row bounded: live tokens always stay; the longest-removed are forgotten first. */
function prune(tokens: Record<string, TokenState>): Record<string, TokenState> {
  const ids = Object.keys(tokens);
  if (ids.length <= MAX_REMEMBERED_TOKENS) return tokens;
  const removed = ids.filter((id) => tokens[id]!.removedAt !== null).sort((a, b) => tokens[a]!.removedAt!.localeCompare(tokens[b]!.removedAt!));
  const drop = new Set(removed.slice(0, ids.length - MAX_REMEMBERED_TOKENS));
  return Object.fromEntries(Object.entries(tokens).filter(([id]) => !drop.has(id)));
}

export function decideTokenSubject(subject: TokenSubjectKind, prev: TokenSubjectState, read: TokenReadOutcome<TokenFacts>, ctx: TokenDecisionContext): TokenDecision {
  const occurredAt = ctx.now.toISOString();
  const alerts: AlertEvent[] = [];
  const ledger = new OccurrenceLedger(subject, prev, ctx.newEpoch, TOKEN_INCIDENT_KINDS);

  interface About {
    id: string | null;
    name: string | null;
    appleIdentifier: string | null;
    expirationDateTime: string | null;
    state: string | null;
    lastSyncDateTime: string | null;
    syncErrorCode: number | null;
  }
  const NOBODY: About = { id: null, name: null, appleIdentifier: null, expirationDateTime: null, state: null, lastSyncDateTime: null, syncErrorCode: null };
  const raise = (kind: AlertKind, severity: Severity, summary: string, about: About, extra: Partial<AlertEvent> = {}) => {
    const id = ledger.raise(kind, severity, summary, occurredAt, { subjectId: about.id });
    alerts.push({
      id,
      ...NOT_APPLICABLE,
      kind,
      severity,
      subject,
      subjectId: about.id,
      subjectName: about.name,
      tenant: ctx.tenant,
      summary,
      occurredAt,
      daysRemaining: about.expirationDateTime === null ? null : daysRemaining(about.expirationDateTime, ctx.now),
      expirationDateTime: about.expirationDateTime,
      appleIdentifier: about.appleIdentifier,
      state: about.state,
      lastSyncDateTime: about.lastSyncDateTime,
      syncErrorCode: about.syncErrorCode,
      ...extra,
    });
  };
  const finish = (tokens: Record<string, TokenState>, health: Pick<TokenSubjectState, 'consecutiveFailures' | 'firstFailureAt' | 'failingAlerted'>): TokenDecision => ({
    alerts,
    next: { ...ledger.state, ...health, tokens: prune(tokens) },
  });

  if (read.kind === 'failed') {
    // The tokens' own bookkeeping waits: nothing is known about them, least of all that they are gone.
    const failure = recordFailure(prev, occurredAt);
    if (failure.alertFailing) {
      raise('monitor_failing', 'warning', text.subjectFailingSummary(subject, ctx.tenant, failure.failures, read.error), NOBODY, { error: read.error });
    }
    return finish(prev.tokens, failure.next);
  }

  const health = recordSuccess(prev);
  if (health.alertRecovered) raise('monitor_recovered', 'info', text.subjectRecoveredSummary(subject, ctx.tenant), NOBODY);
  ledger.close('monitor_failing');

  const read_ = new Map<string, TokenFacts>();
  for (const t of read.tokens) read_.set(t.id, t);
  const tokens: Record<string, TokenState> = {};

  for (const facts of read_.values()) {
    const before = prev.tokens[facts.id];
    const next: TokenState = before === undefined ? freshState(facts, occurredAt) : { ...before, name: bound(facts.name, MAX_REMEMBERED_NAME), appleIdentifier: facts.appleIdentifier, removedAt: null };
    const ref: text.TokenRef = { subject, name: facts.name, tenant: ctx.tenant };
    const about: About = {
      id: facts.id,
      name: facts.name,
      appleIdentifier: facts.appleIdentifier,
      expirationDateTime: facts.expirationDateTime,
      state: facts.state,
      lastSyncDateTime: facts.lastSyncDateTime,
      syncErrorCode: facts.syncFailure?.code ?? null,
    };
    const mine = (i: { subjectId?: string | null }) => i.subjectId === facts.id;

    // The token that went away is back: the removal is over.
    if (before?.removedAt !== undefined && before.removedAt !== null) ledger.close('removed', mine);

    if (before !== undefined && !sameAppleId(before.appleIdentifier, facts.appleIdentifier)) {
      const previous = { appleIdentifier: before.appleIdentifier, topicIdentifier: null, expirationDateTime: before.expirationDateTime };
      raise('apple_id_changed', 'warning', text.tokenAppleIdChangedSummary(ref, before.appleIdentifier, facts.appleIdentifier), about, { previous });
    }

    const expiry = facts.expirationDateTime;
    if (expiry !== null) {
      const last = before?.expirationDateTime ?? null;
      if (last !== null && new Date(expiry).getTime() !== new Date(last).getTime()) {
        if (new Date(expiry) > new Date(last)) {
          const previous = { appleIdentifier: before?.appleIdentifier ?? null, topicIdentifier: null, expirationDateTime: last };
          raise('renewed', 'info', text.tokenRenewedSummary(ref, last, expiry), about, { previous });
        }
        // Another expiry: its thresholds and expiry alerts start afresh.
        next.alertedThresholdDays = null;
        next.expiredAlerts = 0;
        next.lastExpiredAlertAt = null;
      }
      next.expirationDateTime = expiry;
      if (isExpired(expiry, ctx.now)) {
        if (expiredAlertDue(next, ctx.now, ctx.policy)) {
          raise('expired', 'critical', text.tokenExpiredSummary(ref, expiry, facts.appleIdentifier), about);
          next.expiredAlerts += 1;
          next.lastExpiredAlertAt = occurredAt;
        }
        next.alertedThresholdDays = 0;
      } else {
        ledger.close('expired', mine);
        const days = daysRemaining(expiry, ctx.now);
        const due = thresholdDue(days, ctx.policy.thresholdDays, next.alertedThresholdDays);
        if (due !== null) {
          raise('expiring', expiringSeverity(days, ctx.policy), text.tokenExpiringSummary(ref, days, expiry, facts.appleIdentifier), about, { thresholdDays: due });
          next.alertedThresholdDays = due;
        }
      }
    }
    // An undatable expiry raises nothing here: unknown is not expired. Status shows it as unknown.

    if (facts.invalidState === null) {
      ledger.close('token_invalid', mine);
    } else if (facts.invalidState !== next.invalidState) {
      raise('token_invalid', 'critical', text.tokenInvalidSummary(ref, facts.invalidState), about);
    }
    next.invalidState = facts.invalidState;

    const failure = facts.syncFailure;
    if (failure !== null && failure.key !== next.syncFailure) {
      raise('sync_failed', 'warning', text.tokenSyncFailedSummary(ref, failure.description), about);
    }
    const age = syncAgeHours(facts.lastSyncDateTime, next.firstSeenAt, ctx.now);
    const stale = age !== null && age > ctx.policy.syncStaleHours;
    if (stale && !next.syncStaleAlerted) {
      raise('sync_stale', 'warning', text.tokenSyncStaleSummary(ref, facts.lastSyncDateTime, ctx.policy.syncStaleHours), about);
    }
    const troubleBefore = next.syncFailure !== null || next.syncStaleAlerted;
    if (troubleBefore && failure === null && !stale) {
      raise('sync_recovered', 'info', text.tokenSyncRecoveredSummary(ref, facts.lastSyncDateTime), about);
    }
    next.syncFailure = failure?.key ?? null;
    next.syncStaleAlerted = stale;
    tokens[facts.id] = next;
  }

  for (const [id, before] of Object.entries(prev.tokens)) {
    if (read_.has(id)) continue;
    if (before.removedAt === null) {
      const ref: text.TokenRef = { subject, name: before.name, tenant: ctx.tenant };
      raise('removed', 'critical', text.tokenRemovedSummary(ref, before.expirationDateTime), {
        ...NOBODY,
        id,
        name: before.name,
        appleIdentifier: before.appleIdentifier,
        expirationDateTime: before.expirationDateTime,
      });
      // The removal is the incident now; the gone token's own conditions are no longer observed.
      ledger.close('expired', (i) => i.subjectId === id);
      ledger.close('token_invalid', (i) => i.subjectId === id);
    }
    tokens[id] = before.removedAt === null ? { ...before, removedAt: occurredAt } : before;
  }
  return finish(tokens, health.next);
}
