import { describe, expect, test } from 'vitest';
import { daysRemaining, evaluate, exitCodeFor, nextThresholdDays, statusForExpiry } from '../../src/domain/status';

const policy = { warningDays: 30, criticalDays: 7 };
const expiry = '2027-01-31T12:00:00.000Z';
const at = (daysBefore: number, extraMs = 0) => new Date(new Date(expiry).getTime() - daysBefore * 86_400_000 + extraMs);

describe('daysRemaining', () => {
  test.each([
    [31, 0, 31],
    [30, 1, 29], // one ms short of 30 whole days
    [0.5, 0, 0],
    [0, 1, -1], // one ms past expiry
    [-3, 0, -3],
  ])('%s days before expiry (+%s ms) is %s whole days', (before, ms, expected) => {
    expect(daysRemaining(expiry, at(before, ms))).toBe(expected);
  });
});

describe('status boundaries', () => {
  test.each([
    [31, 'ok'],
    [30, 'warning'], // at WARNING_DAYS
    [8, 'warning'],
    [7, 'critical'], // at CRITICAL_DAYS
    [1, 'critical'],
    [0.5, 'critical'], // under a day left still works: not expired
    [0, 'expired'], // the expiry instant itself
    [-40, 'expired'],
  ] as const)('%s days left is %s', (before, status) => {
    expect(statusForExpiry(expiry, at(before), policy)).toBe(status);
  });

  test('30.99 days left floors to 30: warning; exactly 31 is ok', () => {
    expect(statusForExpiry(expiry, at(30.5), policy)).toBe('warning');
    expect(statusForExpiry(expiry, at(31, 1), policy)).toBe('warning');
    expect(statusForExpiry(expiry, at(31), policy)).toBe('ok');
  });

  test('not configured and failed reads', () => {
    expect(evaluate({ kind: 'not_configured' }, at(10), policy)).toEqual({ status: 'not_configured', daysRemaining: null });
    expect(evaluate({ kind: 'failed', error: 'x', httpStatus: 403 }, at(10), policy)).toEqual({ status: 'unknown', daysRemaining: null });
  });
});

test('exit codes follow the monitoring-plugin convention', () => {
  expect([exitCodeFor('ok'), exitCodeFor('not_configured'), exitCodeFor('warning'), exitCodeFor('critical'), exitCodeFor('expired'), exitCodeFor('unknown')]).toEqual([0, 0, 1, 2, 2, 3]);
});

test('next threshold is the largest one below the time left', () => {
  const t = [60, 30, 14, 7, 3, 1];
  expect(nextThresholdDays(100, t)).toBe(60);
  expect(nextThresholdDays(40, t)).toBe(30);
  expect(nextThresholdDays(30, t)).toBe(14);
  expect(nextThresholdDays(1, t)).toBeNull();
  expect(nextThresholdDays(-2, t)).toBeNull();
  expect(nextThresholdDays(null, t)).toBeNull();
});
