/**
 * Graph's Edm.DateTimeOffset, read strictly. Graph fills unset dates with `0001-01-01T00:00:00Z` and some
 * services with the Windows epoch (1601): neither is a date anyone meant, so anything before 1900 is "no
 * date", as is any value that is not a real calendar instant (Feb 30, hour 24, offset +25:00). Unknown
 * must never read as expired, so callers treat null as "cannot be dated", not as the distant past.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;
const EARLIEST_YEAR = 1900;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** An ISO 8601 date-time with an offset (Z or ±hh:mm), normalised to UTC; null for anything else. */
export function parseGraphDateTime(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const m = ISO.exec(value.trim());
  if (m === null) return null;
  const [year, month, dayOfMonth, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (year < EARLIEST_YEAR || month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  const zone = m[8]!;
  if (zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = Date.UTC(year, month - 1, dayOfMonth, hour, minute, second, millis) - offsetMinutes * 60_000;
  return new Date(utc).toISOString();
}
