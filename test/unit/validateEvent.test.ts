import { describe, expect, test } from 'vitest';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { MAX_EVENT_JSON_CHARS, MAX_JSON_DEPTH, validateAlertEvent, type Validation } from '../../src/domain/validateEvent';
import { sampleEvents } from '../support/sampleEvents';

// What the notify function accepts: everything it accepts can be stored in one Table property and
// rendered by every channel; everything else is refused naming the field.

const events = sampleEvents();
const expiring = events.find((e) => e.kind === 'expiring')!;
const changed = events.find((e) => e.kind === 'topic_changed')!;

/** Validates what a client would send: the value as JSON text, parsed back. */
function validate(value: unknown): Validation {
  return validateAlertEvent(JSON.parse(JSON.stringify(value)));
}

function refusal(value: unknown): { field: string; problem: string } {
  const r = typeof value === 'string' ? validateAlertEvent(JSON.parse(value)) : validate(value);
  if (r.ok) throw new Error('accepted');
  return { field: r.field, problem: r.problem };
}

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { a: v };
  return v;
}

describe('absent nullable fields mean null', () => {
  test('a minimal event (only id, kind, severity, subject, summary, occurredAt) is accepted, everything else null', () => {
    const minimal = { id: 'apns-min-1', kind: 'upload_failed', severity: 'critical', subject: 'apns', summary: 'The upload failed.', occurredAt: '2027-03-04T00:00:00Z' };
    const r = validate(minimal);
    expect(r).toEqual({
      ok: true,
      event: {
        ...minimal,
        tenant: null,
        thresholdDays: null,
        daysRemaining: null,
        expirationDateTime: null,
        appleIdentifier: null,
        topicIdentifier: null,
        certificateSerialNumber: null,
        graceEndsDateTime: null,
        graceDaysRemaining: null,
        previous: null,
        error: null,
        subjectId: null,
        subjectName: null,
        state: null,
        lastSyncDateTime: null,
        syncErrorCode: null,
        count: null,
        totalAtRisk: null,
        earliestExpirationDateTime: null,
        groups: null,
        sample: null,
        listUrl: null,
      },
    });
    for (const name of ['id', 'kind', 'severity', 'subject', 'summary', 'occurredAt']) {
      expect(refusal({ ...minimal, [name]: undefined })).toEqual({ field: name, problem: 'is required' });
    }
  });

  test('previous with values left out: those are null', () => {
    const r = validate({ ...changed, previous: { topicIdentifier: 'com.apple.mgmt.External.old' } });
    expect(r.ok && r.event.previous).toEqual({ appleIdentifier: null, topicIdentifier: 'com.apple.mgmt.External.old', expirationDateTime: null });
    const empty = validate({ ...changed, previous: {} });
    expect(empty.ok && empty.event.previous).toEqual({ appleIdentifier: null, topicIdentifier: null, expirationDateTime: null });
  });
});

describe('only the schema fields are kept', () => {
  test('__proto__, constructor and unknown fields are dropped; nothing is polluted', () => {
    const body = `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":1,"url":"https://evil.example",${JSON.stringify(expiring).slice(1)}`;
    const r = validateAlertEvent(JSON.parse(body));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.keys(r.event).sort()).toEqual(Object.keys(expiring).sort());
    expect(Object.getPrototypeOf(r.event)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(r.event).toEqual(expiring);
  });

  test('a previous with __proto__ keeps only its three values', () => {
    const r = validateAlertEvent(JSON.parse(`{${JSON.stringify(changed).slice(1, -1).replace('"previous":{', '"previous":{"__proto__":{"x":1},"constructor":2,')}}`));
    expect(r.ok && Object.keys(r.event.previous!).sort()).toEqual(['appleIdentifier', 'expirationDateTime', 'topicIdentifier']);
  });
});

describe('nesting is bounded', () => {
  test(`JSON nested deeper than ${MAX_JSON_DEPTH} levels is refused naming where, however deep`, () => {
    expect(refusal({ ...expiring, extra: nested(40) })).toEqual({ field: expect.stringMatching(/^extra(\.a|\[0\])+$/) as unknown, problem: `is nested deeper than ${MAX_JSON_DEPTH} levels` });
    // Deep enough to overflow the stack of anything that walks it recursively.
    const deep = `{"id":"x","extra":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
    expect(refusal(deep).problem).toBe(`is nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(refusal({ ...changed, previous: { appleIdentifier: nested(50) } }).field).toMatch(/^previous\.appleIdentifier\.a\[0\]/);
    // Up to the limit is fine (and the unknown field dropped).
    expect(validate({ ...expiring, extra: nested(MAX_JSON_DEPTH - 2) }).ok).toBe(true);
  });
});

