import type { AlertPolicy } from '../../src/config';
import type { AlertEvent } from '../../src/domain/alertEvent';
import type { ApnsCertificate, ReadOutcome } from '../../src/domain/certificate';
import { decideAlerts, INITIAL_STATE, type AlertState } from '../../src/domain/decide';
import { testEvent } from '../../src/cli/notifyTest';
import { channelAlertEvent } from '../../src/notify/channelAlerts';
import { newChannelHealth } from '../../src/notify/channelHealth';

const policy: AlertPolicy = { thresholdDays: [60, 30, 14, 7, 3, 1], warningDays: 30, criticalDays: 7, expiredRepeatHours: 24 };

function found(o: Partial<ApnsCertificate> = {}): ReadOutcome {
  return {
    kind: 'found',
    certificate: {
      id: 'x',
      appleIdentifier: 'intune-apns@contoso.com',
      topicIdentifier: 'com.apple.mgmt.External.8b9f2a3c-1d2e-4f50-9a6b-7c8d9e0f1a2b',
      expirationDateTime: '2027-03-01T09:00:00.000Z',
      lastModifiedDateTime: null,
      certificateSerialNumber: '5A1B3C7D9E2F4A6B',
      certificateUploadStatus: null,
      certificateUploadFailureReason: null,
      ...o,
    },
  };
}

/** One event of every kind the monitor raises, produced by the real decision code, in order. */
export function sampleEvents(tenant: string | null = 'Contoso'): AlertEvent[] {
  const failed: ReadOutcome = { kind: 'failed', error: 'Graph answered 403 Forbidden: the app lacks the Graph application permission DeviceManagementServiceConfig.Read.All (grant it with admin consent)', httpStatus: 403 };
  const renewed = '2028-03-01T09:00:00.000Z';
  const steps: Array<[string, ReadOutcome]> = [
    ['2027-01-15T00:00:00Z', failed],
    ['2027-01-15T06:00:00Z', failed],
    ['2027-02-20T00:00:00Z', found()],
    ['2027-03-02T00:00:00Z', found()],
    ['2027-03-03T00:00:00Z', found({ expirationDateTime: renewed })],
    ['2027-03-03T12:00:00Z', { kind: 'not_configured' }],
    ['2027-03-04T00:00:00Z', found({ expirationDateTime: renewed, topicIdentifier: 'com.apple.mgmt.External.0f0e0d0c-0b0a-4908-8706-050403020100', appleIdentifier: 'new-admin@contoso.com', certificateUploadStatus: 'failed', certificateUploadFailureReason: 'The certificate is not valid for this tenant' })],
  ];
  let state: AlertState = INITIAL_STATE;
  const events: AlertEvent[] = [];
  for (const [at, read] of steps) {
    const d = decideAlerts(state, read, { now: new Date(at), policy, tenant, newEpoch: '5a3c9e1f' });
    events.push(...d.alerts);
    state = d.next;
  }
  // Issue 15: the monitor's alerts about its own channels, built by the code that raises them.
  const since = '2027-03-05T08:00:00.000Z';
  const failingTeams = { ...newChannelHealth('teams'), lastAttemptAt: '2027-03-05T10:00:00.000Z', lastOutcome: 'failed' as const, lastError: 'teams answered 404 Not Found', consecutiveFailures: 3, failingSince: since, failingAlerted: true };
  const channelEvents = [
    channelAlertEvent({ channel: 'teams', due: 'failing', since, health: failingTeams }, tenant, new Date('2027-03-05T10:00:00Z')),
    channelAlertEvent({ channel: 'teams', due: 'recovered', since, health: newChannelHealth('teams') }, tenant, new Date('2027-03-06T10:00:00Z')),
  ];
  return [...events, { ...testEvent(tenant, new Date('2027-03-05T00:00:00Z')), id: 'apns-test-00000000-0000-4000-8000-000000000000' }, ...channelEvents];
}

/** An event whose Graph-supplied text tries to break out of cards and mail. */
export function hostileEvent(): AlertEvent {
  const base = sampleEvents()[2]!;
  return {
    ...base,
    tenant: 'Contoso <script>alert(1)</script> & "Sons"',
    appleIdentifier: '*admin*_[click](https://evil.example)_{{DATE(2017-02-14T06:08:39Z, SHORT)}}"},{"type":"Action.OpenUrl"@contoso.com',
    topicIdentifier: '# heading\n- list\n> quote `code` </td></tr></table><img src=x onerror=alert(1)>',
  };
}
