import { describe, expect, test } from 'vitest';
import { longestInterval, nextOccurrence, parseSchedule, parseScheduleOnce, ScheduleError } from '../../src/schedule/ncrontab';
import { staleAfterMs } from '../../src/status/statusDocument';

const at = (iso: string) => new Date(iso);
const next = (expr: string, after: string) => nextOccurrence(parseSchedule(expr), at(after))?.toISOString();

describe('NCRONTAB', () => {
  test.each([
    ['0 0 */6 * * *', '2026-11-24T20:19:13Z', '2026-11-25T00:00:00.000Z'],
    ['0 0 */6 * * *', '2026-11-25T00:00:00Z', '2026-11-25T06:00:00.000Z'],
    ['0 30 9 * * *', '2026-11-24T09:30:00Z', '2026-11-25T09:30:00.000Z'],
    ['*/15 * * * * *', '2026-11-24T20:19:13Z', '2026-11-24T20:19:15.000Z'],
    ['0 0 8 * * Mon-Fri', '2026-11-27T09:00:00Z', '2026-11-30T08:00:00.000Z'], // Friday after 8 → Monday
    ['0 0 0 1 Jan *', '2026-11-24T00:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['0 0 12 29 2 *', '2026-11-24T00:00:00Z', '2028-02-29T12:00:00.000Z'],
    ['0 0 0 * * 7', '2026-11-24T00:00:00Z', '2026-11-29T00:00:00.000Z'], // 7 is Sunday
  ])('%s after %s is %s', (expr, after, expected) => {
    expect(next(expr, after)).toBe(expected);
  });

  test.each([['0 0 * * *'], ['0 0 25 * * *'], ['x 0 * * * *'], ['0 0 */0 * * *'], ['0 0 5-2 * * *']])('%s is rejected', (expr) => {
    expect(() => parseSchedule(expr)).toThrow();
  });

  test('the longest interval of a schedule', () => {
    expect(longestInterval(parseSchedule('0 0 */6 * * *'), at('2026-11-24T00:00:00Z'))).toBe(6 * 3_600_000);
    expect(longestInterval(parseSchedule('0 0 8 * * Mon-Fri'), at('2026-11-24T00:00:00Z'))).toBe(72 * 3_600_000);
  });

  describe('day-of-month AND day-of-week, as NCRONTAB (not classic cron OR)', () => {
    test.each([
      ['0 0 0 13 * FRI', '2026-11-24T00:00:00Z', '2027-08-13T00:00:00.000Z'], // the next Friday the 13th
      ['0 0 0 13 * FRI', '2027-08-13T00:00:00Z', '2028-10-13T00:00:00.000Z'],
      ['0 0 9 1-7 * Mon', '2026-11-24T00:00:00Z', '2026-12-07T09:00:00.000Z'], // first Monday of the month
      ['0 0 0 29 2 Mon', '2026-11-24T00:00:00Z', null], // next in 2044: beyond the horizon (and refused by parseSchedule)
    ])('%s after %s is %s', (expr, after, expected) => {
      if (expected === null) {
        expect(() => parseSchedule(expr)).toThrow(/runs too rarely: up to 40 years apart/);
        return;
      }
      expect(next(expr, after)).toBe(expected);
    });

    test('a Friday-the-13th schedule never runs on an ordinary Friday or an ordinary 13th', () => {
      const s = parseSchedule('0 0 0 13 * FRI');
      let t = at('2026-11-24T00:00:00Z');
      for (let i = 0; i < 5; i++) {
        const run = nextOccurrence(s, t)!;
        expect([run.getUTCDate(), run.getUTCDay()]).toEqual([13, 5]);
        t = run;
      }
    });

    test('stale is derived from the AND schedule: a weekday-and-day schedule has gaps of months, not days', () => {
      // Classic cron OR would run on every 1st-7th and every Monday: a gap of at most 7 days.
      expect(staleAfterMs('0 0 9 1-7 * Mon', at('2026-11-24T00:00:00Z'))).toBe(2 * 28 * 86_400_000);
    });
  });

  test.each([
    ['0 0 0 31 2 *', 'never runs: day 31 does not occur in month 2'],
    ['0 0 0 30 2 *', 'never runs: day 30 does not occur in month 2'],
    ['0 0 0 30,31 Feb *', 'never runs: days 30, 31 do not occur in month 2'],
    ['0 0 0 31 4,6,9,11 *', 'never runs: day 31 does not occur in months 4, 6, 9, 11'],
    ['0 0 0 29 2 Mon', 'runs too rarely: up to 40 years apart'],
    ['0 0 0 31 12 Mon', 'runs too rarely'],
  ])('%s is refused: %s', (expr, reason) => {
    expect(() => parseSchedule(expr)).toThrow(ScheduleError);
    expect(() => parseSchedule(expr)).toThrow(reason);
  });

  test('near misses that do run are accepted; their impossible neighbours are not', () => {
    for (const expr of ['0 0 12 29 2 *', '0 0 0 31 1-12 *', '0 0 0 30 2,4 *', '0 0 0 13 * Fri']) expect(() => parseSchedule(expr)).not.toThrow();
    for (const expr of ['0 0 0 30 2 *', '0 0 0 31 4 *']) expect(() => parseSchedule(expr)).toThrow(ScheduleError);
  });

  test('every accepted schedule has a next run: Feb 29 across the century gap 2096-2104', () => {
    expect(next('0 0 12 29 2 *', '2096-03-01T00:00:00Z')).toBe('2104-02-29T12:00:00.000Z');
  });

  test('a schedule is parsed once per expression and reused; a bad one fails the same way every time', () => {
    expect(parseScheduleOnce('0 0 */6 * * *')).toBe(parseScheduleOnce('0 0 */6 * * *'));
    expect(parseScheduleOnce('0 0 */6 * * *')).not.toBe(parseScheduleOnce('0 0 */4 * * *'));
    expect(() => parseScheduleOnce('0 0 0 31 2 *')).toThrow(/never runs/);
    expect(() => parseScheduleOnce('0 0 0 31 2 *')).toThrow(/never runs/);
  });
});
