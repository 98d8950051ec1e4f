import { describe, expect, test } from 'vitest';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { validateAlertEvent } from '../../src/domain/validateEvent';
import { acknowledgeIncidents } from '../../src/rules/incidents';
import { INITIAL_TOKEN_SUBJECT_STATE, type TokenSubjectState } from '../../src/subjects/token';
import type { VppReadOutcome, VppToken } from '../../src/subjects/vpp_token/reader';
import { decideVppTokens, evaluateVppToken, vppTokenName } from '../../src/subjects/vpp_token/rules';
import { parsedVppToken, TOKEN_POLICY } from '../support/tokenFixtures';

const policy = TOKEN_POLICY;
const EXPIRY = '2027-03-01T00:00:00.000Z';
const token = (o: Partial<VppToken> = {}) => parsedVppToken({ expirationDateTime: EXPIRY, ...o });
const DAY = 86_400_000;
const HOUR = 3_600_000;
const daysBefore = (days: number, expiry = EXPIRY) => new Date(new Date(expiry).getTime() - days * DAY);


/** A read at `now`, whose tokens synced an hour earlier unless they say otherwise. */
type Step = [Date, VppToken[] | 'failed'];
function run(steps: Step[], start: TokenSubjectState = INITIAL_TOKEN_SUBJECT_STATE) {
  let state = start;
  const raised: AlertEvent[] = [];
  for (const [now, tokens] of steps) {
    const read: VppReadOutcome =
      tokens === 'failed'
        ? { kind: 'failed', error: 'GET /v1.0/deviceAppManagement/vppTokens: Graph answered 503', httpStatus: 503 }
        : { kind: 'found', tokens: tokens.map((t) => ({ ...t, lastSyncDateTime: t.lastSyncDateTime ?? new Date(now.getTime() - HOUR).toISOString() })) };
    const d = decideVppTokens(state, read, { now, policy, tenant: 'Contoso', newEpoch: 'e0e0e0e0' });
    raised.push(...d.alerts);
    state = d.next;
  }
  return { raised, state };
}
const kinds = (alerts: AlertEvent[]) => alerts.map((a) => a.kind);

