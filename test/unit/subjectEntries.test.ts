import { describe, expect, test } from 'vitest';
import { credentialMetrics } from '../../src/metrics/readModel';
import { renderPrometheus } from '../../src/metrics/prometheus';
import type { TokenPolicy } from '../../src/rules/policy';
import type { AdeToken } from '../../src/subjects/ade_token/reader';
import { adeEntries, decideAdeTokens } from '../../src/subjects/ade_token/rules';
import { worstStatus } from '../../src/subjects/subjectEntry';
import { INITIAL_TOKEN_SUBJECT_STATE } from '../../src/subjects/token';
import type { VppToken } from '../../src/subjects/vpp_token/reader';
import { decideVppTokens, vppEntries } from '../../src/subjects/vpp_token/rules';

const policy: TokenPolicy = { thresholdDays: [60, 30, 14, 7, 3, 1], warningDays: 30, criticalDays: 7, expiredRepeatHours: 24, syncStaleHours: 72 };
const now = new Date('2026-12-26T10:00:00Z');
const vpp: VppToken = {
  id: 'vpp-1', organizationName: 'Contoso', appleId: 'vpp@contoso.com', vppTokenAccountType: 'business', expirationDateTime: '2027-01-05T10:00:00.000Z', expiryError: null,
  lastSyncDateTime: '2026-12-26T06:00:00.000Z', lastSyncStatus: 'completed', state: 'valid', countryOrRegion: 'us', lastModifiedDateTime: null, displayName: null, locationName: null,
};
const ade: AdeToken = {
  id: 'ade-1', appleIdentifier: 'ade@contoso.com', tokenName: 'Contoso ADE', tokenType: 'dep', tokenExpirationDateTime: null, expiryError: 'the ADE token ade-1 has no usable tokenExpirationDateTime ("0001-01-01T00:00:00Z")',
  lastSuccessfulSyncDateTime: '2026-12-26T06:00:00.000Z', lastSyncTriggeredDateTime: null, lastSyncErrorCode: 0, syncedDeviceCount: 1, lastModifiedDateTime: null,
};

describe('subject entries: the read model status and metrics share', () => {
  test('one entry per token, with status, state and last sync', () => {
    const read = { kind: 'found' as const, tokens: [vpp] };
    const { next } = decideVppTokens(INITIAL_TOKEN_SUBJECT_STATE, read, { now, policy, tenant: null });
    expect(vppEntries(read, next, now, policy)).toEqual([
      { subject: 'vpp_token', id: 'vpp-1', name: 'Contoso (vpp@contoso.com)', status: 'warning', daysRemaining: 10, expirationDateTime: '2027-01-05T10:00:00.000Z', appleIdentifier: 'vpp@contoso.com', state: 'valid', lastSyncDateTime: '2026-12-26T06:00:00.000Z', error: null },
    ]);
  });

  test('a failed read keeps the known tokens, unknown with the reason; a subject never read is one unknown entry', () => {
    const found = { kind: 'found' as const, tokens: [ade] };
    const first = decideAdeTokens(INITIAL_TOKEN_SUBJECT_STATE, found, { now, policy, tenant: null });
    expect(adeEntries(found, first.next, now, policy)[0]).toMatchObject({ status: 'unknown', error: ade.expiryError });
    const failed = { kind: 'failed' as const, error: 'GET /beta/deviceManagement/depOnboardingSettings: Graph answered 403 Forbidden: …DeviceManagementServiceConfig.Read.All…', httpStatus: 403 };
    expect(adeEntries(failed, first.next, now, policy)).toEqual([expect.objectContaining({ id: 'ade-1', name: 'Contoso ADE', status: 'unknown', error: failed.error })]);
    expect(adeEntries(failed, INITIAL_TOKEN_SUBJECT_STATE, now, policy)).toEqual([expect.objectContaining({ subject: 'ade_token', id: null, status: 'unknown', error: failed.error })]);
  });

  test('the worst status leads', () => {
    expect(worstStatus([])).toBe('ok');
    expect(worstStatus(['ok', 'warning', 'unknown'])).toBe('unknown');
    expect(worstStatus(['unknown', 'critical'])).toBe('critical');
    expect(worstStatus(['critical', 'expired', 'warning'])).toBe('expired');
    expect(worstStatus(['ok', 'not_configured'])).toBe('not_configured');
  });

  test('metrics from entries: the push certificate gets its subject as id', () => {
    const metrics = credentialMetrics(
      [{ subject: 'apns', id: null, name: null, status: 'ok', daysRemaining: 100, expirationDateTime: '2027-04-05T10:00:00.000Z', appleIdentifier: null, state: null, lastSyncDateTime: null, error: null }],
      'Contoso',
    );
    expect(metrics).toEqual([{ tenant: 'Contoso', subject: 'apns', id: 'apns', name: '', status: 'ok', expirationDateTime: '2027-04-05T10:00:00.000Z', lastSyncDateTime: null }]);
    expect(renderPrometheus({ credentials: metrics, monitor: { tenant: 'Contoso', lastCheckAt: null, lastCheckSucceeded: null, openIncidents: 0 } })).toContain(
      'apple_credential_status{tenant="Contoso",subject="apns",id="apns",name="",status="ok"} 1\n',
    );
  });
});
