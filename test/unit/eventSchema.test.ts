import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ALERT_KINDS } from '../../src/domain/alertEvent';
import { validateAlertEvent } from '../../src/domain/validateEvent';
import { sampleEvents } from '../support/sampleEvents';
import { tokenSampleEvents } from '../support/tokenSampleEvents';
import { deviceCertSampleEvents } from '../support/deviceCertSampleEvents';

describe('the alert event schema', () => {
  const events = [...sampleEvents(), ...tokenSampleEvents(), ...deviceCertSampleEvents()];

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

describe('token events in the schema', () => {
  test('every token event carries its subject, id and name; the push certificate has none', () => {
    const tokens = tokenSampleEvents();
    expect(new Set(tokens.map((e) => e.kind))).toEqual(new Set(['sync_failed', 'token_invalid', 'sync_recovered', 'expiring', 'removed', 'sync_stale']));
    for (const e of tokens) {
      expect(['vpp_token', 'ade_token']).toContain(e.subject);
      expect(e.subjectId).toMatch(/^[0-9a-f-]{36}$/);
      expect(e.subjectName).not.toBeNull();
    }
    const certificate = sampleEvents().filter((e) => e.kind !== 'test' && e.kind !== 'channel_failing' && e.kind !== 'channel_recovered');
    expect(certificate.every((e) => e.subjectId === null && e.subjectName === null)).toBe(true);
    // Alerts about a channel name it (never its address) in subjectName.
    for (const e of sampleEvents().filter((x) => x.kind.startsWith('channel_'))) expect([e.subjectId, e.subjectName]).toEqual([null, 'teams']);
  });

  test('an old consumer\'s event without the token fields still validates', () => {
    const { subjectId: _a, subjectName: _b, state: _c, lastSyncDateTime: _d, syncErrorCode: _e, ...old } = sampleEvents()[0]!;
    expect(validateAlertEvent(JSON.parse(JSON.stringify(old))).ok).toBe(true);
  });

  test.each([
    [{ subject: 'vpp_tokens' }, 'subject', 'must be one of'],
    [{ syncErrorCode: '7' }, 'syncErrorCode', 'must be integer or null'],
    [{ lastSyncDateTime: 'yesterday' }, 'lastSyncDateTime', 'ISO 8601'],
    [{ subjectId: 'x'.repeat(1025) }, 'subjectId', 'at most'],
  ])('names the wrong token field: %#', (change, field, problem) => {
    const r = validateAlertEvent(JSON.parse(JSON.stringify({ ...tokenSampleEvents()[0]!, ...change })));
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.field, r.problem]).toEqual([field, expect.stringContaining(problem)]);
  });
});
