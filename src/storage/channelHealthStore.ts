import { odata, type TableClient } from '@azure/data-tables';
import { newChannelHealth, type StoredChannelHealth } from '../notify/channelHealth';
import { isTableNotFound, statusCodeOf, withTable } from './tableClients';
import { noteLocalWrite } from './localWrites';

/**
 * One small row per notification channel, in a partition of its own in the state table: the check,
 * the notify function and the test button all record here, and status reads every channel in one query.
 */
const PARTITION = 'channels';

interface HealthEntity {
  health: string;
}

export interface LoadedChannelHealth {
  health: StoredChannelHealth;
  /** Null when the channel has no row yet. */
  etag: string | null;
}

function parse(channel: string, raw: unknown): StoredChannelHealth {
  // A row that cannot be read is a channel with no record, never a reason to stop delivering.
  if (typeof raw !== 'string') return newChannelHealth(channel);
  try {
    const parsed = JSON.parse(raw) as Partial<StoredChannelHealth> | null;
    if (typeof parsed !== 'object' || parsed === null) return newChannelHealth(channel);
    return { ...newChannelHealth(channel), ...parsed, channel };
  } catch {
    return newChannelHealth(channel);
  }
}

export class ChannelHealthStore {
  constructor(private readonly client: TableClient) {}

  /** Every channel that has a record, by name. */
  async list(): Promise<Map<string, LoadedChannelHealth>> {
    const out = new Map<string, LoadedChannelHealth>();
    try {
      for await (const e of this.client.listEntities<HealthEntity>({ queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` } })) {
        if (e.rowKey !== undefined) out.set(e.rowKey, { health: parse(e.rowKey, e.health), etag: e.etag });
      }
    } catch (error) {
      // No table yet: no channel has a record (the first save creates it).
      if (!isTableNotFound(error)) throw error;
    }
    return out;
  }

  async get(channel: string): Promise<LoadedChannelHealth> {
    try {
      const e = await this.client.getEntity<HealthEntity>(PARTITION, channel);
      return { health: parse(channel, e.health), etag: e.etag };
    } catch (error) {
      if (statusCodeOf(error) === 404) return { health: newChannelHealth(channel), etag: null };
      throw error;
    }
  }

  /** Writes under the ETag read (creates when there was none); null when another writer was first. */
  async save(health: StoredChannelHealth, etag: string | null): Promise<string | null> {
    const entity = { partitionKey: PARTITION, rowKey: health.channel, health: JSON.stringify(health) };
    try {
      const result = await withTable(this.client, () => (etag === null ? this.client.createEntity(entity) : this.client.updateEntity(entity, 'Replace', { etag })));
      noteLocalWrite();
      return result.etag ?? '';
    } catch (error) {
      const status = statusCodeOf(error);
      if (status === 412 || status === 409) return null;
      throw error;
    }
  }
}
