import { randomUUID } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import { SUBJECT_KINDS } from '../domain/alertEvent';
import type { Logger } from '../log';
import type { Redactor } from '../redact';
import type { Silence } from '../status/operatorModel';
import { isTableNotFound, statusCodeOf, withTable } from '../storage/tableClients';
import { noteLocalWrite } from '../storage/localWrites';
import type { NewSilence } from './input';

/**
 * Silences in Table Storage: one row each, in their own partition of the state table. Adds never touch
 * each other's rows (a fresh random id each), so two people adding at once both keep theirs; a removal
 * deletes one row. A silence ends by itself at `until` (every reader compares with now); the rows of
 * ended ones are deleted lazily, by the commands that add, list or remove silences.
 */

const PARTITION = 'silence';
/** At most this many in force: a list people can still read, and a bounded read for every check. */
export const MAX_SILENCES_IN_FORCE = 100;
/** What one read of the partition may return, ended rows included (they are pruned as it goes). */
const MAX_ROWS_READ = 1000;
/** Ids are UUIDs: anything else is unknown without a storage call (and never becomes a row key). */
const SILENCE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface SilenceEntity {
  until: string;
  body: string;
}

export class TooManySilences extends Error {}

/** A stored row as a silence; null when it is not one (a hand-edited or damaged row never matches anything). */
function parseRow(body: unknown): Silence | null {
  if (typeof body !== 'string') return null;
  try {
    const s = JSON.parse(body) as Partial<Silence> | null;
    if (s === null || typeof s !== 'object') return null;
    if (typeof s.id !== 'string' || typeof s.until !== 'string' || !Number.isFinite(Date.parse(s.until))) return null;
    if (!(SUBJECT_KINDS as readonly string[]).includes(s.subject as string)) return null;
    return {
      id: s.id,
      subject: s.subject!,
      subjectId: typeof s.subjectId === 'string' ? s.subjectId : null,
      kind: typeof s.kind === 'string' ? s.kind : null,
      until: s.until,
      reason: typeof s.reason === 'string' ? s.reason : '',
      createdBy: typeof s.createdBy === 'string' ? s.createdBy : null,
      createdAt: typeof s.createdAt === 'string' ? s.createdAt : s.until,
    };
  } catch {
    return null;
  }
}

/** Of these silences, those in force at `now`, the one ending first first. */
export function inForceAt(silences: ReadonlyArray<Silence | null>, now: Date): Silence[] {
  return silences
    .filter((s): s is Silence => s !== null && Date.parse(s.until) > now.getTime())
    .sort((a, b) => a.until.localeCompare(b.until) || a.id.localeCompare(b.id))
    .slice(0, MAX_SILENCES_IN_FORCE);
}

export class SilenceStore {
  constructor(private readonly client: TableClient) {}

  static isId(id: string): boolean {
    return SILENCE_ID.test(id);
  }

  /** Rows of the partition, at most MAX_ROWS_READ, with `until` after (or at or before) `now`. */
  private async rows(now: Date, ended: boolean): Promise<Array<{ rowKey: string; silence: Silence | null }>> {
    const at = now.toISOString();
    const filter = ended ? odata`PartitionKey eq ${PARTITION} and until le ${at}` : odata`PartitionKey eq ${PARTITION} and until gt ${at}`;
    const out: Array<{ rowKey: string; silence: Silence | null }> = [];
    try {
      for await (const e of this.client.listEntities<SilenceEntity>({ queryOptions: { filter } })) {
        out.push({ rowKey: e.rowKey ?? '', silence: parseRow(e.body) });
        if (out.length >= MAX_ROWS_READ) break;
      }
    } catch (error) {
      // No table yet: no silence was ever added (the first add creates it).
      if (!isTableNotFound(error)) throw error;
    }
    return out;
  }

  /** The silences in force at `now`, the one ending first first. Reads only. */
  async inForce(now: Date): Promise<Silence[]> {
    return inForceAt((await this.rows(now, false)).map((r) => r.silence), now);
  }

  /**
   * Every stored silence, ended ones not yet pruned included, for a cache that filters them at each
   * view's own time (inForceAt).
   */
  async stored(): Promise<Silence[]> {
    return (await this.rows(new Date(0), false)).map((r) => r.silence).filter((s): s is Silence => s !== null);
  }

  /** Deletes the rows of silences that have ended; returns how many. Another run deleting the same is fine. */
  async prune(now: Date): Promise<number> {
    let deleted = 0;
    for (const row of await this.rows(now, true)) {
      try {
        await this.client.deleteEntity(PARTITION, row.rowKey);
        noteLocalWrite();
        deleted += 1;
      } catch (error) {
        if (statusCodeOf(error) !== 404) throw error;
      }
    }
    return deleted;
  }

  async add(request: NewSilence, now: Date): Promise<Silence> {
    if ((await this.inForce(now)).length >= MAX_SILENCES_IN_FORCE) {
      throw new TooManySilences(`${MAX_SILENCES_IN_FORCE} silences are in force already: remove one (apns-monitor silence list) before adding another`);
    }
    for (let attempt = 1; ; attempt++) {
      const silence: Silence = { id: randomUUID(), ...request, createdAt: now.toISOString() };
      try {
        await withTable(this.client, () => this.client.createEntity({ partitionKey: PARTITION, rowKey: silence.id, until: silence.until, body: JSON.stringify(silence) }));
        noteLocalWrite();
        return silence;
      } catch (error) {
        // A UUID that exists already is vanishingly rare; a second one is certainly new.
        if (statusCodeOf(error) !== 409 || attempt >= 3) throw error;
      }
    }
  }

  /** Removes a silence (in force or ended but not yet pruned); null when there is none with that id. */
  async remove(id: string): Promise<Silence | null> {
    if (!SilenceStore.isId(id)) return null;
    let silence: Silence | null;
    try {
      const entity = await this.client.getEntity<SilenceEntity>(PARTITION, id.toLowerCase());
      silence = parseRow(entity.body);
    } catch (error) {
      if (statusCodeOf(error) === 404) return null;
      throw error;
    }
    try {
      await this.client.deleteEntity(PARTITION, id.toLowerCase());
      noteLocalWrite();
    } catch (error) {
      // Removed by someone else meanwhile: it is gone either way, and this call found it.
      if (statusCodeOf(error) !== 404) throw error;
    }
    return silence;
  }
}

/**
 * The silences a check applies. A monitor never goes silent by accident: when they cannot be read, the
 * check says so and delivers everything (nothing is held back by a silence nobody can see).
 */
export async function silencesForCheck(source: Pick<SilenceStore, 'inForce'> | undefined, now: Date, log: Logger, redact: Redactor, who = 'check'): Promise<Silence[]> {
  if (source === undefined) return [];
  try {
    return await source.inForce(now);
  } catch (error) {
    log.error(`${who}: could not read the silences, so none is applied: ${redact(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error))}`);
    return [];
  }
}
