import { describe, expect, test } from 'vitest';
import type { AlertPolicy } from '../../src/config';
import type { ApnsCertificate, ReadOutcome } from '../../src/domain/certificate';
import { acknowledge, decideAlerts, INITIAL_STATE, MAX_OPEN_INCIDENTS, uploadFailureKey, type AlertState } from '../../src/domain/decide';
import { withIncidents } from '../../src/domain/status';

const policy: AlertPolicy = { thresholdDays: [60, 30, 14, 7, 3, 1], warningDays: 30, criticalDays: 7, expiredRepeatHours: 24 };
const EXPIRY = '2027-03-01T00:00:00.000Z';
const TOPIC = 'com.apple.mgmt.External.11111111-1111-1111-1111-111111111111';
const DAY = 86_400_000;

function cert(overrides: Partial<ApnsCertificate> = {}): ApnsCertificate {
  return {
    id: 'x',
    appleIdentifier: 'apns@contoso.com',
    topicIdentifier: TOPIC,
    expirationDateTime: EXPIRY,
    lastModifiedDateTime: null,
    certificateSerialNumber: 'AB',
    certificateUploadStatus: null,
    certificateUploadFailureReason: null,
    ...overrides,
  };
}
const found = (overrides: Partial<ApnsCertificate> = {}): ReadOutcome => ({ kind: 'found', certificate: cert(overrides) });
const daysBefore = (days: number, expiry = EXPIRY) => new Date(new Date(expiry).getTime() - days * DAY);

/** Runs checks in order, carrying the state, and returns every alert raised. */
function run(steps: Array<[Date, ReadOutcome]>, start: AlertState = INITIAL_STATE) {
  let state = start;
  const raised = [];
  for (const [now, read] of steps) {
    const d = decideAlerts(state, read, { now, policy, tenant: 'Contoso' });
    raised.push(...d.alerts);
    state = d.next;
  }
  return { raised, state };
}

describe('expiring thresholds', () => {
  test('nothing above the largest threshold', () => {
    expect(run([[daysBefore(61), found()]]).raised).toEqual([]);
  });

  test('each threshold once, in order, on a daily schedule', () => {
    const steps: Array<[Date, ReadOutcome]> = [];
    for (let d = 90; d > 0; d -= 0.25) steps.push([daysBefore(d), found()]);
    const { raised } = run(steps);
    expect(raised.map((a) => [a.kind, a.thresholdDays])).toEqual([60, 30, 14, 7, 3, 1].map((t) => ['expiring', t]));
  });

  test('a first check at 10 days alerts for 14 only, not also 60 and 30', () => {
    const { raised, state } = run([[daysBefore(10), found()]]);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'expiring', thresholdDays: 14, daysRemaining: 10, severity: 'warning', tenant: 'Contoso' });
    expect(state.alertedThresholdDays).toBe(14);
  });

  test('never twice for the same threshold, however often the check runs', () => {
    const { raised } = run([
      [daysBefore(13), found()],
      [daysBefore(12.9), found()],
      [daysBefore(12), found()],
      [daysBefore(8), found()],
    ]);
    expect(raised.map((a) => a.thresholdDays)).toEqual([14]);
  });

  test('skips to the tightest threshold when the monitor was away', () => {
    const { raised } = run([
      [daysBefore(50), found()],
      [daysBefore(2), found()],
    ]);
    expect(raised.map((a) => a.thresholdDays)).toEqual([60, 3]);
    expect(raised[1]!.severity).toBe('critical');
  });

  test('severity follows the status day limits', () => {
    expect(run([[daysBefore(20), found()]]).raised[0]!.severity).toBe('warning');
    expect(run([[daysBefore(7), found()]]).raised[0]!.severity).toBe('critical');
  });

  test('an id names one occurrence: the same state and read give the same id (a retry), the next alert the next number', () => {
    const a = decideAlerts(INITIAL_STATE, found(), { now: daysBefore(10), policy, tenant: null, newEpoch: '0a1b2c3d' });
    const b = decideAlerts(INITIAL_STATE, found(), { now: daysBefore(10), policy, tenant: null, newEpoch: '0a1b2c3d' });
    expect(a.alerts[0]!.id).toBe('apns-expiring-0a1b2c3d-000001');
    expect(b.alerts[0]!.id).toBe(a.alerts[0]!.id);
    const later = decideAlerts(a.next, found(), { now: daysBefore(6), policy, tenant: null, newEpoch: 'ffffffff' });
    // The state keeps its epoch; a new epoch is only for a state that has none.
    expect(later.alerts[0]!.id).toBe('apns-expiring-0a1b2c3d-000002');
  });
});

