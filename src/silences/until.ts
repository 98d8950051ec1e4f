/**
 * When a silence ends (`--until`, the API's `until`): a date means the end of that day in the display
 * time zone (DISPLAY_TIMEZONE, else UTC), i.e. the first instant of the next day there; a date-time
 * must carry its offset, so nobody has to guess which zone a bare "17:00" meant.
 */

export type UntilParse = { ok: true; until: Date } | { ok: false; problem: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const DAY_MS = 86_400_000;

function validDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The zone's offset from UTC at an instant, in ms (Berlin in summer: +2 h), from Intl: DST-exact. */
export function zoneOffsetMs(timeZone: string, instantMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(instantMs));
  const n = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant a wall-clock time occurs in a zone. Around a DST change it may occur twice (fall back) or
 * not at all (spring forward): a silence's end then takes the later instant, or the first one after the
 * gap, so it never ends before the day it names is over.
 */
export function zonedWallTimeToInstant(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Every offset in force within a day either side: a transition near the wall time is among them.
  const offsets = new Set([zoneOffsetMs(timeZone, wall - DAY_MS), zoneOffsetMs(timeZone, wall), zoneOffsetMs(timeZone, wall + DAY_MS)]);
  const candidates = [...offsets].map((o) => wall - o);
  const exact = candidates.filter((c) => c + zoneOffsetMs(timeZone, c) === wall);
  return Math.max(...(exact.length > 0 ? exact : candidates));
}

/** Parses `--until` as of `now`; the end must be in the future. */
export function parseUntil(text: string, timeZone: string | null, now: Date): UntilParse {
  const value = text.trim();
  const zone = timeZone ?? 'UTC';
  let until: number;
  const date = DATE.exec(value);
  const dateTime = DATE_TIME.exec(value);
  if (date !== null) {
    const [year, month, day] = date.slice(1, 4).map(Number) as [number, number, number];
    if (!validDate(year, month, day)) return { ok: false, problem: `"${value}" is not a date of the calendar` };
    // The end of the day is the first instant of the next one (Date.UTC rolls the day over the month).
    const next = new Date(Date.UTC(year, month - 1, day + 1));
    until = zonedWallTimeToInstant(zone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
  } else if (dateTime !== null) {
    const [year, month, day, hour, minute, second] = dateTime.slice(1, 7).map((p) => Number(p ?? '0')) as [number, number, number, number, number, number];
    const offset = dateTime[8]!.toUpperCase();
    const [oh, om] = offset === 'Z' ? [0, 0] : offset.slice(1).split(':').map(Number) as [number, number];
    if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59 || oh > 23 || om > 59) return { ok: false, problem: `"${value}" is not a time of the calendar` };
    until = Date.parse(value.toUpperCase());
    if (!Number.isFinite(until)) return { ok: false, problem: `"${value}" is not a time of the calendar` };
  } else {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return { ok: false, problem: `expects a date (2027-03-05: the end of that day in ${zone}) or a date-time with an offset (2027-03-05T17:00:00+01:00), not "${shown.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')}"` };
  }
  if (until <= now.getTime()) return { ok: false, problem: `${new Date(until).toISOString()} is in the past: a silence must end after now (${now.toISOString()})` };
  return { ok: true, until: new Date(until) };
}
