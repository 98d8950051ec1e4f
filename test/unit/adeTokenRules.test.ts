import { describe, expect, test } from 'vitest';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { validateAlertEvent } from '../../src/domain/validateEvent';
import type { AdeReadOutcome, AdeToken } from '../../src/subjects/ade_token/reader';
import { adeTokenName, decideAdeTokens, evaluateAdeToken } from '../../src/subjects/ade_token/rules';
import { INITIAL_TOKEN_SUBJECT_STATE, type TokenSubjectState } from '../../src/subjects/token';
import { parsedAdeToken, TOKEN_POLICY } from '../support/tokenFixtures';

const policy = TOKEN_POLICY;
const EXPIRY = '2027-03-01T00:00:00.000Z';
const token = (o: Partial<AdeToken> = {}) => parsedAdeToken({ tokenExpirationDateTime: EXPIRY, ...o });
const DAY = 86_400_000;
const HOUR = 3_600_000;
const daysBefore = (days: number, expiry = EXPIRY) => new Date(new Date(expiry).getTime() - days * DAY);


type Step = [Date, AdeToken[] | 'failed'];
/** Tokens synced successfully an hour before each read unless they say otherwise. */
function run(steps: Step[], start: TokenSubjectState = INITIAL_TOKEN_SUBJECT_STATE) {
  let state = start;
  const raised: AlertEvent[] = [];
  for (const [now, tokens] of steps) {
    const read: AdeReadOutcome =
      tokens === 'failed'
        ? { kind: 'failed', error: 'GET /beta/deviceManagement/depOnboardingSettings: Graph answered 403 Forbidden: the app lacks the Graph application permission DeviceManagementServiceConfig.Read.All (grant it with admin consent)', httpStatus: 403 }
        : { kind: 'found', tokens: tokens.map((t) => ({ ...t, lastSuccessfulSyncDateTime: t.lastSuccessfulSyncDateTime ?? new Date(now.getTime() - HOUR).toISOString() })) };
    const d = decideAdeTokens(state, read, { now, policy, tenant: null, newEpoch: 'a1a1a1a1' });
    raised.push(...d.alerts);
    state = d.next;
  }
  return { raised, state };
}
const kinds = (alerts: AlertEvent[]) => alerts.map((a) => a.kind);

