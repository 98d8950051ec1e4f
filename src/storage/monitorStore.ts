import { odata, TableTransaction, type TableClient } from '@azure/data-tables';
import type { AlertEvent, SubjectKind } from '../domain/alertEvent';
import { INITIAL_STATE, type AlertState } from '../domain/decide';
import { canonicalJson } from '../domain/canonicalJson';
import { isTableNotFound, statusCodeOf, withTable } from './tableClients';
import { noteLocalWrite } from './localWrites';
import { purgeRows } from './purge';

export { localWriteCount } from './localWrites';
import { CHUNK_CHARS, fromChunks, toChunks } from './chunkedJson';
import { Outbox } from './outbox';
import { ChannelHealthStore } from './channelHealthStore';
import type { AckRecord, CheckRecord, DeliveryFailureRecord, HistoryEntry, RenewalRecord, SilenceNote } from './records';
import { INITIAL_TOKEN_SUBJECT_STATE, type TokenFacts, type TokenReadOutcome, type TokenSubjectKind, type TokenSubjectState } from '../subjects/token';

const PARTITION = 'apns';
const STATE_ROW = 'state';
const ALERT_ROW_PREFIX = 'alert-';
const MAX_TIME_MS = 8_640_000_000_000_000;
/**
 * The last check and the last good check, in history's partition, written in the same transaction as
 * the check's history row. Its key sorts after every inverted-time key (digits), so history listings
 * and purges, which read the digits' key range, never see it.
 */
const LAST_CHECK_ROW = 'last-check';
/** The first key after every inverted-time key ('9' + 1). */
const HISTORY_KEYS_END = ':';
/** A Table transaction holds at most 100 operations. */
const MAX_BATCH = 100;
/**
 * Alert ids a state row remembers as possibly undelivered. Past this many the row says "unknown" and
 * the check queries the outbox, as it did before the set existed.
 */
const MAX_PENDING_IDS = 200;


/** Another run changed the state between this run's read and write. */
export class ConcurrencyConflict extends Error {
  constructor() {
    super('another check updated the monitor state at the same time');
    this.name = 'ConcurrencyConflict';
  }
}

/**
 * An alert row with the id this run meant to write exists already while the state did not change: an
 * earlier life of the state left it (the state row was lost or reset). Never a concurrency conflict:
 * re-reading would collide again, so the caller starts a new epoch.
 */
export class AlertIdCollision extends Error {
  constructor() {
    super('an alert with the same id is already recorded (the monitor state was reset); starting a new alert epoch');
    this.name = 'AlertIdCollision';
  }
}

export interface LoadedState {
  state: AlertState;
  lastCheck: CheckRecord | null;
  /** The last check that could read Graph: what status shows while reads fail. */
  lastGoodCheck: CheckRecord | null;
  /** Alerts a channel refused for good and has not taken since, newest first. */
  deliveryFailures: DeliveryFailureRecord[];
  /**
   * Ids of this row's alerts that may still be undelivered, written with the alerts themselves; the
   * check queries the outbox only when some are. Null: unknown (a row written before the set existed).
   */
  pending: string[] | null;
  /** When the check last finished deleting history older than HISTORY_RETENTION_DAYS. */
  lastPurgeAt: string | null;
  etag: string | null;
}

/** The last check and last good check, as status shows them. */
export interface LastChecks {
  lastCheck: CheckRecord | null;
  lastGoodCheck: CheckRecord | null;
}

/** What the last read of a token subject found, for status, pages and metrics without a Graph call. */
export interface StoredTokenRead {
  checkedAt: string;
  outcome: TokenReadOutcome<TokenFacts>;
  /** Tokens left out so the row stays within a Table property (a tenant with very many tokens). */
  omitted: number;
}

export interface LoadedSubject {
  state: TokenSubjectState;
  lastRead: StoredTokenRead | null;
  /** As LoadedState.pending, for this subject's alerts. */
  pending: string[] | null;
  etag: string | null;
}

