import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import type { AlertEvent } from '../domain/alertEvent';
import type { ChannelDelivery, OutboxEntry, SilenceNote } from './records';
import { isTableNotFound, statusCodeOf, withTable } from './tableClients';
import { purgeRows } from './purge';

interface AlertEntity {
  event: string;
  kind: string;
  createdAt: string;
  /** Order within its check, so alerts raised together are delivered in the order they were raised. */
  position: number;
  pending: boolean;
  deliveries: string;
  /** Per channel: until when one run holds it while it sends (JSON map channel → ISO time). */
  claims?: string;
  /** The silence that matched it when it was raised (JSON SilenceNote); absent when none did. */
  silence?: string;
}

type Row = AlertEntity & { partitionKey: string; rowKey: string };

/** The first key after every key that starts with the prefix ("alert-" → "alert."). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function parseMap<T>(raw: string | undefined): Record<string, T> {
  if (raw === undefined || raw === '') return {};
  const parsed: unknown = JSON.parse(raw);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, T>) : {};
}

function toEntry(entity: TableEntityResult<AlertEntity>): OutboxEntry {
  return {
    event: JSON.parse(entity.event) as AlertEvent,
    createdAt: entity.createdAt,
    pending: entity.pending,
    deliveries: parseMap<ChannelDelivery>(entity.deliveries),
    claims: parseMap<string>(entity.claims),
    silence: entity.silence === undefined || entity.silence === '' ? null : (JSON.parse(entity.silence) as SilenceNote),
    etag: entity.etag,
  };
}

export type OutboxChange = Partial<Pick<OutboxEntry, 'pending' | 'deliveries' | 'claims'>>;

/**
 * Alerts waiting for (or done with) delivery, one entity each, with every channel's result. The
 * check keeps its outbox beside the alert state (so both are written in one transaction); the notify
 * function keeps its delivery log in a table of its own.
 */
export class Outbox {
  constructor(
    readonly client: TableClient,
    private readonly partition: string,
    private readonly rowPrefix: string,
  ) {}

  /**
   * A new alert's row. One a silence holds back is written done (not pending): it is never delivered,
   * also not once the silence has ended.
   */
  row(event: AlertEvent, position: number, silence: SilenceNote | null = null): Row {
    return {
      partitionKey: this.partition,
      rowKey: this.rowPrefix + event.id,
      event: JSON.stringify(event),
      kind: event.kind,
      createdAt: event.occurredAt,
      position,
      pending: silence?.held !== true,
      deliveries: '{}',
      claims: '{}',
      ...(silence === null ? {} : { silence: JSON.stringify(silence) }),
    };
  }

  /**
   * Adds the alert unless it is there already; either way returns what is stored (with the first
   * silence note). `initial` records channels up front (a channel an alert is not meant for is `excluded`).
   */
  async add(event: AlertEvent, silence: SilenceNote | null = null, initial: Record<string, ChannelDelivery> = {}): Promise<{ entry: OutboxEntry; added: boolean }> {
    const row = { ...this.row(event, 0, silence), deliveries: JSON.stringify(initial) };
    try {
      const created = await withTable(this.client, () => this.client.createEntity(row));
      return { entry: { event, createdAt: row.createdAt, pending: row.pending, deliveries: { ...initial }, claims: {}, silence, etag: created.etag ?? '' }, added: true };
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw error;
      return { entry: await this.get(event.id), added: false };
    }
  }

  async get(id: string): Promise<OutboxEntry> {
    return toEntry(await this.client.getEntity<AlertEntity>(this.partition, this.rowPrefix + id));
  }

  async pending(): Promise<OutboxEntry[]> {
    const filter =
      this.rowPrefix === ''
        ? odata`PartitionKey eq ${this.partition} and pending eq true`
        : odata`PartitionKey eq ${this.partition} and RowKey ge ${this.rowPrefix} and RowKey lt ${prefixEnd(this.rowPrefix)} and pending eq true`;
    const entities: Array<TableEntityResult<AlertEntity>> = [];
    try {
      for await (const e of this.client.listEntities<AlertEntity>({ queryOptions: { filter } })) entities.push(e);
    } catch (error) {
      // No table yet: nothing was ever queued.
      if (!isTableNotFound(error)) throw error;
    }
    entities.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || (a.position ?? 0) - (b.position ?? 0));
    return entities.map(toEntry);
  }

  /**
   * Deletes delivered alerts raised before `before`, at most `maxRows` in this call. Undelivered ones
   * (a channel still owes them, or refused them for good) are kept whatever their age.
   */
  purgeDelivered(before: Date, maxRows: number, keepGoing: () => boolean = () => true): Promise<{ deleted: number; complete: boolean }> {
    const createdBefore = before.toISOString();
    const filter =
      this.rowPrefix === ''
        ? odata`PartitionKey eq ${this.partition} and pending eq false and createdAt lt ${createdBefore}`
        : odata`PartitionKey eq ${this.partition} and RowKey ge ${this.rowPrefix} and RowKey lt ${prefixEnd(this.rowPrefix)} and pending eq false and createdAt lt ${createdBefore}`;
    return purgeRows(this.client, filter, maxRows, keepGoing);
  }

  /** Saves the change under the entry's ETag; null when another run wrote the entry first. */
  async save(entry: OutboxEntry, change: OutboxChange): Promise<OutboxEntry | null> {
    const next = { ...entry, ...change };
    try {
      const result = await this.client.updateEntity(
        {
          partitionKey: this.partition,
          rowKey: this.rowPrefix + entry.event.id,
          pending: next.pending,
          deliveries: JSON.stringify(next.deliveries),
          claims: JSON.stringify(next.claims),
        },
        'Merge',
        { etag: entry.etag },
      );
      return { ...next, etag: result.etag ?? entry.etag };
    } catch (error) {
      if (statusCodeOf(error) === 412) return null;
      throw error;
    }
  }
}
