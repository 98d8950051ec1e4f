import { TableTransaction, type TableClient } from '@azure/data-tables';
import { noteLocalWrite } from './localWrites';
import { isTableNotFound } from './tableClients';

/** A Table transaction holds at most 100 operations. */
const MAX_BATCH = 100;

/**
 * Deletes the rows a key-range filter selects, a page of at most 100 keys at a time, each page in
 * one transaction, until none is left, `maxRows` went, or `keepGoing` says stop.
 */
export async function purgeRows(client: TableClient, filter: string, maxRows: number, keepGoing: () => boolean): Promise<{ deleted: number; complete: boolean }> {
  let deleted = 0;
  while (deleted < maxRows && keepGoing()) {
    const size = Math.min(MAX_BATCH, maxRows - deleted);
    let page: Array<{ partitionKey?: string; rowKey?: string }> = [];
    try {
      const pages = client.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } }).byPage({ maxPageSize: size });
      for await (const first of pages) {
        page = first.slice(0, size);
        if (page.length > 0) break;
      }
    } catch (error) {
      if (isTableNotFound(error)) return { deleted, complete: true };
      throw error;
    }
    if (page.length === 0) return { deleted, complete: true };
    const byPartition = new Map<string, string[]>();
    for (const row of page) {
      if (row.partitionKey === undefined || row.rowKey === undefined) continue;
      byPartition.set(row.partitionKey, [...(byPartition.get(row.partitionKey) ?? []), row.rowKey]);
    }
    for (const [partition, keys] of byPartition) {
      const tx = new TableTransaction();
      for (const key of keys) tx.deleteEntity(partition, key);
      await client.submitTransaction(tx.actions);
      noteLocalWrite();
    }
    deleted += page.length;
    if (page.length < size) return { deleted, complete: true };
  }
  return { deleted, complete: false };
}
