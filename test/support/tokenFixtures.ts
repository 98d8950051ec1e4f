import type { TokenPolicy } from '../../src/rules/policy';
import type { AdeToken } from '../../src/subjects/ade_token/reader';
import type { VppToken } from '../../src/subjects/vpp_token/reader';

/** Parsed tokens (what the readers produce) for the rule tests and the sample events; tests override what they test. */

export const TOKEN_POLICY: TokenPolicy = { thresholdDays: [60, 30, 14, 7, 3, 1], warningDays: 30, criticalDays: 7, expiredRepeatHours: 24, syncStaleHours: 72 };

export function parsedVppToken(o: Partial<VppToken> = {}): VppToken {
  return {
    id: 'vpp-1',
    organizationName: 'Contoso',
    appleId: 'vpp@contoso.com',
    vppTokenAccountType: 'business',
    expirationDateTime: '2027-03-01T00:00:00.000Z',
    expiryError: null,
    lastSyncDateTime: null,
    lastSyncStatus: 'completed',
    state: 'valid',
    countryOrRegion: 'us',
    lastModifiedDateTime: null,
    displayName: null,
    locationName: null,
    ...o,
  };
}

export function parsedAdeToken(o: Partial<AdeToken> = {}): AdeToken {
  return {
    id: 'ade-1',
    appleIdentifier: 'ade@contoso.com',
    tokenName: 'Contoso DEP',
    tokenType: 'dep',
    tokenExpirationDateTime: '2027-03-01T00:00:00.000Z',
    expiryError: null,
    lastSuccessfulSyncDateTime: null,
    lastSyncTriggeredDateTime: null,
    lastSyncErrorCode: 0,
    syncedDeviceCount: 12,
    lastModifiedDateTime: null,
    ...o,
  };
}