describe('expired', () => {
  test('once at expiry, then every EXPIRED_REPEAT_HOURS while expired, with the grace period', () => {
    const { raised } = run([
      [daysBefore(0.5), found()],
      [daysBefore(-0.01), found()], // just expired
      [daysBefore(-0.5), found()], // 12 h later: no repeat yet
      [daysBefore(-1.02), found()], // 24 h after the first expired alert
      [daysBefore(-1.5), found()],
    ]);
    expect(raised.map((a) => a.kind)).toEqual(['expiring', 'expired', 'expired']);
    const first = raised[1]!;
    expect(first).toMatchObject({ severity: 'critical', graceEndsDateTime: '2027-03-31T00:00:00.000Z', graceDaysRemaining: 29, daysRemaining: -1 });
    expect(first.summary).toContain('2027-03-31');
    expect(raised[2]!.id).not.toBe(first.id);
  });

  test('a first check after expiry raises only expired', () => {
    expect(run([[daysBefore(-3), found()]]).raised.map((a) => a.kind)).toEqual(['expired']);
  });

  test('after the grace period the alert says it can no longer be renewed', () => {
    const a = run([[daysBefore(-31), found()]]).raised[0]!;
    expect(a.graceDaysRemaining).toBeLessThan(0);
    expect(a.summary).toMatch(/can no longer be renewed/);
  });
});

describe('renewal and changes', () => {
  const renewedExpiry = '2028-03-01T00:00:00.000Z';

  test('expiry moving later with the same topic is a renewal (info) and restarts the thresholds', () => {
    const { raised } = run([
      [daysBefore(10), found()],
      [daysBefore(9), found({ expirationDateTime: renewedExpiry })],
      [daysBefore(60, renewedExpiry), found({ expirationDateTime: renewedExpiry })],
    ]);
    expect(raised.map((a) => [a.kind, a.severity])).toEqual([
      ['expiring', 'warning'],
      ['renewed', 'info'],
      ['expiring', 'warning'],
    ]);
    expect(raised[1]!.previous?.expirationDateTime).toBe(EXPIRY);
    expect(raised[2]!.thresholdDays).toBe(60);
  });

  test('renewal after expiry stops the expired repeats', () => {
    const { raised } = run([
      [daysBefore(-1), found()],
      [daysBefore(-2), found({ expirationDateTime: renewedExpiry })],
      [daysBefore(-4), found({ expirationDateTime: renewedExpiry })],
    ]);
    expect(raised.map((a) => a.kind)).toEqual(['expired', 'renewed']);
  });

  test('a changed topic is a critical incident, not a renewal', () => {
    const newTopic = 'com.apple.mgmt.External.22222222-2222-2222-2222-222222222222';
    const { raised } = run([
      [daysBefore(100), found()],
      [daysBefore(99), found({ topicIdentifier: newTopic, expirationDateTime: renewedExpiry })],
    ]);
    expect(raised.map((a) => [a.kind, a.severity])).toEqual([['topic_changed', 'critical']]);
    expect(raised[0]!.previous?.topicIdentifier).toBe(TOPIC);
    expect(raised[0]!.topicIdentifier).toBe(newTopic);
    expect(raised[0]!.summary).toMatch(/re-enroll/);
  });

  test('a changed Apple ID is a warning; a change of case is not a change', () => {
    const { raised } = run([
      [daysBefore(100), found()],
      [daysBefore(99), found({ appleIdentifier: 'APNS@Contoso.com' })],
      [daysBefore(98), found({ appleIdentifier: 'someone.else@contoso.com' })],
      [daysBefore(97), found({ appleIdentifier: 'someone.else@contoso.com' })],
    ]);
    expect(raised.map((a) => [a.kind, a.severity, a.previous?.appleIdentifier])).toEqual([['apple_id_changed', 'warning', 'APNS@Contoso.com']]);
  });

  test('a new certificate under another Apple ID raises both', () => {
    const { raised } = run([
      [daysBefore(100), found()],
      [daysBefore(99), found({ topicIdentifier: 'com.apple.mgmt.External.x', appleIdentifier: 'other@contoso.com' })],
    ]);
    expect(raised.map((a) => a.kind).sort()).toEqual(['apple_id_changed', 'topic_changed']);
  });

  test('a tenant that loses its certificate and gets a new one under another topic is caught', () => {
    const { raised, state } = run([
      [daysBefore(100), found()],
      [daysBefore(99), { kind: 'not_configured' }],
      [daysBefore(98), found({ topicIdentifier: 'com.apple.mgmt.External.new' })],
    ]);
    expect(raised.map((a) => a.kind)).toEqual(['removed', 'topic_changed']);
    // Another topic is not the removed certificate coming back: both incidents stay open.
    expect(state.incidents.map((i) => i.kind)).toEqual(['removed', 'topic_changed']);
  });
});

