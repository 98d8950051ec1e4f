import { odata, TableTransaction, type TableClient } from '@azure/data-tables';
import type { AlertEvent } from '../domain/alertEvent';
import { INITIAL_STATE, type AlertState } from '../domain/decide';
import { ensureTable, statusCodeOf } from './tableClients';
import { CHUNK_CHARS, fromChunks, toChunks } from './chunkedJson';
import { Outbox } from './outbox';
import { ChannelHealthStore } from './channelHealthStore';
import type { AckRecord, CheckRecord, DeliveryFailureRecord, HistoryEntry, RenewalRecord, SilenceNote } from './records';
import { INITIAL_TOKEN_SUBJECT_STATE, type TokenFacts, type TokenReadOutcome, type TokenSubjectKind, type TokenSubjectState } from '../subjects/token';

const PARTITION = 'apns';
const STATE_ROW = 'state';
const ALERT_ROW_PREFIX = 'alert-';
const MAX_TIME_MS = 8_640_000_000_000_000;

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
  etag: string | null;
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
  etag: string | null;
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
  lastCheck: string;
  lastGoodCheck: string;
  deliveryFailures?: string;
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

  async loadState(): Promise<LoadedState> {
    await ensureTable(this.state);
    try {
      const entity = await this.state.getEntity<StateEntity>(PARTITION, STATE_ROW);
      return {
        state: { ...INITIAL_STATE, ...parseJson<Partial<AlertState>>(entity.state, {}) },
        lastCheck: parseJson<CheckRecord | null>(entity.lastCheck, null),
        lastGoodCheck: parseJson<CheckRecord | null>(entity.lastGoodCheck, null),
        deliveryFailures: parseJson<DeliveryFailureRecord[]>(entity.deliveryFailures, []),
        etag: entity.etag,
      };
    } catch (error) {
      if (statusCodeOf(error) === 404) return { state: INITIAL_STATE, lastCheck: null, lastGoodCheck: null, deliveryFailures: [], etag: null };
      throw error;
    }
  }

  /** Writes the state, the last check and the new alerts atomically; throws ConcurrencyConflict if beaten. */
  async commitCheck(expectedEtag: string | null, state: AlertState, lastCheck: CheckRecord, lastGoodCheck: CheckRecord | null, alerts: AlertEvent[], silences: SilenceNotes = NO_NOTES): Promise<void> {
    await this.commitRow(STATE_ROW, expectedEtag, { state: JSON.stringify(state), lastCheck: JSON.stringify(lastCheck), lastGoodCheck: lastGoodCheck === null ? '' : JSON.stringify(lastGoodCheck) }, alerts, silences);
  }

  /** The state of a token subject (all VPP, or all ADE tokens) and what its last read found. */
  async loadSubject(subject: TokenSubjectKind): Promise<LoadedSubject> {
    await ensureTable(this.state);
    try {
      const entity = await this.state.getEntity<SubjectEntity>(PARTITION, subjectRow(subject));
      return {
        state: { ...INITIAL_TOKEN_SUBJECT_STATE, ...parseJson<Partial<TokenSubjectState>>(fromChunks(entity, 'state'), {}) },
        lastRead: parseJson<StoredTokenRead | null>(fromChunks(entity, 'lastRead'), null),
        etag: entity.etag,
      };
    } catch (error) {
      if (statusCodeOf(error) === 404) return { state: INITIAL_TOKEN_SUBJECT_STATE, lastRead: null, etag: null };
      throw error;
    }
  }

  /** A token subject's state, its last read and its new alerts, atomically, as for the push certificate. */
  async commitSubject(subject: TokenSubjectKind, expectedEtag: string | null, state: TokenSubjectState, lastRead: StoredTokenRead, alerts: AlertEvent[], silences: SilenceNotes = NO_NOTES): Promise<void> {
    // A tenant with many tokens outgrows one property: the state and the read are spread over several.
    await this.commitRow(subjectRow(subject), expectedEtag, { ...toChunks('state', JSON.stringify(state)), ...toChunks('lastRead', JSON.stringify(boundRead(lastRead))) }, alerts, silences);
  }

  /**
   * One state row and the alerts it raised in one transaction guarded by the row's ETag. Each
   * credential has its own row, so one subject's check never conflicts with another's.
   */
  private async commitRow(rowKey: string, expectedEtag: string | null, columns: Record<string, string | number>, alerts: AlertEvent[], silences: SilenceNotes): Promise<void> {
    await ensureTable(this.state);
    const tx = new TableTransaction();
    const entity = { partitionKey: PARTITION, rowKey, ...columns };
    if (expectedEtag === null) tx.createEntity(entity);
    // Merge, not Replace: the delivery failures column is written by delivery, not by the check.
    else tx.updateEntity(entity, 'Merge', { etag: expectedEtag });
    for (const [position, alert] of alerts.entries()) tx.createEntity(this.outbox.row(alert, position, silences.get(alert.id) ?? null));
    try {
      await this.state.submitTransaction(tx.actions);
    } catch (error) {
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
      const loaded = await this.loadState();
      if (loaded.etag === null) return null;
      const outcome = change(loaded.state);
      if (outcome === null) return null;
      try {
        await this.state.updateEntity({ partitionKey: PARTITION, rowKey: STATE_ROW, state: JSON.stringify(outcome.next) }, 'Merge', { etag: loaded.etag });
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
        return outcome.result;
      } catch (error) {
        if (statusCodeOf(error) !== 412 || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  /** The check (when the push certificate was checked) and every alert the run raised, in one batch. */
  async appendHistory(check: CheckRecord | null, alerts: AlertEvent[], at: string, runId: string, silences: SilenceNotes = NO_NOTES): Promise<void> {
    if (check === null && alerts.length === 0) return;
    await ensureTable(this.history);
    const key = invertedTimeKey(check?.checkedAt ?? at);
    const rows: Array<HistoryEntity & { partitionKey: string; rowKey: string }> = [
      ...(check === null ? [] : [{ partitionKey: PARTITION, rowKey: `${key}-c-${runId}`, type: 'check', at: check.checkedAt, body: JSON.stringify(check) }]),
      ...alerts.map((a) => {
        const silence = silences.get(a.id);
        return { partitionKey: PARTITION, rowKey: `${key}-a-${a.id}`, type: 'alert', at: a.occurredAt, body: JSON.stringify(a), ...(silence === undefined ? {} : { silence: JSON.stringify(silence) }) };
      }),
    ];
    const tx = new TableTransaction();
    for (const row of rows) tx.upsertEntity(row, 'Replace');
    await this.history.submitTransaction(tx.actions);
  }

  async appendAck(ack: AckRecord, runId: string): Promise<void> {
    await ensureTable(this.history);
    await this.history.upsertEntity({ partitionKey: PARTITION, rowKey: `${invertedTimeKey(ack.at)}-k-${runId}`, type: 'ack', at: ack.at, body: JSON.stringify(ack) }, 'Replace');
  }

  /** A renewal uploaded with `apns-monitor renew upload`, once Graph showed the new certificate. */
  async appendRenewal(renewal: RenewalRecord, runId: string): Promise<void> {
    await ensureTable(this.history);
    await this.history.upsertEntity({ partitionKey: PARTITION, rowKey: `${invertedTimeKey(renewal.at)}-r-${runId}`, type: 'renewal', at: renewal.at, body: JSON.stringify(renewal) }, 'Replace');
  }

  /** A channel refused an alert for good: into history, and onto the state where status shows it. */
  async recordDeliveryFailure(failure: DeliveryFailureRecord): Promise<void> {
    await ensureTable(this.history);
    const row = `${invertedTimeKey(failure.at)}-d-${failure.alertId}-${failure.channel}`;
    await this.history.upsertEntity({ partitionKey: PARTITION, rowKey: row, type: 'delivery_failed', at: failure.at, body: JSON.stringify(failure) }, 'Replace');
    await this.updateDeliveryFailures((list) => [failure, ...list.filter((f) => f.alertId !== failure.alertId || f.channel !== failure.channel)].slice(0, MAX_DELIVERY_FAILURES));
  }

  /** The channel took the alert after all (its target was corrected): no longer a failure to show. */
  async clearDeliveryFailure(alertId: string, channel: string): Promise<void> {
    await this.updateDeliveryFailures((list) => list.filter((f) => f.alertId !== alertId || f.channel !== channel));
  }

  private async updateDeliveryFailures(change: (list: DeliveryFailureRecord[]) => DeliveryFailureRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.loadState();
      if (loaded.etag === null) return;
      const next = change(loaded.deliveryFailures);
      if (JSON.stringify(next) === JSON.stringify(loaded.deliveryFailures)) return;
      try {
        await this.state.updateEntity({ partitionKey: PARTITION, rowKey: STATE_ROW, deliveryFailures: JSON.stringify(next) }, 'Merge', { etag: loaded.etag });
        return;
      } catch (error) {
        if (statusCodeOf(error) !== 412 || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }

  async listHistory(limit: number): Promise<HistoryEntry[]> {
    await ensureTable(this.history);
    const entries: HistoryEntry[] = [];
    const pages = this.history.listEntities<HistoryEntity>({ queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` } }).byPage({ maxPageSize: Math.min(limit, 1000) });
    for await (const page of pages) {
      for (const e of page) {
        if (entries.length >= limit) return entries;
        entries.push(toHistoryEntry(e));
      }
      if (entries.length >= limit) break;
    }
    return entries;
  }

}
