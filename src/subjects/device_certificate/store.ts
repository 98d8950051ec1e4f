import { createHash } from 'node:crypto';
import { odata, TableTransaction, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { AlertEvent } from '../../domain/alertEvent';
import { fromChunks, toChunks } from '../../storage/chunkedJson';
import { AlertIdCollision, ConcurrencyConflict, type SilenceNotes } from '../../storage/monitorStore';
import type { Outbox } from '../../storage/outbox';
import { ensureTable, statusCodeOf } from '../../storage/tableClients';
import { noteLocalWrite } from '../../storage/localWrites';
import type { AtRiskCertificate } from './model';
import { INITIAL_DEVICE_CERT_STATE, type DeviceCertState, type RowChanges, type StoredListRow } from './rules';

/**
 * Device certificates in the state table: the subject's state row beside the push certificate's (same
 * partition, so it commits with its alerts in one transaction under its ETag), and the list, one row
 * per certificate (keyed by thumbprint) in a partition of its own. Rows are written only when they
 * changed, in transactions of at most 100, each guarded by the ETag it was read with.
 */

const STATE_PARTITION = 'apns';
const STATE_ROW = 'state-device_certificate';
export const LIST_PARTITION = 'devcert';
/** A Table transaction holds at most 100 operations, all in one partition. */
export const MAX_BATCH = 100;
const NO_NOTES: SilenceNotes = new Map();

export interface LoadedDeviceCertState {
  state: DeviceCertState;
  etag: string | null;
}

/** A stored row with the ETag it was read with (a write under it fails if another run changed it). */
export type StoredRow = StoredListRow & { etag: string };

type RowEntity = {
  deviceName: string;
  userPrincipalName: string;
  subjectName: string;
  issuerName: string;
  expirationDateTime: string;
  thumbprint: string;
  serialNumber: string;
  revokeFailed: boolean;
  atRisk: boolean;
  /** -1: none (Table properties cannot be null). */
  alertedThresholdDays: number;
  revocationAlerted: boolean;
  generation: number;
  prevAlertedThresholdDays: number;
  prevRevocationAlerted: boolean;
};

/**
 * A Table row key for a thumbprint: hex thumbprints as they are; anything else (a key cannot hold / \ # ?
 * or control characters, nor be longer than 1 KiB) hashed, marked so it never equals a hex one.
 */
export function rowKeyOf(thumbprint: string): string {
  return /^[0-9A-Za-z]{1,128}$/.test(thumbprint) ? thumbprint : `~${createHash('sha256').update(thumbprint).digest('hex')}`;
}

function toEntity(row: StoredListRow): RowEntity & { partitionKey: string; rowKey: string } {
  return {
    partitionKey: LIST_PARTITION,
    rowKey: rowKeyOf(row.thumbprint),
    deviceName: row.deviceName,
    userPrincipalName: row.userPrincipalName,
    subjectName: row.subjectName,
    issuerName: row.issuerName,
    expirationDateTime: row.expirationDateTime,
    thumbprint: row.thumbprint,
    serialNumber: row.serialNumber,
    revokeFailed: row.revokeFailed,
    atRisk: row.atRisk,
    alertedThresholdDays: row.alertedThresholdDays ?? -1,
    revocationAlerted: row.revocationAlerted,
    generation: row.generation,
    prevAlertedThresholdDays: row.prevAlertedThresholdDays ?? -1,
    prevRevocationAlerted: row.prevRevocationAlerted,
  };
}

const orNull = (n: unknown) => (typeof n === 'number' && n >= 0 ? n : null);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

function fromEntity(e: Record<string, unknown> & { etag: string }): StoredRow {
  return {
    deviceName: str(e['deviceName']),
    userPrincipalName: str(e['userPrincipalName']),
    subjectName: str(e['subjectName']),
    issuerName: str(e['issuerName']),
    expirationDateTime: str(e['expirationDateTime']),
    thumbprint: str(e['thumbprint']),
    serialNumber: str(e['serialNumber']),
    revokeFailed: e['revokeFailed'] === true,
    atRisk: e['atRisk'] === true,
    alertedThresholdDays: orNull(e['alertedThresholdDays']),
    revocationAlerted: e['revocationAlerted'] === true,
    generation: typeof e['generation'] === 'number' ? e['generation'] : 0,
    prevAlertedThresholdDays: orNull(e['prevAlertedThresholdDays']),
    prevRevocationAlerted: e['prevRevocationAlerted'] === true,
    etag: e.etag,
  };
}

export class DeviceCertificateStore {
  private readonly table: TableClient;

  /** The check's outbox: alerts are its rows, in the state's partition. */
  constructor(private readonly outbox: Outbox) {
    this.table = outbox.client;
  }

  async loadState(): Promise<LoadedDeviceCertState> {
    await ensureTable(this.table);
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(STATE_PARTITION, STATE_ROW);
      const json = fromChunks(entity, 'state');
      return { state: { ...INITIAL_DEVICE_CERT_STATE, ...(json === undefined ? {} : (JSON.parse(json) as Partial<DeviceCertState>)) }, etag: entity.etag };
    } catch (error) {
      if (statusCodeOf(error) === 404) return { state: INITIAL_DEVICE_CERT_STATE, etag: null };
      throw error;
    }
  }

  /** Every stored row, by thumbprint (1,000 a request). */
  async loadRows(): Promise<Map<string, StoredRow>> {
    await ensureTable(this.table);
    const rows = new Map<string, StoredRow>();
    const pages = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${LIST_PARTITION}` } }).byPage({ maxPageSize: 1000 });
    for await (const page of pages) {
      for (const e of page) {
        const row = fromEntity(e as Record<string, unknown> & { etag: string });
        rows.set(row.thumbprint, row);
      }
    }
    return rows;
  }

  /** The at-risk list as the CLI and the route show it (revocation-only rows are bookkeeping, not risk). */
  async listAtRisk(): Promise<AtRiskCertificate[]> {
    const rows = await this.loadRows();
    return [...rows.values()]
      .filter((r) => r.atRisk)
      .map(({ deviceName, userPrincipalName, subjectName, issuerName, expirationDateTime, thumbprint, serialNumber }) => ({ deviceName, userPrincipalName, subjectName, issuerName, expirationDateTime, thumbprint, serialNumber }));
  }

  /**
   * Writes the changed rows and deletes the dropped ones, 100 to a transaction. A row another run
   * created, changed or deleted since it was read fails its transaction: ConcurrencyConflict.
   * Returns how many transactions it took.
   */
  async writeRows(changes: RowChanges, stored: ReadonlyMap<string, StoredRow>): Promise<number> {
    const actions: TransactionAction[] = [];
    for (const row of changes.upsert) {
      const before = stored.get(row.thumbprint);
      actions.push(before === undefined ? ['create', toEntity(row)] : ['update', toEntity(row), 'Replace', { etag: before.etag }]);
    }
    for (const thumbprint of changes.remove) {
      const before = stored.get(thumbprint);
      // A transaction's delete takes no ETag; a row another run deleted meanwhile still fails it (404).
      if (before !== undefined) actions.push(['delete', { partitionKey: LIST_PARTITION, rowKey: rowKeyOf(thumbprint) }]);
    }
    let transactions = 0;
    for (let i = 0; i < actions.length; i += MAX_BATCH) {
      try {
        await this.table.submitTransaction(actions.slice(i, i + MAX_BATCH));
        noteLocalWrite();
        transactions += 1;
      } catch (error) {
        const status = statusCodeOf(error);
        if (status === 412 || status === 409 || status === 404) throw new ConcurrencyConflict();
        throw error;
      }
    }
    return transactions;
  }

  /** The state row and the alerts it raised, atomically, under the row's ETag (as MonitorStore.commitSubject). */
  async commit(expectedEtag: string | null, state: DeviceCertState, alerts: readonly AlertEvent[], silences: SilenceNotes = NO_NOTES): Promise<void> {
    await ensureTable(this.table);
    const tx = new TableTransaction();
    const entity = { partitionKey: STATE_PARTITION, rowKey: STATE_ROW, ...toChunks('state', JSON.stringify(state)) };
    if (expectedEtag === null) tx.createEntity(entity);
    else tx.updateEntity(entity, 'Replace', { etag: expectedEtag });
    for (const [position, alert] of alerts.entries()) tx.createEntity(this.outbox.row(alert, position, silences.get(alert.id) ?? null));
    try {
      await this.table.submitTransaction(tx.actions);
      noteLocalWrite();
    } catch (error) {
      const status = statusCodeOf(error);
      if (status === 412 || (status === 404 && expectedEtag !== null)) throw new ConcurrencyConflict();
      if (status === 409) {
        if (expectedEtag === null && (await this.loadState()).etag !== null) throw new ConcurrencyConflict();
        throw new AlertIdCollision();
      }
      throw error;
    }
  }

  /** As MonitorStore.updateSubjectState: a change to the state alone (acknowledging its incidents). */
  async updateState<T>(change: (state: DeviceCertState) => { next: DeviceCertState; result: T } | null): Promise<T | null> {
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.loadState();
      if (loaded.etag === null) return null;
      const outcome = change(loaded.state);
      if (outcome === null) return null;
      try {
        await this.table.updateEntity({ partitionKey: STATE_PARTITION, rowKey: STATE_ROW, ...toChunks('state', JSON.stringify(outcome.next)) }, 'Merge', { etag: loaded.etag });
        noteLocalWrite();
        return outcome.result;
      } catch (error) {
        if (statusCodeOf(error) !== 412 || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }
}
