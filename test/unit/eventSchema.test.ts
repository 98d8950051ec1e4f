import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ALERT_KINDS } from '../../src/domain/alertEvent';
import { validateAlertEvent } from '../../src/domain/validateEvent';
import { sampleEvents } from '../support/sampleEvents';

describe('the alert event schema', () => {
  const events = sampleEvents();

  test('every kind the monitor raises validates', () => {
    expect(new Set(events.map((e) => e.kind))).toEqual(new Set(ALERT_KINDS));
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
