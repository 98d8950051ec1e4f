import type { AlertEvent } from '../../src/domain/alertEvent';
import type { AdeToken } from '../../src/subjects/ade_token/reader';
import { decideAdeTokens } from '../../src/subjects/ade_token/rules';
import { INITIAL_TOKEN_SUBJECT_STATE } from '../../src/subjects/token';
import type { VppToken } from '../../src/subjects/vpp_token/reader';
import { decideVppTokens } from '../../src/subjects/vpp_token/rules';
import { parsedAdeToken, parsedVppToken, TOKEN_POLICY } from './tokenFixtures';

const policy = TOKEN_POLICY;

const vpp = (o: Partial<VppToken> = {}): VppToken =>
  parsedVppToken({ id: '3a1b5c7d-0000-4000-8000-00000000aaaa', organizationName: 'Contoso Ltd', appleId: 'vpp-admin@contoso.com', expirationDateTime: '2027-03-01T09:00:00.000Z', lastSyncDateTime: '2027-01-14T20:00:00.000Z', ...o });
const ade = (o: Partial<AdeToken> = {}): AdeToken =>
  parsedAdeToken({ id: '9f8e7d6c-0000-4000-8000-00000000bbbb', appleIdentifier: 'ade-admin@contoso.com', tokenName: 'Contoso ADE', tokenExpirationDateTime: '2027-04-01T09:00:00.000Z', lastSuccessfulSyncDateTime: '2027-01-14T20:00:00.000Z', syncedDeviceCount: 42, ...o });



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
