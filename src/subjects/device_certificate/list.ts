import type { Runtime } from '../../app/runtime';
import { jsonRows, listRows, type ListJsonRow, type ListRow } from './listFormat';

/**
 * The stored at-risk list for the CLI (`device-certs`) and GET /api/device-certificates: read from
 * Table Storage only, never Graph. Both refuse the same bad input with the same words.
 */

export type ListRequest = { ok: true; withinDays: number } | { ok: false; field: string; error: string };

/** Certificates further out than the largest threshold are not kept, so no window can reach past it. */
export function parseWithinDays(raw: string | null | undefined, thresholds: readonly number[], name = 'withinDays'): ListRequest {
  const largest = Math.max(...thresholds);
  if (raw === null || raw === undefined) return { ok: true, withinDays: largest };
  if (!/^\d{1,4}$/.test(raw) || Number(raw) > largest) {
    return { ok: false, field: name, error: `${name} must be a whole number of days from 0 to ${largest} (the largest of DEVICE_CERT_THRESHOLD_DAYS; certificates further out are not kept)` };
  }
  return { ok: true, withinDays: Number(raw) };
}

export type LoadedList =
  | { kind: 'not_watched'; error: string }
  | { kind: 'no_scan'; error: string }
  | { kind: 'list'; rows: ListRow[]; scannedAt: string; lastError: string | null };

export const NOT_WATCHED = 'device certificates are not watched: add device_certificate to WATCH (it needs the Graph permission DeviceManagementConfiguration.Read.All)';

export async function loadList(rt: Pick<Runtime, 'deviceCertificates' | 'deviceCertificateStore'>, now: Date, withinDays: number): Promise<LoadedList> {
  if (rt.deviceCertificates === null) return { kind: 'not_watched', error: NOT_WATCHED };
  const [{ state }, certs] = await Promise.all([rt.deviceCertificateStore.loadState(), rt.deviceCertificateStore.listAtRisk()]);
  const scannedAt = state.summary?.scannedAt ?? null;
  if (scannedAt === null) return { kind: 'no_scan', error: `no scan of the device certificates has completed yet${state.summary?.lastError ? `: ${state.summary.lastError}` : ''}` };
  return { kind: 'list', rows: listRows(certs, now, withinDays), scannedAt, lastError: state.summary?.lastError ?? null };
}

/** The JSON document: when the list was made (a failed scan since leaves it in place, and says so) and its rows. */
export interface ListDocument {
  scannedAt: string;
  withinDays: number;
  /** The last scan's error when it failed: the rows are then the last complete scan's. */
  lastError: string | null;
  count: number;
  certificates: ListJsonRow[];
}

export function listDocument(list: Extract<LoadedList, { kind: 'list' }>, withinDays: number): ListDocument {
  return { scannedAt: list.scannedAt, withinDays, lastError: list.lastError, count: list.rows.length, certificates: jsonRows(list.rows) };
}
