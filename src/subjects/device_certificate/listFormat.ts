import { daysRemaining } from '../../domain/status';
import type { AtRiskCertificate } from './model';

/**
 * The stored at-risk list as people and programs read it (CLI `device-certs`, GET /api/device-certificates):
 * filtering by a window, ordering, and three renderings (CSV, JSON, an aligned table). Pure: the caller reads
 * the stored list and passes "now"; nothing here calls Graph or storage.
 */

/** One line of the list: the stored certificate and its whole days left at the caller's "now" (floored, negative once expired). */
export interface ListRow extends AtRiskCertificate {
  daysRemaining: number;
}

/** The JSON shape of one row: these field names are an interface (scripts read them), so they never change. */
export interface ListJsonRow {
  deviceName: string;
  userPrincipalName: string;
  subjectName: string;
  issuerName: string;
  expirationDateTime: string;
  daysRemaining: number;
  thumbprint: string;
  serialNumber: string;
}

type TextKey = Exclude<keyof ListJsonRow, 'daysRemaining'>;

/** The columns, in order, shared by the CSV header and the table so the two never disagree. */
export const LIST_COLUMNS: ReadonlyArray<{ key: keyof ListJsonRow; title: string }> = [
  { key: 'deviceName', title: 'Device name' },
  { key: 'userPrincipalName', title: 'User' },
  { key: 'subjectName', title: 'Certificate subject' },
  { key: 'issuerName', title: 'Issuer' },
  { key: 'expirationDateTime', title: 'Expires (UTC)' },
  { key: 'daysRemaining', title: 'Days remaining' },
  { key: 'thumbprint', title: 'Thumbprint' },
  { key: 'serialNumber', title: 'Serial number' },
];

/** Plain code-unit order, not localeCompare: the same list sorts the same on every host and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The rows whose whole days remaining (floored) are at most `withinDays`, already expired ones included,
 * soonest expiry first; ties by device, then user, subject and thumbprint so the order is total.
 * Expiries are compared as instants (ISO strings with and without fractions do not sort as text) and
 * written back in one canonical form. A row whose expiry does not parse is left out: the scan never stores
 * one (an unreadable expiry is unknown, never expired), and a row that cannot be placed in time has no
 * place in a list sorted by time.
 */
export function listRows(certs: readonly AtRiskCertificate[], now: Date, withinDays: number): ListRow[] {
  const rows: Array<ListRow & { ms: number }> = [];
  for (const c of certs) {
    const ms = Date.parse(c.expirationDateTime);
    if (Number.isNaN(ms)) continue;
    const expirationDateTime = new Date(ms).toISOString();
    const days = daysRemaining(expirationDateTime, now);
    if (days > withinDays) continue;
    rows.push({ ...c, expirationDateTime, daysRemaining: days, ms });
  }
  rows.sort(
    (a, b) =>
      a.ms - b.ms ||
      compareText(a.deviceName, b.deviceName) ||
      compareText(a.userPrincipalName, b.userPrincipalName) ||
      compareText(a.subjectName, b.subjectName) ||
      compareText(a.thumbprint, b.thumbprint),
  );
  return rows.map(({ ms: _ms, ...row }) => row);
}

/** Only the listed fields, in the listed order: a stored row with extra properties never leaks them. */
export function jsonRows(rows: readonly ListRow[]): ListJsonRow[] {
  return rows.map((r) => ({
    deviceName: r.deviceName,
    userPrincipalName: r.userPrincipalName,
    subjectName: r.subjectName,
    issuerName: r.issuerName,
    expirationDateTime: r.expirationDateTime,
    daysRemaining: r.daysRemaining,
    thumbprint: r.thumbprint,
    serialNumber: r.serialNumber,
  }));
}

/** The list as a JSON array of objects with the field names of ListJsonRow (sorted as given). */
export function toJson(rows: readonly ListRow[]): string {
  return JSON.stringify(jsonRows(rows));
}

// ---- CSV ----

/**
 * A UTF-8 byte order mark. Excel opens a CSV without one in the machine's ANSI code page, so "Zoë" and
 * "山田" come out garbled; with it Excel reads UTF-8. RFC 4180 does not forbid it, and the file's audience
 * is people opening it in a spreadsheet, so toCsv writes it unless asked not to (`{ bom: false }` for
 * programs that would read it as part of the first header).
 */
