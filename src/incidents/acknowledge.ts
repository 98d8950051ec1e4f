import { randomUUID } from 'node:crypto';
import { acknowledgeIncidents as acknowledgeState, type Incident } from '../rules/incidents';
import { subjectOfAlertId } from '../rules/occurrences';
import type { TokenSubjectKind } from '../subjects/token';
import type { MonitorStore } from '../storage/monitorStore';
import type { DeviceCertificateStore } from '../subjects/device_certificate/store';

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
 * Closes open incidents for a person, and writes who and why to history. Each credential keeps its
 * incidents in its own state row; an id names its credential (`apns-…`, `vpp_token-…`, `ade_token-…`).
 * All or nothing: one unknown id refuses the whole request, so a typo never half-acknowledges a list.
 */
export async function acknowledgeIncidents(store: MonitorStore, request: AckRequest, tokenSubjects: readonly TokenSubjectKind[] = [], devices: DeviceCertificateStore | null = null): Promise<AckOutcome> {
  type Row = 'apns' | TokenSubjectKind | 'device_certificate';
  const rows: Row[] = ['apns', ...tokenSubjects, ...(devices === null ? [] : ['device_certificate' as const])];
  const incidentsOf = async (row: Row) => (row === 'apns' ? (await store.loadState()).state : row === 'device_certificate' ? (await devices!.loadState()).state : (await store.loadSubject(row)).state).incidents;
  const wanted = request.ids === 'all' ? null : new Set(request.ids);
  if (wanted !== null) {
    // Every id must be open somewhere before anything is closed.
    const open = new Set<string>();
    for (const row of rows) for (const i of await incidentsOf(row)) open.add(i.id);
    const unknown = [...wanted].filter((id) => !open.has(id));
    if (unknown.length > 0) return { ok: false, unknown };
  }
  const ids = request.ids;
  const closing = <S extends { incidents: Incident[] }>(state: S) => {
    const result = acknowledgeState(state, ids === 'all' ? 'all' : ids.filter((id) => state.incidents.some((i) => i.id === id)));
    return result.closed.length === 0 ? null : { next: result.next, result: result.closed };
  };
  const done: Incident[] = [];
  for (const row of rows) {
    if (wanted !== null && ![...wanted].some((id) => (subjectOfAlertId(id) ?? 'apns') === row)) continue;
    const closed = row === 'apns' ? await store.updateState(closing) : row === 'device_certificate' ? await devices!.updateState(closing) : await store.updateSubjectState(row, closing);
    if (closed !== null) done.push(...closed);
  }
  // Another request closed them between the check above and the write: they are no longer open.
  if (wanted !== null && done.length === 0) return { ok: false, unknown: [...wanted] };
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
