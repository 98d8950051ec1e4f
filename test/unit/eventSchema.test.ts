import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { AlertPolicy } from '../../src/config';
import { ALERT_KINDS, type AlertEvent } from '../../src/domain/alertEvent';
import type { ApnsCertificate, ReadOutcome } from '../../src/domain/certificate';
import { decideAlerts, INITIAL_STATE, type AlertState } from '../../src/domain/decide';
import { validateAlertEvent } from '../../src/domain/validateEvent';

const policy: AlertPolicy = { thresholdDays: [60, 30, 14, 7, 3, 1], warningDays: 30, criticalDays: 7, expiredRepeatHours: 24 };
const cert = (o: Partial<ApnsCertificate> = {}): ReadOutcome => ({
  kind: 'found',
  certificate: { id: 'x', appleIdentifier: 'a@contoso.com', topicIdentifier: 'com.apple.mgmt.External.a', expirationDateTime: '2027-03-01T00:00:00.000Z', lastModifiedDateTime: null, certificateSerialNumber: '01', certificateUploadStatus: null, certificateUploadFailureReason: null, ...o },
});
const failed: ReadOutcome = { kind: 'failed', error: 'Graph answered 403', httpStatus: 403 };

/** One of every kind the monitor raises, from the real decision code. */
export function sampleEvents(): AlertEvent[] {
  const steps: Array<[string, ReadOutcome]> = [
    ['2027-01-15T00:00:00Z', failed],
    ['2027-01-15T06:00:00Z', failed],
    ['2027-01-20T00:00:00Z', cert()],
    ['2027-03-02T00:00:00Z', cert()],
    ['2027-03-03T00:00:00Z', cert({ expirationDateTime: '2028-03-01T00:00:00.000Z' })],
    ['2027-03-04T00:00:00Z', cert({ expirationDateTime: '2028-03-01T00:00:00.000Z', topicIdentifier: 'com.apple.mgmt.External.b', appleIdentifier: 'b@contoso.com', certificateUploadStatus: 'failed', certificateUploadFailureReason: 'bad file' })],
  ];
  let state: AlertState = INITIAL_STATE;
  const events: AlertEvent[] = [];
  for (const [at, read] of steps) {
    const d = decideAlerts(state, read, { now: new Date(at), policy, tenant: 'Contoso' });
    events.push(...d.alerts);
    state = d.next;
  }
  return events;
}

describe('the alert event schema', () => {
  const events = sampleEvents();

  test('every kind the monitor raises validates', () => {
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(ALERT_KINDS.filter((k) => k !== 'test')));
    for (const e of events) expect(validateAlertEvent(JSON.parse(JSON.stringify(e)))).toEqual({ ok: true, event: e });
  });

  test('the schema lists every field of the TypeScript type', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '../../src/domain/alert-event.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(events[0]!).sort());
  });

  const good = events[0]!;
  test.each([
    [{ ...good, id: undefined }, 'id', 'is required'],
    [{ ...good, kind: 'exploded' }, 'kind', 'must be one of'],
    [{ ...good, severity: 'high' }, 'severity', 'must be one of'],
    [{ ...good, daysRemaining: 1.5 }, 'daysRemaining', 'must be integer or null'],
    [{ ...good, daysRemaining: '3' }, 'daysRemaining', 'must be integer or null'],
    [{ ...good, occurredAt: 'yesterday' }, 'occurredAt', 'ISO 8601'],
    [{ ...good, summary: '' }, 'summary', 'at least 1'],
    [{ ...good, id: 'a/b' }, 'id', 'not allowed'],
    [{ ...good, previous: { topicIdentifier: 5 } }, 'previous.topicIdentifier', 'must be string or null'],
  ])('names the wrong field: %#', (bad, field, problem) => {
    const r = validateAlertEvent(JSON.parse(JSON.stringify(bad)));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.problem).toContain(problem);
    }
  });

  test('optional fields default to null', () => {
    const { id, kind, severity, subject, tenant, summary, occurredAt, thresholdDays, daysRemaining, expirationDateTime, appleIdentifier, topicIdentifier } = good;
    const r = validateAlertEvent({ id, kind, severity, subject, tenant, summary, occurredAt, thresholdDays, daysRemaining, expirationDateTime, appleIdentifier, topicIdentifier });
    expect(r.ok && r.event.previous === null && r.event.graceEndsDateTime === null).toBe(true);
  });
});
