import { describe, expect, test } from 'vitest';
import { expiredAlertDue, expiringSeverity, thresholdDue } from '../../src/rules/expiryLadder';
import { HEALTHY, recordFailure, recordSuccess } from '../../src/rules/monitorHealth';
import { OccurrenceLedger, occurrenceId } from '../../src/rules/occurrences';

describe('the shared rules every credential uses', () => {
  test('threshold ladder: the tightest crossed, only when tighter than the one alerted', () => {
    const t = [60, 30, 14, 7];
    expect(thresholdDue(61, t, null)).toBeNull();
    expect(thresholdDue(10, t, null)).toBe(14);
    expect(thresholdDue(10, t, 14)).toBeNull();
    expect(thresholdDue(6, t, 14)).toBe(7);
    expect(thresholdDue(-1, t, 0)).toBeNull();
    expect(expiringSeverity(7, { criticalDays: 7 })).toBe('critical');
    expect(expiringSeverity(8, { criticalDays: 7 })).toBe('warning');
  });

  test('expired repeats after EXPIRED_REPEAT_HOURS', () => {
    const now = new Date('2027-03-02T00:00:00Z');
    expect(expiredAlertDue({ expiredAlerts: 0, lastExpiredAlertAt: null }, now, { expiredRepeatHours: 24 })).toBe(true);
    expect(expiredAlertDue({ expiredAlerts: 1, lastExpiredAlertAt: '2027-03-01T01:00:00Z' }, now, { expiredRepeatHours: 24 })).toBe(false);
    expect(expiredAlertDue({ expiredAlerts: 1, lastExpiredAlertAt: '2027-03-01T00:00:00Z' }, now, { expiredRepeatHours: 24 })).toBe(true);
  });

  test('occurrences: the next number per alert; condition incidents not opened twice per subject', () => {
    const ledger = new OccurrenceLedger('vpp_token', { epoch: null, sequence: 4, incidents: [] }, 'abcd1234', { expired: 'condition', apple_id_changed: 'ack' });
    expect(ledger.raise('expired', 'critical', 'a', 't', { subjectId: 'x' })).toBe('vpp_token-expired-abcd1234-000005');
    ledger.raise('expired', 'critical', 'b', 't', { subjectId: 'x' });
    ledger.raise('expired', 'critical', 'c', 't', { subjectId: 'y' });
    ledger.raise('apple_id_changed', 'warning', 'd', 't', { subjectId: 'x' });
    ledger.raise('renewed', 'info', 'e', 't', { subjectId: 'x' });
    expect(ledger.state.incidents.map((i) => [i.kind, i.subjectId, i.summary])).toEqual([
      ['expired', 'x', 'a'],
      ['expired', 'y', 'c'],
      ['apple_id_changed', 'x', 'd'],
    ]);
    ledger.close('expired', (i) => i.subjectId === 'x');
    expect(ledger.state).toMatchObject({ epoch: 'abcd1234', sequence: 9 });
    expect(ledger.state.incidents).toHaveLength(2);
    expect(occurrenceId('apns', 'removed', '0a1b2c3d', 12)).toBe('apns-removed-0a1b2c3d-000012');
  });

  test('monitor health: the second failure in a row alerts once; the next success recovers', () => {
    const one = recordFailure(HEALTHY, 'a');
    expect(one.alertFailing).toBe(false);
    const two = recordFailure(one.next, 'b');
    expect(two).toMatchObject({ alertFailing: true, failures: 2, next: { firstFailureAt: 'a', failingAlerted: true } });
    expect(recordFailure(two.next, 'c').alertFailing).toBe(false);
    expect(recordSuccess(two.next)).toEqual({ next: HEALTHY, alertRecovered: true });
    expect(recordSuccess(one.next).alertRecovered).toBe(false);
  });
});

describe('alert ids name their subject', () => {
  test('the subject whose state holds an id', async () => {
    const { subjectOfAlertId } = await import('../../src/rules/occurrences');
    expect(subjectOfAlertId('apns-expired-0a1b2c3d-000001')).toBe('apns');
    expect(subjectOfAlertId('vpp_token-removed-0a1b2c3d-000002')).toBe('vpp_token');
    expect(subjectOfAlertId('ade_token-sync_stale-0a1b2c3d-000003')).toBe('ade_token');
    expect(subjectOfAlertId('other-1')).toBeNull();
  });
});