describe('strings must be well-formed Unicode', () => {
  test.each(['id', 'tenant', 'summary', 'appleIdentifier', 'error'] as const)('a lone surrogate in %s is refused naming it', (field) => {
    expect(refusal({ ...expiring, [field]: `a\uD800b` })).toEqual({ field, problem: 'is not well-formed Unicode (it has a lone surrogate)' });
  });

  test('in previous, in a field that would be dropped, and in a name; surrogate pairs (emoji) are fine outside the id', () => {
    expect(refusal({ ...changed, previous: { ...changed.previous, topicIdentifier: '\uDC00' } }).field).toBe('previous.topicIdentifier');
    expect(refusal({ ...expiring, note: ['ok', 'x\uDBFF'] }).field).toBe('note[1]');
    expect(refusal({ ...expiring, ['bad\uD800name']: 1 })).toEqual({ field: 'bad\uFFFDname', problem: 'is a name that is not well-formed Unicode (it has a lone surrogate)' });
    expect(validate({ ...expiring, tenant: 'Contoso 😀', summary: '🔥 expires' }).ok).toBe(true);
  });
});

test('the id is printable ASCII without space / \\ # ? %, at most 200 long: a Table key and an HTTP header value', () => {
  for (const id of ['é', 'Ω', '😀', 'a b', 'a%2Fb', 'a/b', 'a\\b', 'a#b', 'a?b', 'a\tb', 'x'.repeat(201)]) expect([id, refusal({ ...expiring, id }).field]).toEqual([id, 'id']);
  for (const id of ['apns-removed-5a3c9e1f-000006', "a'b", 'A.B_C~D:E@F=G+H(I)', '!"$&*,;<>[]^`{|}', 'x'.repeat(200)]) expect([id, validate({ ...expiring, id }).ok]).toEqual([id, true]);
});

describe('what is stored always fits one Table property', () => {
  test('each text has its maximum length', () => {
    expect(refusal({ ...expiring, summary: 's'.repeat(4001) })).toEqual({ field: 'summary', problem: 'must have at most 4000 characters' });
    expect(refusal({ ...changed, previous: { ...changed.previous, appleIdentifier: 'a'.repeat(321) } }).field).toBe('previous.appleIdentifier');
    expect(refusal({ ...expiring, expirationDateTime: `2027-03-01T09:00:00.${'1'.repeat(60_000)}Z` }).field).toBe('expirationDateTime');
  });

  test('texts within their limits that escape to more than a property holds are refused naming the largest', () => {
    const control = '\u0001'.repeat(4000);
    const r = refusal({ ...expiring, summary: control, error: `${control.slice(1)}` });
    expect(r.field).toBe('summary');
    expect(r.problem).toMatch(new RegExp(`over the ${MAX_EVENT_JSON_CHARS} one Table Storage property holds`));
  });

  test('the largest event that is accepted is within the limit', () => {
    const big = { ...changed, summary: '\u0001'.repeat(2500), error: '\u0001'.repeat(2500), tenant: '"'.repeat(200), appleIdentifier: '\\'.repeat(320) };
    const r = validate(big);
    expect(r.ok).toBe(true);
    expect(r.ok && JSON.stringify(r.event).length).toBeLessThanOrEqual(MAX_EVENT_JSON_CHARS);
  });

  test('whole days are bounded', () => {
    expect(refusal({ ...expiring, daysRemaining: 1e21 })).toEqual({ field: 'daysRemaining', problem: 'must be at most 100000' });
    expect(refusal({ ...expiring, thresholdDays: -1 })).toEqual({ field: 'thresholdDays', problem: 'must be at least 0' });
  });

  test('an empty text is refused in a proper plural, never "character(s)"', () => {
    expect(refusal({ ...expiring, summary: '' })).toEqual({ field: 'summary', problem: 'must have at least 1 character' });
  });
});

test('dates are date-times that exist, with an offset', () => {
  for (const at of ['2027-02-30T00:00:00Z', '2027-01-01T24:00:00Z', '2027-01-01T00:00:00+24:00', '2027-13-01T00:00Z', '2027-03-01', '2027-03-01T09:00:00']) {
    expect([at, refusal({ ...expiring, occurredAt: at }).field]).toEqual([at, 'occurredAt']);
  }
  for (const at of ['2028-02-29T23:59:59.999Z', '2027-03-01T09:00+05:30', '0001-01-01T00:00:00Z']) expect([at, validate({ ...expiring, expirationDateTime: at }).ok]).toEqual([at, true]);
});

test('the removed kind is accepted', () => {
  const removed: AlertEvent = { ...expiring, id: 'apns-removed-1', kind: 'removed', severity: 'critical' };
  expect(validate(removed)).toEqual({ ok: true, event: removed });
});