describe('ADE token rule table', () => {
  test('every kind an ADE token can raise, once each', () => {
    const { raised, state } = run([
      [daysBefore(100), [token()]],
      [daysBefore(99), 'failed'],
      [daysBefore(98.9), 'failed'], // monitor_failing
      [daysBefore(98), [token({ lastSyncErrorCode: 4031 })]], // monitor_recovered, sync_failed
      [daysBefore(97), [token()]], // sync_recovered
      [daysBefore(90), [token({ lastSuccessfulSyncDateTime: daysBefore(94).toISOString() })]], // sync_stale
      [daysBefore(89), [token({ appleIdentifier: 'new@contoso.com' })]], // apple_id_changed, sync_recovered
      [daysBefore(29), [token({ appleIdentifier: 'new@contoso.com' })]], // expiring 30
      [daysBefore(-0.5), [token({ appleIdentifier: 'new@contoso.com' })]], // expired
      [daysBefore(-0.6), [token({ appleIdentifier: 'new@contoso.com', tokenExpirationDateTime: '2028-03-01T00:00:00.000Z' })]], // renewed
      [daysBefore(-0.7), []], // removed
    ]);
    expect(kinds(raised)).toEqual([
      'monitor_failing',
      'monitor_recovered',
      'sync_failed',
      'sync_recovered',
      'sync_stale',
      'apple_id_changed',
      'sync_recovered',
      'expiring',
      'expired',
      'renewed',
      'removed',
    ]);
    for (const a of raised) {
      expect(a.id).toMatch(/^ade_token-[a-z_]+-a1a1a1a1-\d{6}$/);
      expect(validateAlertEvent(JSON.parse(JSON.stringify(a))).ok).toBe(true);
    }
    const failed = raised.find((a) => a.kind === 'sync_failed')!;
    expect(failed).toMatchObject({ severity: 'warning', syncErrorCode: 4031, subjectId: 'ade-1', subjectName: 'Contoso DEP', state: null });
    expect(failed.summary).toContain('lastSyncErrorCode 4031');
    expect(raised.find((a) => a.kind === 'monitor_failing')!.summary).toContain('DeviceManagementServiceConfig.Read.All');
    const expiring = raised.find((a) => a.kind === 'expiring')!;
    expect(expiring.summary).toMatch(/public key/);
    expect(expiring.summary).toMatch(/Never create a new MDM server/);
    expect(state.incidents.map((i) => i.kind)).toEqual(['apple_id_changed', 'removed']);
  });

  test('no back-fill: a first look at 2 days raises the 3-day threshold only, critical', () => {
    expect(run([[daysBefore(2), [token()]]]).raised.map((a) => [a.kind, a.thresholdDays, a.severity])).toEqual([['expiring', 3, 'critical']]);
  });

  test('a different error code while failing is a new occurrence; the same code is not', () => {
    const { raised } = run([
      [daysBefore(100), [token({ lastSyncErrorCode: 1 })]],
      [daysBefore(99), [token({ lastSyncErrorCode: 1 })]],
      [daysBefore(98), [token({ lastSyncErrorCode: 2 })]],
    ]);
    expect(raised.map((a) => [a.kind, a.syncErrorCode])).toEqual([
      ['sync_failed', 1],
      ['sync_failed', 2],
    ]);
  });

  test('stale by lastSuccessfulSyncDateTime; a token that never synced counts from when it was first seen', () => {
    const never = token({ lastSuccessfulSyncDateTime: null });
    let state = INITIAL_TOKEN_SUBJECT_STATE;
    const raised: AlertEvent[] = [];
    for (const h of [0, 48, 73, 80]) {
      const d = decideAdeTokens(state, { kind: 'found', tokens: [never] }, { now: new Date(daysBefore(100).getTime() + h * HOUR), policy, tenant: null });
      raised.push(...d.alerts);
      state = d.next;
    }
    expect(raised.map((a) => [a.kind, a.lastSyncDateTime])).toEqual([['sync_stale', null]]);
    expect(raised[0]!.summary).toMatch(/has never synced/);
  });

  test('stale and failing flap: each return is a new occurrence with a new id', () => {
    const old = (d: number) => daysBefore(d + 4).toISOString();
    const { raised } = run([
      [daysBefore(80), [token({ lastSuccessfulSyncDateTime: old(80) })]],
      [daysBefore(79), [token()]],
      [daysBefore(70), [token({ lastSuccessfulSyncDateTime: old(70) })]],
    ]);
    expect(kinds(raised)).toEqual(['sync_stale', 'sync_recovered', 'sync_stale']);
    expect(new Set(raised.map((a) => a.id)).size).toBe(3);
  });

  test('three tokens, one removed: only that one is reported, by id', () => {
    const three = [token(), token({ id: 'ade-2', tokenName: 'School' }), token({ id: 'ade-3', tokenName: null })];
    const { raised } = run([
      [daysBefore(100), three],
      [daysBefore(99), [three[0]!, three[2]!]],
    ]);
    expect(raised.map((a) => [a.kind, a.subjectId, a.subjectName])).toEqual([['removed', 'ade-2', 'School']]);
    expect(adeTokenName(three[2]!)).toBe('ade@contoso.com');
  });

  test('status: undatable is unknown with the reason; sync follows the Intune connector rule', () => {
    const now = daysBefore(100);
    const ago = (h: number) => new Date(now.getTime() - h * HOUR).toISOString();
    const undated = token({ tokenExpirationDateTime: null, expiryError: 'the ADE token ade-1 has no usable tokenExpirationDateTime ("2027-02-30T00:00:00Z")', lastSuccessfulSyncDateTime: ago(1) });
    expect(evaluateAdeToken(undated, now, policy)).toEqual({ status: 'unknown', daysRemaining: null, error: undated.expiryError });
    expect(evaluateAdeToken(token({ lastSuccessfulSyncDateTime: ago(1) }), now, policy).status).toBe('ok');
    expect(evaluateAdeToken(token({ lastSuccessfulSyncDateTime: ago(30) }), now, policy).status).toBe('warning');
    expect(evaluateAdeToken(token({ lastSuccessfulSyncDateTime: ago(72) }), now, policy).status).toBe('critical');
    expect(evaluateAdeToken(token({ lastSuccessfulSyncDateTime: ago(1), lastSyncErrorCode: 7 }), now, policy).status).toBe('warning');
    expect(evaluateAdeToken(token({ lastSuccessfulSyncDateTime: ago(1) }), daysBefore(-1), policy).status).toBe('expired');
    // Never synced: counted from when the monitor first saw it.
    expect(evaluateAdeToken(token(), now, policy, ago(100)).status).toBe('critical');
    expect(evaluateAdeToken(token(), now, policy, null).status).toBe('ok');
  });
});