describe('occurrences: a condition that comes back is a new alert with a new id', () => {
  test('upload failed → cleared → the same failure: two alerts, two ids', () => {
    const failing = found({ certificateUploadStatus: 'failed', certificateUploadFailureReason: 'bad CSR' });
    const { raised } = run([
      [daysBefore(100), failing],
      [daysBefore(99), found()],
      [daysBefore(98), failing],
    ]);
    expect(raised.map((a) => a.kind)).toEqual(['upload_failed', 'upload_failed']);
    expect(new Set(raised.map((a) => a.id)).size).toBe(2);
  });

  test('Apple ID A → B → A → B: three changes, three ids', () => {
    const { raised } = run([
      [daysBefore(100), found({ appleIdentifier: 'a@contoso.com' })],
      [daysBefore(99), found({ appleIdentifier: 'b@contoso.com' })],
      [daysBefore(98), found({ appleIdentifier: 'a@contoso.com' })],
      [daysBefore(97), found({ appleIdentifier: 'b@contoso.com' })],
    ]);
    expect(raised.map((a) => a.kind)).toEqual(['apple_id_changed', 'apple_id_changed', 'apple_id_changed']);
    expect(new Set(raised.map((a) => a.id)).size).toBe(3);
  });

  test('expiry X → Y → X → Y: each renewal to Y is alerted, with its own id, as are its thresholds', () => {
    const y = '2027-06-01T00:00:00.000Z';
    const { raised } = run([
      [daysBefore(10), found()],
      [daysBefore(9), found({ expirationDateTime: y })],
      [daysBefore(8), found()],
      [daysBefore(7), found({ expirationDateTime: y })],
    ]);
    expect(raised.map((a) => a.kind)).toEqual(['expiring', 'renewed', 'expiring', 'renewed']);
    expect(new Set(raised.map((a) => a.id)).size).toBe(4);
  });
});

describe('removed: a certificate that was seen and is gone', () => {
  test('raises one critical removed alert and an incident that closes when the same topic is back', () => {
    const { raised, state } = run([
      [daysBefore(100), found()],
      [daysBefore(99), { kind: 'not_configured' }],
      [daysBefore(98), { kind: 'not_configured' }],
    ]);
    expect(raised.map((a) => [a.kind, a.severity])).toEqual([['removed', 'critical']]);
    expect(raised[0]!.summary).toMatch(/GONE/);
    expect(raised[0]!.topicIdentifier).toBe(TOPIC);
    expect(state.incidents.map((i) => [i.kind, i.id])).toEqual([['removed', raised[0]!.id]]);
    expect(withIncidents('not_configured', 'critical')).toBe('critical');

    const back = run([[daysBefore(97), found()]], state);
    expect(back.raised).toEqual([]);
    expect(back.state.incidents).toEqual([]);
  });

  test('a tenant that never had a certificate stays not_configured, with no alert', () => {
    const { raised, state } = run([[daysBefore(100), { kind: 'not_configured' }]]);
    expect(raised).toEqual([]);
    expect(state.incidents).toEqual([]);
  });

  test('gone, back, gone again: two removed alerts with two ids', () => {
    const { raised } = run([
      [daysBefore(100), found()],
      [daysBefore(99), { kind: 'not_configured' }],
      [daysBefore(98), found()],
      [daysBefore(97), { kind: 'not_configured' }],
    ]);
    expect(raised.map((a) => a.kind)).toEqual(['removed', 'removed']);
    expect(raised[0]!.id).not.toBe(raised[1]!.id);
  });
});