describe('VPP token rule table', () => {
  test('every kind a VPP token can raise, once each, in a simulated life', () => {
    const stale = (d: number) => daysBefore(d + 4).toISOString();
    const renewed = '2028-03-01T00:00:00.000Z';
    const { raised } = run([
      [daysBefore(100), [token()]],
      [daysBefore(59), [token()]], // expiring 60
      [daysBefore(58), [token({ appleId: 'other@contoso.com' })]], // apple_id_changed
      [daysBefore(57), [token({ appleId: 'other@contoso.com', state: 'invalid' })]], // token_invalid
      [daysBefore(56), [token({ appleId: 'other@contoso.com', lastSyncStatus: 'failed' })]], // sync_failed
      [daysBefore(55), [token({ appleId: 'other@contoso.com' })]], // sync_recovered
      [daysBefore(50), [token({ appleId: 'other@contoso.com', lastSyncDateTime: stale(50) })]], // sync_stale
      [daysBefore(49), [token({ appleId: 'other@contoso.com' })]], // sync_recovered
      [daysBefore(48), 'failed'],
      [daysBefore(47.9), 'failed'], // monitor_failing
      [daysBefore(47), [token({ appleId: 'other@contoso.com' })]], // monitor_recovered
      [daysBefore(-0.1), [token({ appleId: 'other@contoso.com', state: 'expired' })]], // expired (no token_invalid: the date says it too)
      [daysBefore(-0.2), [token({ appleId: 'other@contoso.com', expirationDateTime: renewed })]], // renewed
      [daysBefore(-0.3), []], // removed
    ]);
    expect(kinds(raised)).toEqual([
      'expiring',
      'apple_id_changed',
      'token_invalid',
      'sync_failed',
      'sync_recovered',
      'sync_stale',
      'sync_recovered',
      'monitor_failing',
      'monitor_recovered',
      'expired', // the thresholds below 60 were skipped while nobody looked: no back-fill
      'renewed',
      'removed',
    ]);
    expect(new Set(raised.map((a) => a.id)).size).toBe(raised.length);
    for (const a of raised) {
      expect(a.id).toMatch(/^vpp_token-[a-z_]+-e0e0e0e0-\d{6}$/);
      expect(a.subject).toBe('vpp_token');
      const v = validateAlertEvent(JSON.parse(JSON.stringify(a)));
      expect(v.ok, JSON.stringify(v)).toBe(true);
    }
    expect(raised.find((a) => a.kind === 'token_invalid')).toMatchObject({ severity: 'critical', state: 'invalid', subjectId: 'vpp-1', subjectName: 'Contoso (other@contoso.com)' });
    expect(raised.find((a) => a.kind === 'token_invalid')!.summary).toContain('"invalid"');
    expect(raised.find((a) => a.kind === 'monitor_failing')).toMatchObject({ subjectId: null, error: expect.stringContaining('vppTokens') });
    expect(raised.find((a) => a.kind === 'removed')).toMatchObject({ severity: 'critical', subjectId: 'vpp-1', expirationDateTime: renewed });
  });

  test('thresholds: once each on a daily schedule; a first look at 10 days raises 14 only (no back-fill)', () => {
    const steps: Step[] = [];
    for (let d = 90; d > 0; d -= 0.5) steps.push([daysBefore(d), [token()]]);
    expect(run(steps).raised.map((a) => a.thresholdDays)).toEqual([60, 30, 14, 7, 3, 1]);
    const first = run([[daysBefore(10), [token()]]]).raised;
    expect(first.map((a) => [a.kind, a.thresholdDays, a.severity, a.daysRemaining])).toEqual([['expiring', 14, 'warning', 10]]);
    expect(first[0]!.summary).toMatch(/content token/);
    expect(run([[daysBefore(5), [token()]]]).raised[0]!.severity).toBe('critical');
  });

  test('each token has its own ladder; ids stay unique across tokens', () => {
    const b = token({ id: 'vpp-2', expirationDateTime: '2027-06-01T00:00:00.000Z' });
    const { raised, state } = run([
      [daysBefore(20), [token(), b]],
      [daysBefore(19), [token(), b]],
    ]);
    expect(raised.map((a) => [a.subjectId, a.thresholdDays])).toEqual([['vpp-1', 30]]);
    expect(Object.keys(state.tokens)).toEqual(['vpp-1', 'vpp-2']);
  });

  test('expired repeats every EXPIRED_REPEAT_HOURS with one incident, closed by the renewal', () => {
    const { raised, state } = run([
      [daysBefore(-0.1), [token()]],
      [daysBefore(-0.6), [token()]],
      [daysBefore(-1.2), [token()]],
    ]);
    expect(kinds(raised)).toEqual(['expired', 'expired']);
    expect(state.incidents.map((i) => [i.kind, i.subjectId])).toEqual([['expired', 'vpp-1']]);
    const renewed = run([[daysBefore(-1.3), [token({ expirationDateTime: '2028-03-01T00:00:00.000Z' })]]], state);
    expect(kinds(renewed.raised)).toEqual(['renewed']);
    expect(renewed.state.incidents).toEqual([]);
  });

  test('flaps are new occurrences: invalid → valid → invalid raises two alerts with two ids', () => {
    const { raised, state } = run([
      [daysBefore(100), [token({ state: 'invalid' })]],
      [daysBefore(99), [token({ state: 'invalid' })]],
      [daysBefore(98), [token()]],
      [daysBefore(97), [token({ state: 'assignedToExternalMDM' })]],
    ]);
    expect(raised.map((a) => [a.kind, a.state])).toEqual([
      ['token_invalid', 'invalid'],
      ['token_invalid', 'assignedToExternalMDM'],
    ]);
    expect(raised[1]!.summary).toMatch(/Another MDM/);
    expect(state.incidents.map((i) => i.id)).toEqual([raised[1]!.id]);
  });

  test('unknown and expired-while-still-dated states are not valid', () => {
    expect(kinds(run([[daysBefore(100), [token({ state: 'unknown' })]]]).raised)).toEqual(['token_invalid']);
    expect(run([[daysBefore(100), [token({ state: 'expired' })]]]).raised[0]!.state).toBe('expired');
    expect(run([[daysBefore(100), [token({ state: null })]]]).raised).toEqual([]);
  });

  test('removed: a critical incident until the same token is back; gone, back, gone is two occurrences', () => {
    const { raised, state } = run([
      [daysBefore(100), [token(), token({ id: 'vpp-2' })]],
      [daysBefore(99), [token({ id: 'vpp-2' })]],
      [daysBefore(98), [token({ id: 'vpp-2' })]],
    ]);
    expect(raised.map((a) => [a.kind, a.subjectId, a.severity])).toEqual([['removed', 'vpp-1', 'critical']]);
    expect(state.incidents.map((i) => [i.kind, i.subjectId])).toEqual([['removed', 'vpp-1']]);
    const back = run([[daysBefore(97), [token(), token({ id: 'vpp-2' })]], [daysBefore(96), [token({ id: 'vpp-2' })]]], state);
    expect(kinds(back.raised)).toEqual(['removed']);
    expect(back.raised[0]!.id).not.toBe(raised[0]!.id);
    expect(back.state.incidents.map((i) => i.id)).toEqual([back.raised[0]!.id]);
    // Acknowledged like the push certificate's, by id.
    expect(acknowledgeIncidents(back.state, [back.raised[0]!.id]).next.incidents).toEqual([]);
  });

  test('zero tokens from the start is fine: nothing raised; a failed read never looks like a removal', () => {
    expect(run([[daysBefore(100), []]]).raised).toEqual([]);
    const { raised } = run([
      [daysBefore(100), [token()]],
      [daysBefore(99), 'failed'],
      [daysBefore(98), [token()]],
    ]);
    expect(raised).toEqual([]);
  });

  test('sync failed: once per occurrence, recovered when it clears, a new occurrence when it comes back', () => {
    const failing = token({ lastSyncStatus: 'failed' });
    const { raised } = run([
      [daysBefore(100), [failing]],
      [daysBefore(99.5), [failing]],
      [daysBefore(99), [token()]],
      [daysBefore(98), [failing]],
    ]);
    expect(raised.map((a) => [a.kind, a.severity])).toEqual([
      ['sync_failed', 'warning'],
      ['sync_recovered', 'info'],
      ['sync_failed', 'warning'],
    ]);
    expect(new Set(raised.map((a) => a.id)).size).toBe(3);
  });

  test('sync stale after more than SYNC_STALE_HOURS without a sync, once; recovered after a sync', () => {
    const lastSync = daysBefore(100).toISOString();
    const { raised } = run([
      [new Date(daysBefore(100).getTime() + 71 * HOUR), [token({ lastSyncDateTime: lastSync })]],
      [new Date(daysBefore(100).getTime() + 73 * HOUR), [token({ lastSyncDateTime: lastSync })]],
      [new Date(daysBefore(100).getTime() + 80 * HOUR), [token({ lastSyncDateTime: lastSync })]],
      [daysBefore(90), [token()]],
    ]);
    expect(raised.map((a) => [a.kind, a.severity, a.lastSyncDateTime])).toEqual([
      ['sync_stale', 'warning', lastSync],
      ['sync_recovered', 'info', expect.any(String)],
    ]);
  });

  test('undatable expiry: status unknown naming field and value, and no expiry alert', () => {
    const undated = token({ expirationDateTime: null, expiryError: 'the VPP token vpp-1 has no usable expirationDateTime ("0001-01-01T00:00:00Z")' });
    expect(run([[daysBefore(1), [undated]]]).raised).toEqual([]);
    expect(evaluateVppToken(undated, daysBefore(1), policy)).toEqual({ status: 'unknown', daysRemaining: null, error: undated.expiryError });
  });

  test('an expiry that becomes undatable and comes back does not re-raise its threshold', () => {
    const { raised } = run([
      [daysBefore(10), [token()]],
      [daysBefore(9), [token({ expirationDateTime: null, expiryError: 'x' })]],
      [daysBefore(8), [token()]],
    ]);
    expect(raised.map((a) => a.thresholdDays)).toEqual([14]);
  });

  test('a changed Apple ID is a warning incident; a change of case is not a change', () => {
    const { raised, state } = run([
      [daysBefore(100), [token()]],
      [daysBefore(99), [token({ appleId: 'VPP@Contoso.com' })]],
      [daysBefore(98), [token({ appleId: 'new@contoso.com' })]],
    ]);
    expect(raised.map((a) => [a.kind, a.severity, a.previous?.appleIdentifier])).toEqual([['apple_id_changed', 'warning', 'VPP@Contoso.com']]);
    expect(state.incidents.map((i) => i.kind)).toEqual(['apple_id_changed']);
  });

  test('names: beta display name, else organization with Apple ID', () => {
    expect(vppTokenName(token())).toBe('Contoso (vpp@contoso.com)');
    expect(vppTokenName(token({ displayName: 'Main location' }))).toBe('Main location');
    expect(vppTokenName(token({ organizationName: null, appleId: null }))).toBe('VPP token');
  });
});

