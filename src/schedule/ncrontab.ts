/**
 * NCRONTAB, the six-field cron of Azure Functions timers ({second} {minute} {hour} {day} {month}
 * {day-of-week}), evaluated in UTC. The local host runs the timer with it, and the status function
 * derives from it how old a check may get before it counts as stale.
 *
 * Unlike classic cron, NCRONTAB runs on a day only when day-of-month AND day-of-week both match
 * (`0 0 0 13 * Fri` is Friday the 13th, not every 13th and every Friday).
 */

/** Read-only: parseScheduleOnce shares one per expression. */
export interface Schedule {
  readonly seconds: readonly number[];
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly weekdays: ReadonlySet<number>;
}

/**
 * How far nextOccurrence looks ahead. A schedule must run at least once in every stretch this long
 * (parseSchedule refuses others), so within it there is always a next run. It covers February 29
 * across a century year (2096 to 2104 is 2922 days).
 */
export const HORIZON_DAYS = 3000;

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
  const schedule: Schedule = {
    seconds: parseField(s, 'second', 0, 59),
    minutes: parseField(m, 'minute', 0, 59),
    hours: parseField(h, 'hour', 0, 23),
    days: new Set(parseField(d, 'day', 1, 31)),
    months: new Set(parseField(mo, 'month', 1, 12, MONTHS, 1)),
    // Day-of-week 7 is also Sunday, as in most crons.
    weekdays: new Set(parseField(w, 'day-of-week', 0, 7, WEEKDAYS).map((x) => x % 7)),
  };
  const never = neverRunsReason(schedule);
  if (never !== null) throw new ScheduleError(never);
  return schedule;
}

const MONTH_LENGTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The Gregorian calendar repeats, weekdays included, every 400 years: 146,097 days. */
const CYCLE_YEARS = 400;
const CYCLE_DAYS = 146_097;

const list = (values: Iterable<number>) => [...values].join(', ');

/** Why a schedule can never run (or runs too rarely to count on), or null when it runs. */
function neverRunsReason(s: Schedule): string | null {
  // Every day of every month it names (the default's `* * *`): it runs at least once a year, and the
  // 400-year scan below, some milliseconds of every process that loads the settings, is not needed.
  if (s.days.size === 31 && s.weekdays.size === 7 && s.months.size > 0) return null;
  const possible = [...s.days].filter((day) => [...s.months].some((month) => day <= MONTH_LENGTH[month - 1]!));
  if (possible.length === 0) {
    const days = [...s.days];
    const months = [...s.months];
    return `never runs: ${days.length === 1 ? 'day' : 'days'} ${list(days)} ${days.length === 1 ? 'does' : 'do'} not occur in ${months.length === 1 ? 'month' : 'months'} ${list(months)}`;
  }
  const gap = longestDayGap(s);
  if (gap === null) return 'never runs: no day matches both day-of-month and day-of-week';
  if (gap > HORIZON_DAYS) {
    return `runs too rarely: up to ${Math.round(gap / 365.25)} years apart, as day-of-month and day-of-week must both match (a schedule must run at least every ${Math.floor(HORIZON_DAYS / 365.25)} years)`;
  }
  return null;
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** The longest stretch, in days, between two days the schedule runs on, over a whole calendar cycle. */
function longestDayGap(s: Schedule): number | null {
  let first: number | null = null;
  let previous: number | null = null;
  let longest = 0;
  let index = 0;
  let weekday = 6; // 2000-01-01 was a Saturday
  for (let year = 2000; year < 2000 + CYCLE_YEARS; year++) {
    for (let month = 1; month <= 12; month++) {
      const length = month === 2 && !isLeap(year) ? 28 : MONTH_LENGTH[month - 1]!;
      if (s.months.has(month)) {
        for (let day = 1; day <= length; day++) {
          if (s.days.has(day) && s.weekdays.has((weekday + day - 1) % 7)) {
            const at = index + day - 1;
            if (previous !== null) longest = Math.max(longest, at - previous);
            first ??= at;
            previous = at;
          }
        }
      }
      index += length;
      weekday = (weekday + length) % 7;
    }
  }
  if (first === null || previous === null) return null;
  return Math.max(longest, first + CYCLE_DAYS - previous);
}

const parsed = new Map<string, Schedule | ScheduleError>();

/**
 * parseSchedule, once per expression per process: status requests ask for the same CHECK_SCHEDULE
 * every time. Errors are remembered too.
 */
export function parseScheduleOnce(expression: string): Schedule {
  let entry = parsed.get(expression);
  if (entry === undefined) {
    try {
      entry = parseSchedule(expression);
    } catch (error) {
      if (!(error instanceof ScheduleError)) throw error;
      entry = error;
    }
    // A process reads one or two expressions; the bound only guards against a caller passing many.
    if (parsed.size >= 32) parsed.clear();
    parsed.set(expression, entry);
  }
  if (entry instanceof ScheduleError) throw entry;
  return entry;
}

function dayMatches(s: Schedule, date: Date): boolean {
  // A field left at * holds every value, so this is also right when either is unrestricted.
  return s.months.has(date.getUTCMonth() + 1) && s.days.has(date.getUTCDate()) && s.weekdays.has(date.getUTCDay());
}

/** The first occurrence strictly after `after`, or null if none within HORIZON_DAYS. */
export function nextOccurrence(s: Schedule, after: Date): Date | null {
  const start = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (let i = 0; i <= HORIZON_DAYS; i++, day.setUTCDate(day.getUTCDate() + 1)) {
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
