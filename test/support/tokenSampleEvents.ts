import type { AlertEvent } from '../../src/domain/alertEvent';
import type { TokenPolicy } from '../../src/rules/policy';
import type { AdeToken } from '../../src/subjects/ade_token/reader';
import { decideAdeTokens } from '../../src/subjects/ade_token/rules';
import { INITIAL_TOKEN_SUBJECT_STATE } from '../../src/subjects/token';
import type { VppToken } from '../../src/subjects/vpp_token/reader';
import { decideVppTokens } from '../../src/subjects/vpp_token/rules';

const policy: TokenPolicy = { thresholdDays: [60, 30, 14, 7, 3, 1], warningDays: 30, criticalDays: 7, expiredRepeatHours: 24, syncStaleHours: 72 };

function vpp(o: Partial<VppToken> = {}): VppToken {
  return {
    id: '3a1b5c7d-0000-4000-8000-00000000aaaa',
    organizationName: 'Contoso Ltd',
    appleId: 'vpp-admin@contoso.com',
    vppTokenAccountType: 'business',
    expirationDateTime: '2027-03-01T09:00:00.000Z',
    expiryError: null,
    lastSyncDateTime: '2027-01-14T20:00:00.000Z',
    lastSyncStatus: 'completed',
    state: 'valid',
    countryOrRegion: 'us',
    lastModifiedDateTime: null,
    displayName: null,
    locationName: null,
    ...o,
  };
}

function ade(o: Partial<AdeToken> = {}): AdeToken {
  return {
    id: '9f8e7d6c-0000-4000-8000-00000000bbbb',
    appleIdentifier: 'ade-admin@contoso.com',
    tokenName: 'Contoso ADE',
    tokenType: 'dep',
    tokenExpirationDateTime: '2027-04-01T09:00:00.000Z',
    expiryError: null,
    lastSuccessfulSyncDateTime: '2027-01-14T20:00:00.000Z',
    lastSyncTriggeredDateTime: null,
    lastSyncErrorCode: 0,
    syncedDeviceCount: 42,
    lastModifiedDateTime: null,
    ...o,
  };
}

/** Token events of every kind only tokens raise (and a few shared ones), produced by the real rules. */
export function tokenSampleEvents(tenant: string | null = 'Contoso'): AlertEvent[] {
  const events: AlertEvent[] = [];
  let v = INITIAL_TOKEN_SUBJECT_STATE;
  const vppSteps: Array<[string, VppToken[]]> = [
    ['2027-01-15T00:00:00Z', [vpp()]],
    ['2027-01-16T00:00:00Z', [vpp({ state: 'invalid', lastSyncStatus: 'failed', lastSyncDateTime: '2027-01-15T20:00:00.000Z' })]],
    ['2027-01-17T00:00:00Z', [vpp({ lastSyncDateTime: '2027-01-16T20:00:00.000Z' })]],
    ['2027-02-20T00:00:00Z', [vpp({ lastSyncDateTime: '2027-02-19T20:00:00.000Z' })]],
    ['2027-02-21T00:00:00Z', []],
  ];
  for (const [at, tokens] of vppSteps) {
    const d = decideVppTokens(v, { kind: 'found', tokens }, { now: new Date(at), policy, tenant, newEpoch: '5a5a5a5a' });
    events.push(...d.alerts);
    v = d.next;
  }
  let a = INITIAL_TOKEN_SUBJECT_STATE;
  const adeSteps: Array<[string, AdeToken[]]> = [
    ['2027-01-15T00:00:00Z', [ade()]],
    ['2027-01-19T00:00:00Z', [ade({ lastSyncErrorCode: 4031 })]],
  ];
  for (const [at, tokens] of adeSteps) {
    const d = decideAdeTokens(a, { kind: 'found', tokens }, { now: new Date(at), policy, tenant, newEpoch: '6b6b6b6b' });
    events.push(...d.alerts);
    a = d.next;
  }
  return events;
}
