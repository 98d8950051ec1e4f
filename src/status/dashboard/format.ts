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

/** Rendered `<time>` elements by zone and instant: the same history is rendered on every request. */
const timeCache = new Map<string, string>();
const TIME_CACHE_MAX = 20_000;

/**
 * A `<time>` the inline script rewrites into the viewer's zone. Without scripts it reads in
 * DISPLAY_TIMEZONE with UTC beside it, or in UTC alone. A malformed instant is shown as it came.
 */
export function timeHtml(iso: string, timeZone: string | null): string {
  const key = timeZone === null ? iso : `${timeZone}|${iso}`;
  const hit = timeCache.get(key);
  if (hit !== undefined) return hit;
  const date = new Date(iso);
  let html: string;
  if (Number.isNaN(date.getTime())) html = `<time>${esc(iso)}</time>`;
  else {
    const utc = date.toISOString();
    const text = timeZone === null ? utcText(utc) : `${zonedText(date, timeZone)} (${utc.slice(11, 16)} UTC)`;
    html = `<time datetime="${utc}" data-t>${esc(text)}</time>`;
  }
  // Bounded: a long-running host forgets everything at once rather than grow without end.
  if (timeCache.size >= TIME_CACHE_MAX) timeCache.clear();
  timeCache.set(key, html);
  return html;
}

/** 12480 → `12,480`. */
export function thousands(n: number): string {
  // Not toLocaleString: it costs microseconds a call and its output follows the host's ICU data.
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
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
