import type { AlertKind } from '../domain/alertEvent';
import type { ChannelHealth } from '../status/operatorModel';

/**
 * Whether a notification channel works, judged from the deliveries themselves (pure: no I/O). A
 * channel that keeps failing is told to people once, on the other channels (`channel_failing`), and
 * its first delivery after that once (`channel_recovered`).
 */

/** Deliveries in a row refused for good before the channel is called failing. */
export const FAILURES_BEFORE_ALERT = 3;
/** A channel that has not delivered for this long is failing, however few deliveries it was given. */
export const FAILING_FOR_MS = 24 * 3600_000;

/** The kinds about the channels themselves: they never count toward a channel's health, so a failing alert can never raise another. */
export const CHANNEL_KINDS: readonly AlertKind[] = ['channel_failing', 'channel_recovered'];

export type AttemptResult = 'delivered' | 'retry-later' | 'failed-for-good';

/** What is stored per channel: what status shows, and whether the failing alert has been raised. */
export interface StoredChannelHealth extends ChannelHealth {
  /** channel_failing was raised for the current run of failures (and channel_recovered is owed). */
  failingAlerted: boolean;
}

export function newChannelHealth(channel: string): StoredChannelHealth {
  return { channel, lastAttemptAt: null, lastOutcome: null, lastError: null, lastDeliveredAt: null, consecutiveFailures: 0, failingSince: null, failingAlerted: false };
}

export type ChannelAlertDue = 'failing' | 'recovered' | null;

/** Whether a failing run of deliveries has gone on long enough to tell people. */
export function isFailing(h: ChannelHealth, at: Date): boolean {
  if (h.failingSince === null) return false;
  return h.consecutiveFailures >= FAILURES_BEFORE_ALERT || at.getTime() - new Date(h.failingSince).getTime() > FAILING_FOR_MS;
}

/**
 * One delivery attempt's outcome folded into the channel's record. `detail` is already redacted.
 * A retry-later is a failure in time (failingSince starts) but not one in the count: only refusals
 * for good count toward three in a row.
 */
export function recordAttempt(prev: StoredChannelHealth, result: AttemptResult, detail: string | null, at: Date): { next: StoredChannelHealth; due: ChannelAlertDue } {
  const when = at.toISOString();
  if (result === 'delivered') {
    const next: StoredChannelHealth = { ...prev, lastAttemptAt: when, lastOutcome: 'delivered', lastDeliveredAt: when, consecutiveFailures: 0, failingSince: null, failingAlerted: false };
    return { next, due: prev.failingAlerted ? 'recovered' : null };
  }
  const failed = result === 'failed-for-good';
  const next: StoredChannelHealth = {
    ...prev,
    lastAttemptAt: when,
    lastOutcome: failed ? 'failed' : 'retrying',
    lastError: detail ?? (failed ? 'refused' : 'not delivered'),
    consecutiveFailures: prev.consecutiveFailures + (failed ? 1 : 0),
    failingSince: prev.failingSince ?? when,
  };
  if (!prev.failingAlerted && isFailing(next, at)) return { next: { ...next, failingAlerted: true }, due: 'failing' };
  return { next, due: null };
}

/** Whether two records differ in anything stored: an unchanged record is not written again. */
export function sameHealth(a: StoredChannelHealth, b: StoredChannelHealth): boolean {
  return (
    a.lastAttemptAt === b.lastAttemptAt &&
    a.lastOutcome === b.lastOutcome &&
    a.lastError === b.lastError &&
    a.lastDeliveredAt === b.lastDeliveredAt &&
    a.consecutiveFailures === b.consecutiveFailures &&
    a.failingSince === b.failingSince &&
    a.failingAlerted === b.failingAlerted
  );
}

/** The shape status shows (the alert bookkeeping stays in storage). */
export function publicHealth(h: StoredChannelHealth): ChannelHealth {
  const { failingAlerted: _failingAlerted, ...shown } = h;
  return shown;
}
