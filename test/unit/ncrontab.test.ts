import { describe, expect, test } from 'vitest';
import { longestInterval, nextOccurrence, parseSchedule } from '../../src/schedule/ncrontab';

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
});
