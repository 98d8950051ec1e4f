import { escapeHtml } from '../../notify/emailMessage';

/** Small text pieces of the page: escaping, times, counts. */

export const esc = escapeHtml;

export { plural } from '../../render/words';

/** `2026-12-26 10:00 UTC` without Intl: the page formats hundreds of times per render. */
export function utcText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone for the life of the process: constructing one costs far more than using it. */
function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let f = zoneFormats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
    zoneFormats.set(timeZone, f);
  }
  return f;
}

/** `2026-12-26 11:00 GMT+1` in the given IANA zone (the same shape the inline script writes). */
export function zonedText(date: Date, timeZone: string): string {
  const p: Record<string, string> = {};
  for (const part of zoneFormat(timeZone).formatToParts(date)) p[part.type] = part.value;
  return `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']} ${p['timeZoneName']}`;
}

/**
 * A `<time>` the inline script rewrites into the viewer's zone. Without scripts it reads in
 * DISPLAY_TIMEZONE with UTC beside it, or in UTC alone. A malformed instant is shown as it came.
 */
export function timeHtml(iso: string, timeZone: string | null): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return `<time>${esc(iso)}</time>`;
  const utc = date.toISOString();
  const text = timeZone === null ? utcText(utc) : `${zonedText(date, timeZone)} (${utc.slice(11, 16)} UTC)`;
  return `<time datetime="${utc}" data-t>${esc(text)}</time>`;
}

/** 12480 → `12,480`. */
export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** `12,480 certificates`, `1 certificate`. */
export function count(n: number, unit: string): string {
  return `${thousands(n)} ${unit}${n === 1 ? '' : 's'}`;
}

/** An alert kind or state as words: `topic_changed` → `topic changed`. */
export function words(kind: string): string {
  return kind.replace(/_/g, ' ');
}

/** The first letter upper-cased: headings and labels start with a capital. */
export function capital(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}

/** A `dl` of the rows that have a value; values are HTML (the caller escapes text with `esc`). */
export function definitionList(rows: ReadonlyArray<readonly [string, string | null]>): string {
  const out: string[] = [];
  for (const [k, v] of rows) if (v !== null) out.push(`<dt>${esc(k)}</dt><dd>${v}</dd>`);
  return `<dl>${out.join('')}</dl>`;
}
