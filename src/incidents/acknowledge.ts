import { randomUUID } from 'node:crypto';
import { acknowledge, type Incident } from '../domain/decide';
import type { MonitorStore } from '../storage/monitorStore';

export interface AckRequest {
  ids: string[] | 'all';
  by: string | null;
  note: string | null;
  at: Date;
}

export type AckOutcome = { ok: true; closed: Incident[] } | { ok: false; unknown: string[] };

/** Longest `by` and `note` kept: they are written to history, which people read. */
export const MAX_ACK_BY = 200;
export const MAX_ACK_NOTE = 2000;

/**
 * Closes open incidents for a person, and writes who and why to history. All or nothing: one
 * unknown id refuses the whole request, so a typo never half-acknowledges a list.
 */
export async function acknowledgeIncidents(store: MonitorStore, request: AckRequest): Promise<AckOutcome> {
  let unknown: string[] = [];
  const closed = await store.updateState((state) => {
    const result = acknowledge(state, request.ids);
    unknown = result.unknown;
    if (result.unknown.length > 0 || result.closed.length === 0) return null;
    return { next: result.next, result: result.closed };
  });
  if (request.ids !== 'all' && (closed === null || unknown.length > 0)) {
    return { ok: false, unknown: unknown.length > 0 ? unknown : request.ids };
  }
  const done = closed ?? [];
  if (done.length > 0) {
    await store.appendAck(
      { at: request.at.toISOString(), ids: done.map((i) => i.id), kinds: done.map((i) => i.kind), by: request.by, note: request.note },
      randomUUID().slice(0, 8),
    );
  }
  return { ok: true, closed: done };
}

/** One line of text from a person: no control characters, bounded. */
export function cleanText(value: string, max: number): string {
  const flat = value.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 13)}…[truncated]`;
}
