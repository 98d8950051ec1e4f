import type { TokenSubjectKind } from '../render/tokenText';
import type { MonitorHealth } from '../rules/monitorHealth';
import type { OccurrenceState } from '../rules/occurrences';

export type { TokenSubjectKind } from '../render/tokenText';

/** What one read of a token collection produced. Zero tokens is a tenant without any, and fine. */
export type TokenReadOutcome<T> = { kind: 'found'; tokens: T[] } | { kind: 'failed'; error: string; httpStatus: number | null };

/**
 * What the shared token rules judge, whatever the credential: each subject maps its Graph entity to
 * this (VPP and ADE name the same ideas differently).
 */
export interface TokenFacts {
  /** The Graph id: stable, unique. */
  id: string;
  /** For people; need not be unique. */
  name: string;
  appleIdentifier: string | null;
  /** ISO, UTC; null when Graph gave no usable date. */
  expirationDateTime: string | null;
  /** Why the expiry could not be dated, naming the field and its value; null when it could. */
  expiryError: string | null;
  /** The state as Graph reports it, for events and status (VPP only). */
  state: string | null;
  /** The state that makes the token unusable; null when it is fine or the credential has no state. */
  invalidState: string | null;
  /** The sync staleness is counted from: VPP lastSyncDateTime, ADE lastSuccessfulSyncDateTime. */
  lastSyncDateTime: string | null;
  /** The failure of the last sync, when it failed: `key` tells one failure from another. */
  syncFailure: { key: string; description: string; code: number | null } | null;
}

/** What the rules remember about one token between checks. */
export interface TokenState {
  name: string;
  appleIdentifier: string | null;
  /** The last expiry that could be dated: an undatable read does not forget it. */
  expirationDateTime: string | null;
  /** When the monitor first saw the token: a token that never synced is stale counted from here. */
  firstSeenAt: string;
  /** The tightest threshold alerted for this expiry; null when none yet, 0 once expired. */
  alertedThresholdDays: number | null;
  expiredAlerts: number;
  lastExpiredAlertAt: string | null;
  /** The unusable state already alerted, so the same state is not reported on every check. */
  invalidState: string | null;
  /** The sync failure already alerted (its key). */
  syncFailure: string | null;
  syncStaleAlerted: boolean;
  /** When the token was found gone and `removed` raised; null while it is there. */
  removedAt: string | null;
}

/**
 * The state of one token subject (all VPP tokens, or all ADE tokens, of a tenant): one row, written
 * with the alerts it raised. One epoch and one running number for the whole subject keep alert ids
 * unique across its tokens and short, without a Graph id inside them.
 */
export interface TokenSubjectState extends OccurrenceState, MonitorHealth {
  tokens: Record<string, TokenState>;
}

export const INITIAL_TOKEN_SUBJECT_STATE: TokenSubjectState = {
  epoch: null,
  sequence: 0,
  incidents: [],
  consecutiveFailures: 0,
  firstFailureAt: null,
  failingAlerted: false,
  tokens: {},
};

/**
 * Tokens remembered per subject, removed ones included (their return closes the removal). Real tenants
 * have a handful; the cap keeps the state row bounded when a tenant churns through tokens.
 */
export const MAX_REMEMBERED_TOKENS = 50;