function parsePending(raw: unknown): string[] | null {
  if (typeof raw !== 'string' || raw === '') return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) && parsed.every((x) => typeof x === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/** The pending column: '' (unknown) when the set is not known or too long to keep on the row. */
function pendingColumn(ids: readonly string[] | null): string {
  return ids === null || ids.length > MAX_PENDING_IDS ? '' : JSON.stringify([...new Set(ids)]);
}

/** Whether two alert states say the same thing, whatever order their keys were written in. */
export function sameState(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

type SubjectEntity = Record<string, unknown>;

function subjectRow(subject: TokenSubjectKind): string {
  return `${STATE_ROW}-${subject}`;
}

/** The last read kept for views is cut beyond this (saying how many tokens were left out); the state never is. */
const MAX_READ_CHARS = 3 * CHUNK_CHARS;

function boundRead(read: StoredTokenRead): StoredTokenRead {
  if (read.outcome.kind !== 'found' || JSON.stringify(read).length <= MAX_READ_CHARS) return read;
  const tokens = [...read.outcome.tokens];
  let omitted = read.omitted;
  while (tokens.length > 0 && JSON.stringify({ ...read, outcome: { kind: 'found', tokens }, omitted }).length > MAX_READ_CHARS) {
    tokens.pop();
    omitted += 1;
  }
  return { ...read, outcome: { kind: 'found', tokens }, omitted };
}

/** Refusals kept on the state for status and the dashboard; history keeps them all. */
export const MAX_DELIVERY_FAILURES = 20;

interface StateEntity {
  state: string;
  /** Written by versions before issue 14; read while no last-check row exists. */
  lastCheck?: string;
  lastGoodCheck?: string;
  deliveryFailures?: string;
  pendingAlerts?: string;
  lastPurgeAt?: string;
}

interface LastCheckEntity {
  lastCheck?: string;
  lastGoodCheck?: string;
}

interface HistoryEntity {
  type: string;
  at: string;
  body: string;
  /** An alert a silence matched: the SilenceNote as JSON. */
  silence?: string;
}

/** Silence notes by alert id, as the check decided them (issue 15). */
export type SilenceNotes = ReadonlyMap<string, SilenceNote>;
const NO_NOTES: SilenceNotes = new Map();

function parseJson<T>(raw: unknown, fallback: T): T {
  if (typeof raw !== 'string' || raw === '') return fallback;
  return JSON.parse(raw) as T;
}

function toHistoryEntry(e: HistoryEntity): HistoryEntry {
  switch (e.type) {
    case 'alert':
      return { type: 'alert', at: e.at, alert: JSON.parse(e.body) as AlertEvent, ...(e.silence === undefined || e.silence === '' ? {} : { silence: JSON.parse(e.silence) as SilenceNote }) };
    case 'ack':
      return { type: 'ack', at: e.at, ack: JSON.parse(e.body) as AckRecord };
    case 'delivery_failed':
      return { type: 'delivery_failed', at: e.at, failure: JSON.parse(e.body) as DeliveryFailureRecord };
    case 'renewal':
      return { type: 'renewal', at: e.at, renewal: JSON.parse(e.body) as RenewalRecord };
    default:
      return { type: 'check', at: e.at, check: JSON.parse(e.body) as CheckRecord };
  }
}

/** Newest first in key order: Table Storage sorts by RowKey ascending. */
export function invertedTimeKey(iso: string): string {
  return String(MAX_TIME_MS - new Date(iso).getTime()).padStart(16, '0');
}

/**
 * The monitor's records. The alert state and the alerts it raises share one partition, so a check
 * commits both in one transaction guarded by the state's ETag: of two overlapping runs only one
 * raises a given alert, and an alert is never recorded without the state that explains it.
 */
export class MonitorStore {
  /** Alerts raised by checks, in the state's partition so they commit with it. */
  readonly outbox: Outbox;
  /** Each channel's delivery record (issue 15), in its own partition of the state table. */
  readonly channelHealth: ChannelHealthStore;

  constructor(
    private readonly state: TableClient,
    private readonly history: TableClient,
  ) {
    this.outbox = new Outbox(state, PARTITION, ALERT_ROW_PREFIX);
    this.channelHealth = new ChannelHealthStore(state);
  }

  /**
   * The alert state row alone: what a check needs to decide (one point read). Its last check comes
   * from the row only for data written before issue 14; use loadState for what views show.
   */
  async loadAlertState(): Promise<LoadedState> {
    try {
      const entity = await this.state.getEntity<StateEntity>(PARTITION, STATE_ROW);
      return {
        state: { ...INITIAL_STATE, ...parseJson<Partial<AlertState>>(entity.state, {}) },
        lastCheck: parseJson<CheckRecord | null>(entity.lastCheck, null),
        lastGoodCheck: parseJson<CheckRecord | null>(entity.lastGoodCheck, null),
        deliveryFailures: parseJson<DeliveryFailureRecord[]>(entity.deliveryFailures, []),
        pending: parsePending(entity.pendingAlerts),
        lastPurgeAt: typeof entity.lastPurgeAt === 'string' && entity.lastPurgeAt !== '' ? entity.lastPurgeAt : null,
        etag: entity.etag,
      };
    } catch (error) {
      // A missing table is a new deployment: nothing is recorded yet, and a read need not create it.
      if (statusCodeOf(error) === 404) return { state: INITIAL_STATE, lastCheck: null, lastGoodCheck: null, deliveryFailures: [], pending: null, lastPurgeAt: null, etag: null };
      throw error;
    }
  }

  /** The last-check row written with history; null before the first check of this version. */
  async loadLastCheck(): Promise<LastChecks | null> {
    try {
      const entity = await this.history.getEntity<LastCheckEntity>(PARTITION, LAST_CHECK_ROW);
      return { lastCheck: parseJson<CheckRecord | null>(entity.lastCheck, null), lastGoodCheck: parseJson<CheckRecord | null>(entity.lastGoodCheck, null) };
    } catch (error) {
      if (statusCodeOf(error) === 404) return null;
      throw error;
    }
  }

  /** The alert state with the last check and last good check: two point reads side by side. */
  async loadState(): Promise<LoadedState> {
    const [loaded, last] = await Promise.all([this.loadAlertState(), this.loadLastCheck()]);
    if (last === null) return loaded;
    // Data written before issue 14 kept both on the state row: they stand in until this version writes its own.
    return { ...loaded, lastCheck: last.lastCheck ?? loaded.lastCheck, lastGoodCheck: last.lastGoodCheck ?? loaded.lastGoodCheck };
  }

  /**
   * Writes the state and the new alerts atomically under the state's ETag and returns its new ETag;
   * throws ConcurrencyConflict if beaten. `pending` is the row's set of possibly undelivered alerts
   * before this commit (null: unknown); the new alerts join it in the same transaction.
   */
  async commitCheck(expectedEtag: string | null, state: AlertState, alerts: AlertEvent[], pending: readonly string[] | null, silences: SilenceNotes = NO_NOTES): Promise<string | null> {
    return this.commitRow(STATE_ROW, expectedEtag, { state: JSON.stringify(state), ...pendingColumns(pending, deliverable(alerts, silences), expectedEtag) }, alerts, silences);
  }

  /** The state of a token subject (all VPP, or all ADE tokens) and what its last read found. */
  async loadSubject(subject: TokenSubjectKind): Promise<LoadedSubject> {
    try {
      const entity = await this.state.getEntity<SubjectEntity>(PARTITION, subjectRow(subject));
      return {
        state: { ...INITIAL_TOKEN_SUBJECT_STATE, ...parseJson<Partial<TokenSubjectState>>(fromChunks(entity, 'state'), {}) },
        lastRead: parseJson<StoredTokenRead | null>(fromChunks(entity, 'lastRead'), null),
        pending: parsePending(entity['pendingAlerts']),
        etag: entity.etag,
      };
    } catch (error) {
      if (statusCodeOf(error) === 404) return { state: INITIAL_TOKEN_SUBJECT_STATE, lastRead: null, pending: null, etag: null };
      throw error;
    }
  }

  /** A token subject's state, its last read and its new alerts, atomically, as for the push certificate. */
  async commitSubject(subject: TokenSubjectKind, expectedEtag: string | null, state: TokenSubjectState, lastRead: StoredTokenRead, alerts: AlertEvent[], pending: readonly string[] | null = null, silences: SilenceNotes = NO_NOTES): Promise<string | null> {
    // A tenant with many tokens outgrows one property: the state and the read are spread over several.
    return this.commitRow(subjectRow(subject), expectedEtag, { ...toChunks('state', JSON.stringify(state)), ...toChunks('lastRead', JSON.stringify(boundRead(lastRead))), ...pendingColumns(pending, deliverable(alerts, silences), expectedEtag) }, alerts, silences);
  }

  /**
   * Replaces a row's set of possibly undelivered alerts with what delivery left pending, under the ETag
   * the row had before the outbox was read: if any run committed since, its alerts may be missing from
   * that read, so nothing is written (false) and a later check does it.
   */
  async setPending(subject: SubjectKind, etag: string, ids: readonly string[]): Promise<string | null> {
    try {
      const result = await this.state.updateEntity({ partitionKey: PARTITION, rowKey: subject === 'apns' ? STATE_ROW : `${STATE_ROW}-${subject}`, pendingAlerts: pendingColumn(ids) }, 'Merge', { etag });
      noteLocalWrite();
      return result.etag ?? null;
    } catch (error) {
      if (statusCodeOf(error) === 412 || statusCodeOf(error) === 404) return null;
      throw error;
    }
  }

  /**
   * Remembers a finished purge on the state row. Only the purge writes this column and Merge leaves
   * the others alone, so no ETag is needed; without a row yet, it is created.
   */
  async markPurged(at: string): Promise<void> {
    await withTable(this.state, () => this.state.upsertEntity({ partitionKey: PARTITION, rowKey: STATE_ROW, lastPurgeAt: at }, 'Merge'));
    noteLocalWrite();
  }

  /**
   * One state row and the alerts it raised in one transaction guarded by the row's ETag. Each
   * credential has its own row, so one subject's check never conflicts with another's.
   */
  private async commitRow(rowKey: string, expectedEtag: string | null, columns: Record<string, string | number>, alerts: AlertEvent[], silences: SilenceNotes = NO_NOTES): Promise<string | null> {
    const tx = new TableTransaction();
    const entity = { partitionKey: PARTITION, rowKey, ...columns };
    if (expectedEtag === null) tx.createEntity(entity);
    // Merge, not Replace: the delivery failures column is written by delivery, not by the check.
    else tx.updateEntity(entity, 'Merge', { etag: expectedEtag });
    for (const [position, alert] of alerts.entries()) tx.createEntity(this.outbox.row(alert, position, silences.get(alert.id) ?? null));
    try {
      const response = await withTable(this.state, () => this.state.submitTransaction(tx.actions));
      noteLocalWrite();
      return response.subResponses[0]?.etag ?? null;
    } catch (error) {
      if (isTableNotFound(error)) throw error;
      const status = statusCodeOf(error);
      // 412: the state's ETag moved; 404: the state row went away under us. Both: read again.
      if (status === 412 || (status === 404 && expectedEtag !== null)) throw new ConcurrencyConflict();
      if (status === 409) {
        // A replace under an ETag never answers 409, so with an ETag the duplicate is an alert row;
        // without one it is the state row only if another run has created it meanwhile.
        if (expectedEtag === null && (await this.rowExists(rowKey))) throw new ConcurrencyConflict();
        throw new AlertIdCollision();
      }
      throw error;
    }
  }

  private async rowExists(rowKey: string): Promise<boolean> {
    try {
      await this.state.getEntity(PARTITION, rowKey, { queryOptions: { select: ['PartitionKey'] } });
      return true;
    } catch (error) {
      if (statusCodeOf(error) === 404) return false;
      throw error;
    }
  }

  /**
   * Applies a change to the alert state alone (an acknowledgement), under its ETag, re-reading on a
   * conflict. The change sees the freshest state; returning null leaves it untouched.
   */
  async updateState<T>(change: (state: AlertState) => { next: AlertState; result: T } | null): Promise<T | null> {
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.loadAlertState();
      if (loaded.etag === null) return null;
      const outcome = change(loaded.state);
      if (outcome === null) return null;
      try {
        await this.state.updateEntity({ partitionKey: PARTITION, rowKey: STATE_ROW, state: JSON.stringify(outcome.next) }, 'Merge', { etag: loaded.etag });
        noteLocalWrite();
        return outcome.result;
      } catch (error) {
        if (statusCodeOf(error) !== 412 || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  /** As updateState, for a token subject's row (acknowledging its incidents). */
  async updateSubjectState<T>(subject: TokenSubjectKind, change: (state: TokenSubjectState) => { next: TokenSubjectState; result: T } | null): Promise<T | null> {
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.loadSubject(subject);
      if (loaded.etag === null) return null;
      const outcome = change(loaded.state);
      if (outcome === null) return null;
      try {
        await this.state.updateEntity({ partitionKey: PARTITION, rowKey: subjectRow(subject), ...toChunks('state', JSON.stringify(outcome.next)) }, 'Merge', { etag: loaded.etag });
        noteLocalWrite();
        return outcome.result;
      } catch (error) {
        if (statusCodeOf(error) !== 412 || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  /**
   * The check (when the push certificate was checked) and every alert the run raised, with the
   * last-check row that status reads, in one transaction (more only past 100 rows). A check that
   * could not read Graph leaves the last good check as it was.
   */
  async appendHistory(check: CheckRecord | null, alerts: AlertEvent[], at: string, runId: string, silences: SilenceNotes = NO_NOTES): Promise<void> {
    if (check === null && alerts.length === 0) return;
    const key = invertedTimeKey(check?.checkedAt ?? at);
    type Row = { partitionKey: string; rowKey: string } & Record<string, string>;
    const rows: Row[] = [
      ...(check === null
        ? []
        : [
            { partitionKey: PARTITION, rowKey: `${key}-c-${runId}`, type: 'check', at: check.checkedAt, body: JSON.stringify(check) },
            { partitionKey: PARTITION, rowKey: LAST_CHECK_ROW, lastCheck: JSON.stringify(check), ...(check.lastGoodCheckAt === check.checkedAt ? { lastGoodCheck: JSON.stringify(check) } : {}) },
          ]),
      ...alerts.map((a) => {
        const silence = silences.get(a.id);
        return { partitionKey: PARTITION, rowKey: `${key}-a-${a.id}`, type: 'alert', at: a.occurredAt, body: JSON.stringify(a), ...(silence === undefined ? {} : { silence: JSON.stringify(silence) }) };
      }),
    ];
    for (let start = 0; start < rows.length; start += MAX_BATCH) {
      const tx = new TableTransaction();
      // Merge for the last-check row: a failed check must not erase the last good one.
      for (const row of rows.slice(start, start + MAX_BATCH)) tx.upsertEntity(row, row.rowKey === LAST_CHECK_ROW ? 'Merge' : 'Replace');
      await withTable(this.history, () => this.history.submitTransaction(tx.actions));
      noteLocalWrite();
    }
  }

  async appendAck(ack: AckRecord, runId: string): Promise<void> {
    await withTable(this.history, () => this.history.upsertEntity({ partitionKey: PARTITION, rowKey: `${invertedTimeKey(ack.at)}-k-${runId}`, type: 'ack', at: ack.at, body: JSON.stringify(ack) }, 'Replace'));
    noteLocalWrite();
  }

  /** A renewal uploaded with `apns-monitor renew upload`, once Graph showed the new certificate. */
  async appendRenewal(renewal: RenewalRecord, runId: string): Promise<void> {
    await withTable(this.history, () => this.history.upsertEntity({ partitionKey: PARTITION, rowKey: `${invertedTimeKey(renewal.at)}-r-${runId}`, type: 'renewal', at: renewal.at, body: JSON.stringify(renewal) }, 'Replace'));
    noteLocalWrite();
  }

  /** A channel refused an alert for good: into history, and onto the state where status shows it. */
  async recordDeliveryFailure(failure: DeliveryFailureRecord): Promise<void> {
    const row = `${invertedTimeKey(failure.at)}-d-${failure.alertId}-${failure.channel}`;
    await withTable(this.history, () => this.history.upsertEntity({ partitionKey: PARTITION, rowKey: row, type: 'delivery_failed', at: failure.at, body: JSON.stringify(failure) }, 'Replace'));
    noteLocalWrite();
    await this.updateDeliveryFailures((list) => [failure, ...list.filter((f) => f.alertId !== failure.alertId || f.channel !== failure.channel)].slice(0, MAX_DELIVERY_FAILURES));
  }

  /** The channel took the alert after all (its target was corrected): no longer a failure to show. */
  async clearDeliveryFailure(alertId: string, channel: string): Promise<void> {
    await this.updateDeliveryFailures((list) => list.filter((f) => f.alertId !== alertId || f.channel !== channel));
  }

  private async updateDeliveryFailures(change: (list: DeliveryFailureRecord[]) => DeliveryFailureRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.loadAlertState();
      if (loaded.etag === null) return;
      const next = change(loaded.deliveryFailures);
      if (JSON.stringify(next) === JSON.stringify(loaded.deliveryFailures)) return;
      try {
        await this.state.updateEntity({ partitionKey: PARTITION, rowKey: STATE_ROW, deliveryFailures: JSON.stringify(next) }, 'Merge', { etag: loaded.etag });
        noteLocalWrite();
        return;
      } catch (error) {
        if (statusCodeOf(error) !== 412 || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  /**
   * The newest `limit` history entries, newest first: one key-range query that stops after `limit`
   * rows, however long history is.
   */
  async listHistory(limit: number): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    const filter = odata`PartitionKey eq ${PARTITION} and RowKey lt ${HISTORY_KEYS_END}`;
    try {
      const pages = this.history.listEntities<HistoryEntity>({ queryOptions: { filter } }).byPage({ maxPageSize: Math.min(limit, 1000) });
      for await (const page of pages) {
        for (const e of page) {
          if (entries.length >= limit) return entries;
          entries.push(toHistoryEntry(e));
        }
        if (entries.length >= limit) break;
      }
    } catch (error) {
      if (isTableNotFound(error)) return entries;
      throw error;
    }
    return entries;
  }

  /**
   * Deletes history rows recorded before `before` (the last-check row is never among them), at most
   * `maxRows` in this call, 100 to a transaction. Returns how many went and whether none is left.
   * Each round reads the oldest rows' keys afresh, so a run that stops half way loses nothing.
   */
  async purgeHistory(before: Date, maxRows: number, keepGoing: () => boolean = () => true): Promise<{ deleted: number; complete: boolean }> {
    const filter = odata`PartitionKey eq ${PARTITION} and RowKey ge ${invertedTimeKey(before.toISOString())} and RowKey lt ${HISTORY_KEYS_END}`;
    return purgeRows(this.history, filter, maxRows, keepGoing);
  }
}

/** The pending column a commit writes: the set with the new alerts, or nothing while it is unknown. */
/** The alerts that will be delivered: a silence holds the others back for good (they are never pending). */
function deliverable(alerts: readonly AlertEvent[], silences: SilenceNotes): AlertEvent[] {
  return alerts.filter((a) => silences.get(a.id)?.held !== true);
}

function pendingColumns(pending: readonly string[] | null, alerts: readonly AlertEvent[], expectedEtag: string | null): Record<string, string> {
  // A new row may stand beside an earlier life's undelivered alerts: it starts unknown, so the first check looks.
  if (pending === null || expectedEtag === null) return {};
  return { pendingAlerts: pendingColumn([...pending, ...alerts.map((a) => a.id)]) };
}