describe('VPP token status (Intune connector rule reconciled with WARNING_DAYS / CRITICAL_DAYS)', () => {
  const now = daysBefore(100);
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR).toISOString();
  test.each<[string, Partial<VppToken>, Date, string]>([
    ['fresh and far from expiry', { lastSyncDateTime: at(1) }, now, 'ok'],
    ['within WARNING_DAYS', { lastSyncDateTime: at(1) }, daysBefore(20), 'warning'],
    ['within CRITICAL_DAYS (Intune warns from 7 days)', { lastSyncDateTime: at(1) }, daysBefore(6), 'critical'],
    ['expired', { lastSyncDateTime: at(1) }, daysBefore(-1), 'expired'],
    ['last sync more than a day ago', { lastSyncDateTime: at(25) }, now, 'warning'],
    ['last sync three days ago or more (Intune: unhealthy)', { lastSyncDateTime: at(72) }, now, 'critical'],
    ['last sync failed', { lastSyncDateTime: at(1), lastSyncStatus: 'failed' }, now, 'warning'],
    ['state invalid', { lastSyncDateTime: at(1), state: 'invalid' }, now, 'critical'],
  ])('%s', (_name, o, when, status) => {
    const t = token(o);
    const fixed = o.lastSyncDateTime === undefined ? t : { ...t, lastSyncDateTime: new Date(new Date(o.lastSyncDateTime!).getTime() + (when.getTime() - now.getTime())).toISOString() };
    expect(evaluateVppToken(fixed, when, policy).status).toBe(status);
  });
});