describe('incidents', () => {
  test('change alerts open incidents that only a person closes; expired and monitor_failing close by themselves', () => {
    const newTopic = 'com.apple.mgmt.External.22222222-2222-2222-2222-222222222222';
    const failed: ReadOutcome = { kind: 'failed', error: 'timeout', httpStatus: null };
    const { state, raised } = run([
      [daysBefore(100), found()],
      [daysBefore(99), found({ topicIdentifier: newTopic })],
      [daysBefore(98), failed],
      [daysBefore(97.9), failed],
    ]);
    expect(state.incidents.map((i) => i.kind)).toEqual(['topic_changed', 'monitor_failing']);
    const recovered = run([[daysBefore(97), found({ topicIdentifier: newTopic })]], state);
    expect(recovered.state.incidents.map((i) => i.kind)).toEqual(['topic_changed']);
    const acked = acknowledge(recovered.state, [raised[0]!.id]);
    expect(acked.closed.map((i) => i.kind)).toEqual(['topic_changed']);
    expect(acked.unknown).toEqual([]);
    expect(acked.next.incidents).toEqual([]);
    expect(acknowledge(recovered.state, ['apns-nope']).unknown).toEqual(['apns-nope']);
  });

  test('expired opens one incident while it repeats, closed by the renewal', () => {
    const { state } = run([
      [daysBefore(-1), found()],
      [daysBefore(-2.1), found()],
    ]);
    expect(state.incidents.map((i) => i.kind)).toEqual(['expired']);
    const renewed = run([[daysBefore(-3), found({ expirationDateTime: '2028-03-01T00:00:00.000Z' })]], state);
    expect(renewed.state.incidents).toEqual([]);
  });

  test('a flapping condition nobody acknowledges cannot outgrow the state', () => {
    const steps: Array<[Date, ReadOutcome]> = [];
    for (let i = 0; i < 100; i++) steps.push([daysBefore(200 - i), found({ appleIdentifier: i % 2 === 0 ? 'a@contoso.com' : 'b@contoso.com' })]);
    const { state, raised } = run(steps);
    expect(raised).toHaveLength(99);
    expect(state.incidents).toHaveLength(MAX_OPEN_INCIDENTS);
    expect(state.incidents.at(-1)!.id).toBe(raised.at(-1)!.id);
  });

  test('status is at least the severity of an open incident', () => {
    expect(withIncidents('ok', 'critical')).toBe('critical');
    expect(withIncidents('ok', 'warning')).toBe('warning');
    expect(withIncidents('warning', 'critical')).toBe('critical');
    expect(withIncidents('expired', 'critical')).toBe('expired');
    expect(withIncidents('unknown', 'critical')).toBe('critical');
    expect(withIncidents('unknown', 'warning')).toBe('unknown');
    expect(withIncidents('ok', null)).toBe('ok');
  });
});

describe('upload failures', () => {
  test('undocumented status values: a failure reason or a failing status counts', () => {
    expect(uploadFailureKey(cert())).toBeNull();
    expect(uploadFailureKey(cert({ certificateUploadStatus: 'success' }))).toBeNull();
    expect(uploadFailureKey(cert({ certificateUploadStatus: 'Failed' }))).not.toBeNull();
    expect(uploadFailureKey(cert({ certificateUploadFailureReason: 'Certificate is not valid' }))).not.toBeNull();
  });

  test('alerted once per distinct failure, again after it clears and recurs', () => {
    const failing = found({ certificateUploadStatus: 'failed', certificateUploadFailureReason: 'bad CSR' });
    const { raised } = run([
      [daysBefore(100), failing],
      [daysBefore(99), failing],
      [daysBefore(98), found()],
      [daysBefore(97), failing],
    ]);
    expect(raised.map((a) => [a.kind, a.severity])).toEqual([
      ['upload_failed', 'critical'],
      ['upload_failed', 'critical'],
    ]);
  });
});

describe('monitor health', () => {
  const failed: ReadOutcome = { kind: 'failed', error: 'Graph answered 403 Forbidden', httpStatus: 403 };

  test('one failure is quiet; the second raises monitor_failing once; recovery is reported', () => {
    const { raised, state } = run([
      [daysBefore(100), found()],
      [daysBefore(99.75), failed],
      [daysBefore(99.5), failed],
      [daysBefore(99.25), failed],
      [daysBefore(99), found()],
      [daysBefore(98.75), failed],
      [daysBefore(98.5), found()],
    ]);
    expect(raised.map((a) => a.kind)).toEqual(['monitor_failing', 'monitor_recovered']);
    expect(raised[0]).toMatchObject({ severity: 'warning', error: 'Graph answered 403 Forbidden', expirationDateTime: EXPIRY });
    expect(raised[1]!.severity).toBe('info');
    expect(state.consecutiveFailures).toBe(0);
  });

  test('a failed read does not disturb expiry bookkeeping', () => {
    const { raised } = run([
      [daysBefore(10), found()],
      [daysBefore(9), failed],
      [daysBefore(8), found()],
    ]);
    expect(raised.map((a) => a.kind)).toEqual(['expiring']);
  });
});