export const CSV_BOM = '\uFEFF';
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"): `=`, `+`, `-`, `@`,
 * and tab or carriage return, which some spreadsheets skip before looking for one of those.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell that a spreadsheet would run as a formula starts with `'` instead, which makes it text.
 * Only text columns: days remaining is a number we write ourselves, and "-3" is a negative number to
 * Excel, not a formula; a device named "-cmd|' /C calc'!A0" is text and is neutralised.
 */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** RFC 4180: a field with a quote, comma, CR or LF is quoted, its quotes doubled. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvCell(row: ListRow, key: keyof ListJsonRow): string {
  if (key === 'daysRemaining') return String(row.daysRemaining);
  return csvField(neutraliseFormula(row[key as TextKey]));
}

/** The list as RFC 4180 CSV: a header row, CRLF after every record, safe to open in Excel (see CSV_BOM). */
export function toCsv(rows: readonly ListRow[], options: { bom?: boolean } = {}): string {
  const lines = [LIST_COLUMNS.map((c) => csvField(c.title)).join(',')];
  for (const row of rows) lines.push(LIST_COLUMNS.map((c) => csvCell(row, c.key)).join(','));
  return `${options.bom === false ? '' : CSV_BOM}${lines.join('\r\n')}\r\n`;
}

// ---- the table for people ----

/** How wide each column may grow before its values are clipped with "…" (the thumbprint is 40 hex: never clipped). */
const MAX_WIDTH: Record<keyof ListJsonRow, number> = {
  deviceName: 24,
  userPrincipalName: 28,
  subjectName: 28,
  issuerName: 24,
  expirationDateTime: 16,
  daysRemaining: 6,
  thumbprint: 40,
  serialNumber: 24,
};

const TABLE_TITLE: Record<keyof ListJsonRow, string> = {
  deviceName: 'DEVICE',
  userPrincipalName: 'USER',
  subjectName: 'SUBJECT',
  issuerName: 'ISSUER',
  expirationDateTime: 'EXPIRES (UTC)',
  daysRemaining: 'DAYS',
  thumbprint: 'THUMBPRINT',
  serialNumber: 'SERIAL',
};

/**
 * Text from Graph goes to a terminal: control characters (a newline would break the row, an escape
 * sequence could rewrite the screen) become spaces, and lone surrogates the replacement character.
 */
function terminalText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Clipped by code points, so an emoji is never cut in half. */
function clipPoints(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}

function width(text: string): number {
  return Array.from(text).length;
}

function tableCell(row: ListRow, key: keyof ListJsonRow): string {
  if (key === 'daysRemaining') return String(row.daysRemaining);
  // "2027-03-01 09:30": minutes are enough for a person; the CSV and JSON keep the full instant.
  if (key === 'expirationDateTime') return row.expirationDateTime.slice(0, 16).replace('T', ' ');
  return clipPoints(terminalText(row[key as TextKey]), MAX_WIDTH[key]);
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** The sentence above the table (or instead of it): how many rows, how many already expired, and the window. */
export function listHeadline(rows: readonly ListRow[], withinDays?: number): string {
  const window = withinDays === undefined ? '' : ` within ${plural(withinDays, 'day')}`;
  if (rows.length === 0) {
    return withinDays === undefined
      ? 'No device certificate is at risk: none expires soon and none has expired.'
      : `No device certificate expires${window}, and none has expired.`;
  }
  const expired = rows.filter((r) => r.daysRemaining < 0).length;
  const expiredText = expired === 0 ? '' : ` (${expired} already expired)`;
  return `${plural(rows.length, 'device certificate')} expiring${window} or expired${expiredText}, soonest first:`;
}

/**
 * The list for people: a headline, then aligned columns (days right-aligned), long values clipped with
 * "…". Widths count code points; East Asian wide characters can still shift a row, which is cosmetic.
 */
export function toTable(rows: readonly ListRow[], withinDays?: number): string {
  const headline = listHeadline(rows, withinDays);
  if (rows.length === 0) return `${headline}\n`;
  const keys = LIST_COLUMNS.map((c) => c.key);
  const cells = rows.map((r) => keys.map((k) => tableCell(r, k)));
  const widths = keys.map((k, i) => Math.max(width(TABLE_TITLE[k]), ...cells.map((c) => width(c[i]!))));
  const line = (values: string[]): string =>
    values
      .map((v, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - width(v)));
        return keys[i] === 'daysRemaining' ? `${pad}${v}` : `${v}${pad}`;
      })
      .join('  ')
      .trimEnd();
  return [headline, line(keys.map((k) => TABLE_TITLE[k])), ...cells.map(line)].join('\n') + '\n';
}
