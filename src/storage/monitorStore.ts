import { odata, TableTransaction, type TableClient } from '@azure/data-tables';
import type { AlertEvent } from '../domain/alertEvent';
import { INITIAL_STATE, type AlertState } from '../domain/decide';
import { ensureTable, statusCodeOf } from './tableClients';
import { Outbox } from './outbox';
import type { CheckRecord, HistoryEntry } from './records';

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

export interface LoadedState {
  state: AlertState;
  lastCheck: CheckRecord | null;
  /** The last check that could read Graph: what status shows while reads fail. */
  lastGoodCheck: CheckRecord | null;
  etag: string | null;
}

interface StateEntity {
  state: string;
  lastCheck: string;
  lastGoodCheck: string;
}

interface HistoryEntity {
  type: string;
  at: string;
  body: string;
}

function parseJson<T>(raw: unknown, fallback: T): T {
  if (typeof raw !== 'string' || raw === '') return fallback;
  return JSON.parse(raw) as T;
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

  constructor(
    private readonly state: TableClient,
    private readonly history: TableClient,
  ) {
    this.outbox = new Outbox(state, PARTITION, ALERT_ROW_PREFIX);
  }

  async loadState(): Promise<LoadedState> {
    await ensureTable(this.state);
    try {
      const entity = await this.state.getEntity<StateEntity>(PARTITION, STATE_ROW);
      return {
        state: { ...INITIAL_STATE, ...parseJson<Partial<AlertState>>(entity.state, {}) },
        lastCheck: parseJson<CheckRecord | null>(entity.lastCheck, null),
        lastGoodCheck: parseJson<CheckRecord | null>(entity.lastGoodCheck, null),
        etag: entity.etag,
      };
    } catch (error) {
      if (statusCodeOf(error) === 404) return { state: INITIAL_STATE, lastCheck: null, lastGoodCheck: null, etag: null };
      throw error;
    }
  }

  /** Writes the state, the last check and the new alerts atomically; throws ConcurrencyConflict if beaten. */
  async commitCheck(expectedEtag: string | null, state: AlertState, lastCheck: CheckRecord, lastGoodCheck: CheckRecord | null, alerts: AlertEvent[]): Promise<void> {
    await ensureTable(this.state);
    const tx = new TableTransaction();
    const stateEntity = {
      partitionKey: PARTITION,
      rowKey: STATE_ROW,
      state: JSON.stringify(state),
      lastCheck: JSON.stringify(lastCheck),
      lastGoodCheck: lastGoodCheck === null ? '' : JSON.stringify(lastGoodCheck),
    };
    if (expectedEtag === null) tx.createEntity(stateEntity);
    else tx.updateEntity(stateEntity, 'Replace', { etag: expectedEtag });
    for (const [position, alert] of alerts.entries()) tx.createEntity(this.outbox.row(alert, position));
    try {
      await this.state.submitTransaction(tx.actions);
    } catch (error) {
      const status = statusCodeOf(error);
      if (status === 409 || status === 412) throw new ConcurrencyConflict();
      throw error;
    }
  }

  async appendHistory(check: CheckRecord, alerts: AlertEvent[], runId: string): Promise<void> {
    await ensureTable(this.history);
    const key = invertedTimeKey(check.checkedAt);
    const rows: Array<HistoryEntity & { partitionKey: string; rowKey: string }> = [
      { partitionKey: PARTITION, rowKey: `${key}-c-${runId}`, type: 'check', at: check.checkedAt, body: JSON.stringify(check) },
      ...alerts.map((a) => ({ partitionKey: PARTITION, rowKey: `${key}-a-${a.id}`, type: 'alert', at: a.occurredAt, body: JSON.stringify(a) })),
    ];
    const tx = new TableTransaction();
    for (const row of rows) tx.upsertEntity(row, 'Replace');
    await this.history.submitTransaction(tx.actions);
  }

  async listHistory(limit: number): Promise<HistoryEntry[]> {
    await ensureTable(this.history);
    const entries: HistoryEntry[] = [];
    const pages = this.history.listEntities<HistoryEntity>({ queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` } }).byPage({ maxPageSize: Math.min(limit, 1000) });
    for await (const page of pages) {
      for (const e of page) {
        if (entries.length >= limit) return entries;
        entries.push(e.type === 'alert' ? { type: 'alert', at: e.at, alert: JSON.parse(e.body) as AlertEvent } : { type: 'check', at: e.at, check: JSON.parse(e.body) as CheckRecord });
      }
      if (entries.length >= limit) break;
    }
    return entries;
  }

}
