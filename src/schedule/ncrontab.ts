/**
 * NCRONTAB, the six-field cron of Azure Functions timers ({second} {minute} {hour} {day} {month}
 * {day-of-week}), evaluated in UTC. The local host runs the timer with it, and the status function
 * derives from it how old a check may get before it counts as stale.
 */

export interface Schedule {
  seconds: number[];
  minutes: number[];
  hours: number[];
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  dayIsWildcard: boolean;
  weekdayIsWildcard: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export class ScheduleError extends Error {}

function parseField(field: string, name: string, min: number, max: number, names: string[] = [], nameBase = min): number[] {
  const values = new Set<number>();
  const atom = (text: string): number => {
    const byName = names.indexOf(text.toLowerCase());
    if (byName >= 0) return byName + nameBase;
    if (!/^\d+$/.test(text)) throw new ScheduleError(`${name} "${text}" is not a number`);
    return Number(text);
  };
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (range === undefined || !Number.isInteger(step) || step < 1) throw new ScheduleError(`${name} step in "${part}" must be a whole number`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = min;
      to = max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      from = atom(a ?? '');
      to = atom(b ?? '');
    } else {
      from = atom(range);
      to = stepText === undefined ? from : max;
    }
    if (from < min || to > max || from > to) throw new ScheduleError(`${name} "${part}" is outside ${min}-${max}`);
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

export function parseSchedule(expression: string): Schedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) throw new ScheduleError(`expected six fields ({second} {minute} {hour} {day} {month} {day-of-week}), got ${fields.length}`);
  const [s, m, h, d, mo, w] = fields as [string, string, string, string, string, string];
  // Day-of-week 7 is also Sunday, as in most crons.
  const weekdays = new Set(parseField(w, 'day-of-week', 0, 7, WEEKDAYS).map((x) => x % 7));
  return {
    seconds: parseField(s, 'second', 0, 59),
    minutes: parseField(m, 'minute', 0, 59),
    hours: parseField(h, 'hour', 0, 23),
    days: new Set(parseField(d, 'day', 1, 31)),
    months: new Set(parseField(mo, 'month', 1, 12, MONTHS, 1)),
    weekdays,
    dayIsWildcard: d === '*' || d === '?',
    weekdayIsWildcard: w === '*' || w === '?',
  };
}

function dayMatches(s: Schedule, date: Date): boolean {
  if (!s.months.has(date.getUTCMonth() + 1)) return false;
  const dom = s.days.has(date.getUTCDate());
  const dow = s.weekdays.has(date.getUTCDay());
  // Classic cron: when both are restricted, either may match.
  if (s.dayIsWildcard) return dow;
  if (s.weekdayIsWildcard) return dom;
  return dom || dow;
}

/** The first occurrence strictly after `after`, or null if none within five years. */
export function nextOccurrence(s: Schedule, after: Date): Date | null {
  const start = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (let i = 0; i < 5 * 366; i++, day.setUTCDate(day.getUTCDate() + 1)) {
    if (!dayMatches(s, day)) continue;
    // On the first day only what is not yet past counts; later days start at midnight.
    const first = i === 0;
    const [h0, m0, s0] = first ? [start.getUTCHours(), start.getUTCMinutes(), start.getUTCSeconds()] : [0, 0, 0];
    for (const h of s.hours) {
      if (h < h0) continue;
      for (const m of s.minutes) {
        if (h === h0 && m < m0) continue;
        const sec = s.seconds.find((x) => !(h === h0 && m === m0) || x >= s0);
        if (sec !== undefined) return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, m, sec));
      }
    }
  }
  return null;
}

/** The longest gap between runs over the next few weeks: how long a healthy monitor can go unchecked. */
export function longestInterval(s: Schedule, from: Date): number | null {
  let previous = nextOccurrence(s, from);
  if (previous === null) return null;
  let longest = 0;
  const horizon = from.getTime() + 35 * 86_400_000;
  for (let i = 0; i < 2000 && previous.getTime() < horizon; i++) {
    const next = nextOccurrence(s, previous);
    if (next === null) break;
    longest = Math.max(longest, next.getTime() - previous.getTime());
    previous = next;
  }
  return longest === 0 ? null : longest;
}
