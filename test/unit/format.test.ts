import { describe, expect, test } from 'vitest';
import { durationText, perfData, pluginText, staleLine, statusLine, unknownLine, type StatusView } from '../../src/cli/format';
import { statusForExpiry } from '../../src/domain/status';

const cert = { id: 'x', appleIdentifier: 'a@contoso.com', topicIdentifier: 't', expirationDateTime: '2027-03-01T09:00:00.000Z', lastModifiedDateTime: null, certificateSerialNumber: null, certificateUploadStatus: null, certificateUploadFailureReason: null };
const view = (v: Partial<StatusView>): StatusView => ({ status: 'ok', daysRemaining: 90, certificate: cert, error: null, tenant: null, warningDays: 30, criticalDays: 7, ...v });

test.each([
  [view({}), 'APNS OK - expires 2027-03-01 (90 days) - Apple ID a@contoso.com | days_remaining=90;31:;8:'],
  [view({ status: 'critical', daysRemaining: 1, tenant: 'Contoso', alertsSent: 1 }), 'APNS CRITICAL - expires 2027-03-01 (1 day) - Apple ID a@contoso.com - tenant Contoso - 1 alert raised | days_remaining=1;31:;8:'],
  [view({ status: 'expired', daysRemaining: -1 }), 'APNS CRITICAL - EXPIRED 2027-03-01 (29 days left to renew) - Apple ID a@contoso.com | days_remaining=-1;31:;8:'],
  [view({ status: 'expired', daysRemaining: -31 }), 'APNS CRITICAL - EXPIRED 2027-03-01 (renewal grace period over: re-enroll devices) - Apple ID a@contoso.com | days_remaining=-31;31:;8:'],
  [view({ status: 'not_configured', daysRemaining: null, certificate: null }), 'APNS OK - no Apple MDM push certificate is configured in Intune'],
  [view({ status: 'unknown', daysRemaining: null, certificate: null, error: 'Graph answered 403' }), 'APNS UNKNOWN - Graph answered 403'],
  [view({ status: 'warning', daysRemaining: 10, checkTime: '2026-12-26T10:00:00.000Z' }), 'APNS WARNING - expires 2027-03-01 (10 days) - Apple ID a@contoso.com - checked 2026-12-26T10:00:00.000Z | days_remaining=10;31:;8:'],
])('%#', (v, line) => {
  expect(statusLine(v)).toBe(line);
});

/** How Nagios reads a threshold: `N:` alerts when the value is below N; `N` alerts outside 0..N. */
function nagiosAlerts(range: string, value: number): boolean {
  if (range.endsWith(':')) return value < Number(range.slice(0, -1));
  return value < 0 || value > Number(range);
}

describe('performance data thresholds are Nagios ranges that agree with the plugin status', () => {
  test('WARNING_DAYS=30, CRITICAL_DAYS=7 gives days_remaining=45;31:;8:', () => {
    expect(perfData(45, { warningDays: 30, criticalDays: 7 })).toBe('days_remaining=45;31:;8:');
  });

  test.each([
    [30, 7],
    [60, 14],
    [1, 1],
  ])('for every day from -40 to 400 with WARNING_DAYS=%i, CRITICAL_DAYS=%i', (warningDays, criticalDays) => {
    const now = new Date('2026-01-01T12:00:00Z');
    for (let days = -40; days <= 400; days++) {
      const expiry = new Date(now.getTime() + days * 86_400_000 + 3_600_000).toISOString();
      const status = statusForExpiry(expiry, now, { warningDays, criticalDays });
      const [, warn, crit] = perfData(days, { warningDays, criticalDays }).split('=')[1]!.split(';');
      const byPerf = nagiosAlerts(crit!, days) ? 'critical' : nagiosAlerts(warn!, days) ? 'warning' : 'ok';
      const byPlugin = status === 'expired' ? 'critical' : status;
      expect([days, byPerf]).toEqual([days, byPlugin]);
    }
  });

  test('nothing follows the performance data, and it comes once', () => {
    const line = statusLine(view({ checkTime: '2026-12-26T10:00:00.000Z', tenant: 'Contoso', alertsSent: 2 }));
    expect(line.split('|')).toHaveLength(2);
    expect(line).toMatch(/ \| days_remaining=90;31:;8:$/);
  });
});

describe('text from Graph, settings or errors cannot break the plugin line', () => {
  test('an Apple ID with | and a newline, and a tenant with |, stay in the text part', () => {
    const line = statusLine(view({ certificate: { ...cert, appleIdentifier: 'evil|x=1;2;3\nAPNS OK - fine' }, tenant: 'Contoso | Fabrikam' }));
    expect(line).toBe('APNS OK - expires 2027-03-01 (90 days) - Apple ID evil/x=1;2;3 APNS OK - fine - tenant Contoso / Fabrikam | days_remaining=90;31:;8:');
    expect(line.split('\n')).toHaveLength(1);
    expect(line.split('|')).toHaveLength(2);
  });

  test('an error with newlines, | and control characters is one line without perfdata', () => {
    const line = statusLine(view({ status: 'unknown', daysRemaining: null, certificate: null, error: 'Graph answered 500:\r\n<html>|</html>\u0007\u2028done' }));
    expect(line).toBe('APNS UNKNOWN - Graph answered 500: <html>/</html> done');
    expect(unknownLine('status failed: a\nb | c')).toBe('APNS UNKNOWN - status failed: a b / c');
    expect(pluginText('  a\t|\tb  ')).toBe('a / b');
  });
});

describe('stale status', () => {
  const lastKnown = { certificate: cert, daysRemaining: 45, expired: false };
  const now = new Date('2027-01-15T09:00:00Z');

  test('no check for longer than the schedule allows: the timer may have stopped', () => {
    expect(staleLine({ lastCheckAt: '2027-01-14T12:00:00.000Z', lastError: null, lastGoodCheckAt: '2027-01-14T12:00:00.000Z', staleAfterMs: 12 * 3_600_000, lastKnown, tenant: 'Contoso', now })).toBe(
      'APNS UNKNOWN - last check 2027-01-14T12:00:00.000Z is stale (older than 12 h): the timer may have stopped - last known: expires 2027-03-01 (45 days) - Apple ID a@contoso.com - tenant Contoso',
    );
  });

  test('checks run but none has read the certificate for too long', () => {
    expect(staleLine({ lastCheckAt: '2027-01-15T06:00:00.000Z', lastError: 'Graph answered 403|x', lastGoodCheckAt: '2027-01-13T06:00:00.000Z', staleAfterMs: 12 * 3_600_000, lastKnown, tenant: null, now })).toBe(
      'APNS UNKNOWN - Graph answered 403/x - no good check since 2027-01-13T06:00:00.000Z (older than 12 h) - last known: expires 2027-03-01 (45 days) - Apple ID a@contoso.com',
    );
  });

  test.each([
    [12 * 3_600_000, '12 h'],
    [2 * 86_400_000, '2 days'],
    [36 * 3_600_000, '36 h'],
    [90 * 60_000, '90 min'],
    [2_000, '2 s'],
  ])('%i ms reads %s', (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });
});
