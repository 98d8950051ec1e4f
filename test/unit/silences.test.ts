import { describe, expect, test } from 'vitest';
import type { AlertPolicy } from '../../src/config';
import { NOT_APPLICABLE, type AlertEvent } from '../../src/domain/alertEvent';
import type { ApnsCertificate, ReadOutcome } from '../../src/domain/certificate';
import { decideAlerts, INITIAL_STATE, type AlertState } from '../../src/domain/decide';
import { checkSilenceInput, splitSubject } from '../../src/silences/input';
import { criticalOpeners, matchingSilence, mayOpenCriticalIncident, silenceMatches, silenceNotes } from '../../src/silences/match';
import { parseUntil, zonedWallTimeToInstant } from '../../src/silences/until';
import type { Silence } from '../../src/status/operatorModel';

const NOW = new Date('2027-03-01T12:00:00Z');

function until(text: string, zone: string | null, now = NOW): string {
  const r = parseUntil(text, zone, now);
  if (!r.ok) throw new Error(r.problem);
  return r.until.toISOString();
}

/** The calendar date an instant falls on in a zone. */
function localDate(zone: string, ms: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

describe('--until: a date is the end of that day in DISPLAY_TIMEZONE, else UTC', () => {
  test('UTC without a display zone', () => {
    expect(until('2027-03-05', null)).toBe('2027-03-06T00:00:00.000Z');
    expect(until('2027-12-31', null)).toBe('2028-01-01T00:00:00.000Z');
    expect(until('2028-02-29', null)).toBe('2028-03-01T00:00:00.000Z');
  });

  test('Europe/Berlin: winter, summer, and both DST days', () => {
    expect(until('2027-03-05', 'Europe/Berlin')).toBe('2027-03-05T23:00:00.000Z');
    expect(until('2027-07-01', 'Europe/Berlin')).toBe('2027-07-01T22:00:00.000Z');
    // 28 March 2027: clocks go 02:00 → 03:00. The day before still ends at CET midnight...
    expect(until('2027-03-27', 'Europe/Berlin')).toBe('2027-03-27T23:00:00.000Z');
    // ...and the short day itself ends at CEST midnight, 23 hours later.
    expect(until('2027-03-28', 'Europe/Berlin')).toBe('2027-03-28T22:00:00.000Z');
    // 31 October 2027: 03:00 → 02:00, a 25-hour day.
    expect(until('2027-10-30', 'Europe/Berlin')).toBe('2027-10-30T22:00:00.000Z');
    expect(until('2027-10-31', 'Europe/Berlin')).toBe('2027-10-31T23:00:00.000Z');
  });

  test('America/New_York: both DST days', () => {
    expect(until('2027-03-13', 'America/New_York')).toBe('2027-03-14T05:00:00.000Z');
    expect(until('2027-03-14', 'America/New_York')).toBe('2027-03-15T04:00:00.000Z');
    expect(until('2027-11-06', 'America/New_York')).toBe('2027-11-07T04:00:00.000Z');
    expect(until('2027-11-07', 'America/New_York')).toBe('2027-11-08T05:00:00.000Z');
  });

  test('a zone whose midnight does not exist (America/Santiago springs 00:00 → 01:00): the day ends when the next begins', () => {
    expect(until('2026-09-05', 'America/Santiago', new Date('2026-09-01T00:00:00Z'))).toBe('2026-09-06T04:00:00.000Z');
  });

  test.each(['UTC', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'America/Havana', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham', 'Africa/Casablanca'])(
    'every day of 2027 in %s ends where the next local day begins (the second time, where midnight repeats)',
    (zone) => {
      const wrong: string[] = [];
      for (let d = Date.UTC(2027, 0, 1); d < Date.UTC(2028, 0, 1); d += 86_400_000) {
        const day = new Date(d).toISOString().slice(0, 10);
        const r = parseUntil(day, zone, new Date('2026-12-01T00:00:00Z'));
        if (!r.ok) {
          wrong.push(`${day}: ${r.problem}`);
          continue;
        }
        const end = r.until.getTime();
        // The next day has begun, and a second before it was still the day; only where midnight repeats
        // may that second be the repeated hour's (then the end is the second midnight).
        const wall = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(r.until);
        const justBefore = localDate(zone, end - 1000) === day || (wall === '00:00:00' && localDate(zone, end - 3_601_000) === day);
        if (!justBefore || localDate(zone, end) === day) wrong.push(`${day} → ${r.until.toISOString()} (${wall})`);
      }
      expect(wrong).toEqual([]);
    },
  );

  test('a repeated midnight (America/Havana falls back 01:00 → 00:00): the day ends at the second one', () => {
    expect(until('2027-11-06', 'America/Havana', new Date('2027-11-01T00:00:00Z'))).toBe('2027-11-07T05:00:00.000Z');
  });

  test('zonedWallTimeToInstant takes the later instant of a repeated hour', () => {
    // 01:30 occurs twice in New York on 7 November 2027: EDT (05:30Z) and EST (06:30Z).
    expect(new Date(zonedWallTimeToInstant('America/New_York', 2027, 11, 7, 1, 30)).toISOString()).toBe('2027-11-07T06:30:00.000Z');
  });

  test('a date-time needs its offset; it is taken as written', () => {
    expect(until('2027-03-05T17:00:00+01:00', 'America/New_York')).toBe('2027-03-05T16:00:00.000Z');
    expect(until('2027-03-05T17:00Z', null)).toBe('2027-03-05T17:00:00.000Z');
    expect(until('2027-03-05t17:00:00.5z', null)).toBe('2027-03-05T17:00:00.500Z');
    const bare = parseUntil('2027-03-05T17:00', 'Europe/Berlin', NOW);
    expect(bare).toEqual({ ok: false, problem: 'expects a date (2027-03-05: the end of that day in Europe/Berlin) or a date-time with an offset (2027-03-05T17:00:00+01:00), not "2027-03-05T17:00"' });
  });

  test.each([
    ['2027-02-30', 'is not a date of the calendar'],
    ['2027-13-01', 'is not a date of the calendar'],
    ['2027-03-05T24:00:00Z', 'is not a time of the calendar'],
    ['2027-03-05T10:00:00+25:00', 'is not a time of the calendar'],
    ['friday', 'expects a date'],
    ['', 'expects a date'],
    ['2027-03-01T11:59:59Z', 'is in the past'],
    ['2027-03-01T12:00:00Z', 'is in the past'],
    ['2027-02-28', 'is in the past'],
  ])('%j is refused: %s', (text, problem) => {
    const r = parseUntil(text, 'UTC', NOW);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problem).toContain(problem);
  });

  test('today is fine: it ends tonight', () => {
    expect(until('2027-03-01', null)).toBe('2027-03-02T00:00:00.000Z');
  });
});

describe('a new silence is refused by the field that is wrong', () => {
  const ok = { subject: 'vpp_token', subjectId: 'tok-1', kind: 'expiring', until: '2027-03-05', reason: 'renewal booked for Friday', by: 'Alex' };

  test('a valid one', () => {
    expect(checkSilenceInput(ok, NOW, 'Europe/Berlin')).toEqual({ ok: true, silence: { subject: 'vpp_token', subjectId: 'tok-1', kind: 'expiring', until: '2027-03-05T23:00:00.000Z', reason: 'renewal booked for Friday', createdBy: 'Alex' } });
  });

  test.each([
    [{ subject: 'printer' }, 'subject', 'must be one of apns, vpp_token, ade_token, device_certificate, not "printer"'],
    [{ subject: undefined }, 'subject', 'is required: one of apns, vpp_token, ade_token, device_certificate'],
    [{ subject: 'apns', subjectId: 'x' }, 'subjectId', 'does not apply to apns'],
    [{ subjectId: 'has space' }, 'subjectId', 'printable ASCII'],
    [{ kind: 'nope' }, 'kind', 'must be one of expiring, expired'],
    [{ kind: 'test' }, 'kind', 'test messages are never silenced'],
    [{ until: undefined }, 'until', 'is required'],
    [{ until: 5 }, 'until', 'must be a string'],
    [{ until: '2020-01-01' }, 'until', 'is in the past'],
    [{ until: '2028-04-01' }, 'until', 'more than 366 days ahead'],
    [{ reason: undefined }, 'reason', 'is required'],
    [{ reason: '  \n\t ' }, 'reason', 'is required'],
    [{ reason: 'x'.repeat(501) }, 'reason', 'at most 500 characters'],
    [{ reason: '\uD800' }, 'reason', 'lone surrogate'],
    [{ by: 7 }, 'by', 'must be a string'],
    [{ kind: 'channel_failing' }, 'kind', 'channel_failing alerts are about the monitor\'s channels and carry subject apns: silence them with subject apns'],
  ])('%j → %s', (change, field, problem) => {
    const r = checkSilenceInput({ ...ok, ...change }, NOW, null);
    expect(r.ok ? null : r.field).toBe(field);
    expect(r.ok ? '' : r.problem).toContain(problem);
  });

  test('text becomes one line', () => {
    const r = checkSilenceInput({ ...ok, reason: 'line one\nline two\u2028three', by: '  ' }, NOW, null);
    expect(r.ok && r.silence).toMatchObject({ reason: 'line one line two three', createdBy: null });
  });

  test('KIND[:ID]', () => {
    expect(splitSubject('vpp_token')).toEqual({ subject: 'vpp_token', subjectId: null });
    expect(splitSubject('ade_token:a:b')).toEqual({ subject: 'ade_token', subjectId: 'a:b' });
  });
});

function silence(over: Partial<Silence> = {}): Silence {
  return { id: '00000000-0000-4000-8000-000000000001', subject: 'apns', subjectId: null, kind: null, until: '2027-03-05T00:00:00.000Z', reason: 'known', createdBy: null, createdAt: '2027-03-01T00:00:00.000Z', ...over };
}

function alert(over: Partial<AlertEvent> = {}): AlertEvent {
  return { ...NOT_APPLICABLE, id: 'apns-expiring-00000000-000001', kind: 'expiring', severity: 'warning', subject: 'apns', summary: 's', occurredAt: NOW.toISOString(), ...over };
}

describe('matching', () => {
  test('a channel alert is held only by a silence that names its kind, never by one meant for the credential', () => {
    const failing = alert({ id: 'channel-teams-failing-1', kind: 'channel_failing', subjectName: 'teams' });
    expect(silenceMatches(silence(), failing, NOW)).toBe(false);
    expect(silenceMatches(silence({ kind: 'channel_failing' }), failing, NOW)).toBe(true);
    expect(silenceMatches(silence(), alert({ kind: 'channel_recovered', severity: 'info' }), NOW)).toBe(false);
    // The notify function decides with the same rule.
    expect(silenceNotes([failing], [silence()], NOW, mayOpenCriticalIncident).size).toBe(0);
    const sub = { subject: 'apns', kind: 'channel_failing', until: '2027-03-05', reason: 'Teams connector being replaced' };
    expect(checkSilenceInput(sub, NOW, null).ok).toBe(true);
  });

  test('subject, credential and kind, while now < until', () => {
    expect(silenceMatches(silence(), alert(), NOW)).toBe(true);
    expect(silenceMatches(silence({ subject: 'vpp_token' }), alert(), NOW)).toBe(false);
    expect(silenceMatches(silence({ kind: 'expiring' }), alert(), NOW)).toBe(true);
    expect(silenceMatches(silence({ kind: 'renewed' }), alert(), NOW)).toBe(false);
    const token = alert({ subject: 'vpp_token', subjectId: 'a' });
    expect(silenceMatches(silence({ subject: 'vpp_token' }), token, NOW)).toBe(true);
    expect(silenceMatches(silence({ subject: 'vpp_token', subjectId: 'a' }), token, NOW)).toBe(true);
    expect(silenceMatches(silence({ subject: 'vpp_token', subjectId: 'b' }), token, NOW)).toBe(false);
    // An event from before tokens has no subjectId at all: only a subject-wide silence matches it.
    const { subjectId: _, ...old } = token;
    expect(silenceMatches(silence({ subject: 'vpp_token', subjectId: 'a' }), old, NOW)).toBe(false);
    expect(silenceMatches(silence({ subject: 'vpp_token' }), old, NOW)).toBe(true);
  });

  test('it ends by itself: not at until, nor after', () => {
    const s = silence({ until: '2027-03-01T12:00:00.001Z' });
    expect(silenceMatches(s, alert(), NOW)).toBe(true);
    expect(silenceMatches(s, alert(), new Date('2027-03-01T12:00:00.001Z'))).toBe(false);
    expect(silenceMatches(s, alert(), new Date('2027-04-01T00:00:00Z'))).toBe(false);
  });

  test('a test message is never silenced', () => {
    expect(silenceMatches(silence(), alert({ kind: 'test' }), NOW)).toBe(false);
  });

  test('of several, the one lasting longest, whatever the order', () => {
    const a = silence({ id: 'a', until: '2027-03-03T00:00:00.000Z' });
    const b = silence({ id: 'b', until: '2027-03-09T00:00:00.000Z' });
    const c = silence({ id: 'c', until: '2027-03-09T00:00:00.000Z' });
    expect(matchingSilence(alert(), [a, c, b], NOW)?.id).toBe('b');
    expect(matchingSilence(alert(), [b, a, c], NOW)?.id).toBe('b');
  });
});

const policy: AlertPolicy = { thresholdDays: [60, 30, 14, 7, 3, 1], warningDays: 30, criticalDays: 7, expiredRepeatHours: 24 };
const TOPIC = 'com.apple.mgmt.External.11111111-1111-1111-1111-111111111111';
function found(over: Partial<ApnsCertificate> = {}): ReadOutcome {
  return { kind: 'found', certificate: { id: 'x', appleIdentifier: 'apns@contoso.com', topicIdentifier: TOPIC, expirationDateTime: '2027-03-01T00:00:00.000Z', lastModifiedDateTime: null, certificateSerialNumber: 'AB', certificateUploadStatus: null, certificateUploadFailureReason: null, ...over } };
}

/** What the check decides: the decision, then the silence notes, as runCheck does. */
function decideWithSilences(state: AlertState, read: ReadOutcome, now: Date, silences: Silence[]) {
  const d = decideAlerts(state, read, { now, policy, tenant: 'Contoso' });
  return { d, notes: silenceNotes(d.alerts, silences, now, criticalOpeners(d.next.incidents, d.alerts)) };
}

describe('a silence never holds back an alert that opens a critical incident', () => {
  const all = silence({ until: '2027-06-01T00:00:00.000Z' });

  test('the first expired opens an incident: delivered, the silence noted; its repeats are held', () => {
    let state = decideAlerts(INITIAL_STATE, found(), { now: new Date('2027-02-20T00:00:00Z'), policy, tenant: null }).next;
    const first = decideWithSilences(state, found(), new Date('2027-03-01T01:00:00Z'), [all]);
    const expired = first.d.alerts.find((a) => a.kind === 'expired')!;
    expect(first.notes.get(expired.id)).toEqual({ id: all.id, until: all.until, reason: 'known', held: false });
    state = first.d.next;
    const repeat = decideWithSilences(state, found(), new Date('2027-03-02T02:00:00Z'), [all]);
    expect(repeat.d.alerts.map((a) => a.kind)).toEqual(['expired']);
    expect(repeat.notes.get(repeat.d.alerts[0]!.id)?.held).toBe(true);
  });

  test('topic_changed and upload_failed go through; apple_id_changed (a warning incident) and expiring are held', () => {
    const state = decideAlerts(INITIAL_STATE, found(), { now: new Date('2026-12-01T00:00:00Z'), policy, tenant: null }).next;
    const { d, notes } = decideWithSilences(state, found({ topicIdentifier: `${TOPIC}x`, appleIdentifier: 'other@contoso.com', certificateUploadStatus: 'failed' }), new Date('2027-02-25T00:00:00Z'), [all]);
    const held = Object.fromEntries(d.alerts.map((a) => [a.kind, notes.get(a.id)?.held]));
    expect(held).toEqual({ expiring: true, topic_changed: false, apple_id_changed: true, upload_failed: false });
  });

  test('a folded alert, or a state with as many incidents as it keeps, counts as an opener when critical', () => {
    const decided = [alert({ severity: 'critical', kind: 'removed' })];
    const folded = alert({ severity: 'critical', kind: 'removed', id: 'folded' });
    expect(criticalOpeners([], decided)(decided[0]!)).toBe(false);
    expect(criticalOpeners([], decided)(folded)).toBe(true);
    expect(criticalOpeners([], decided)({ ...folded, severity: 'warning' })).toBe(false);
    const many = Array.from({ length: 25 }, (_, i) => ({ id: `i${i}`, kind: 'removed' as const, severity: 'critical' as const, openedAt: '', summary: '', topicIdentifier: null }));
    expect(criticalOpeners(many, decided)(decided[0]!)).toBe(true);
  });

  test('the notify function, without the state, lets every critical incident kind through', () => {
    for (const kind of ['topic_changed', 'upload_failed', 'removed', 'expired', 'token_invalid'] as const) expect(mayOpenCriticalIncident({ kind, severity: 'critical' })).toBe(true);
    expect(mayOpenCriticalIncident({ kind: 'expiring', severity: 'critical' })).toBe(false);
    expect(mayOpenCriticalIncident({ kind: 'apple_id_changed', severity: 'warning' })).toBe(false);
  });
});
