import { subDays } from 'date-fns';
import type { SubjectKind } from '../domain/alertEvent';
import type { Deadline } from '../net/deadline';
import type { CheckDeps } from './runCheck';

/** A state row as a check left it: what delivery and the daily purge need to write to it under its ETag. */
export interface StateRowMark {
  subject: SubjectKind;
  etag: string | null;
  /** Alerts that may be undelivered; null: unknown. */
  pending: string[] | null;
  /** The push certificate's row only: when history was last purged. */
  lastPurgeAt: string | null;
}

export const DEFAULT_HISTORY_RETENTION_DAYS = 730;
/** Delivered alerts are kept this long in the outbox (history keeps its own copy for the retention window). */
export const DELIVERED_RETENTION_DAYS = 90;
export const PURGE_INTERVAL_MS = 24 * 3_600_000;
/**
 * Rows deleted per table per run: ten transactions. A deployment years past its window catches up over
 * a few days rather than one long check; a purge that stops short is not remembered, so the next check goes on.
 */
export const MAX_PURGE_ROWS_PER_RUN = 1000;
/** A purge starts only with this much of the check's budget left, and stops between transactions below 1 s. */
const MIN_BUDGET_TO_START_MS = 5_000;

export function purgeDue(lastPurgeAt: string | null, now: Date): boolean {
  if (lastPurgeAt === null) return true;
  const last = new Date(lastPurgeAt).getTime();
  // A purge "in the future" (a clock that jumped back) is treated as due rather than never.
  return !Number.isFinite(last) || last > now.getTime() || now.getTime() - last >= PURGE_INTERVAL_MS;
}

/**
 * Deletes history older than HISTORY_RETENTION_DAYS and delivered outbox rows older than 90 days, at
 * most once a day (the push certificate's state row remembers when), after the check's deliveries and
 * within its budget. It never fails the check: an error is logged and the next check tries again.
 */
export async function purgeIfDue(deps: CheckDeps, row: StateRowMark | null, deadline: Deadline | undefined): Promise<void> {
  const now = deps.now();
  try {
    const mark = row ?? (await deps.store.loadAlertState());
    if (!purgeDue(mark.lastPurgeAt, now)) return;
    if (deadline !== undefined && deadline.remainingMs() < MIN_BUDGET_TO_START_MS) return;
    const keepGoing = () => deadline === undefined || deadline.remainingMs() > 1_000;
    const retentionDays = deps.historyRetentionDays ?? DEFAULT_HISTORY_RETENTION_DAYS;
    const history = await deps.store.purgeHistory(subDays(now, retentionDays), MAX_PURGE_ROWS_PER_RUN, keepGoing);
    const outbox = await deps.store.outbox.purgeDelivered(subDays(now, DELIVERED_RETENTION_DAYS), MAX_PURGE_ROWS_PER_RUN, keepGoing);
    if (history.deleted + outbox.deleted > 0) {
      deps.log.info(`check: deleted ${history.deleted} history rows older than ${retentionDays} days and ${outbox.deleted} delivered alerts older than ${DELIVERED_RETENTION_DAYS} days`);
    }
    if (history.complete && outbox.complete) await deps.store.markPurged(now.toISOString());
  } catch (e) {
    deps.log.warn(`check: could not delete old history; the next check tries again: ${deps.redact(e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e))}`);
  }
}
