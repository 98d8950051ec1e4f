import { expect, test } from 'vitest';
import { statusLine, type StatusView } from '../../src/cli/format';

const cert = { id: 'x', appleIdentifier: 'a@contoso.com', topicIdentifier: 't', expirationDateTime: '2027-03-01T09:00:00.000Z', lastModifiedDateTime: null, certificateSerialNumber: null, certificateUploadStatus: null, certificateUploadFailureReason: null };
const view = (v: Partial<StatusView>): StatusView => ({ status: 'ok', daysRemaining: 90, certificate: cert, error: null, tenant: null, warningDays: 30, criticalDays: 7, ...v });

test.each([
  [view({}), 'APNS OK - expires 2027-03-01 (90 days) - Apple ID a@contoso.com | days_remaining=90;30;7'],
  [view({ status: 'critical', daysRemaining: 1, tenant: 'Contoso', alertsSent: 1 }), 'APNS CRITICAL - expires 2027-03-01 (1 day) - Apple ID a@contoso.com - tenant Contoso - 1 alert raised | days_remaining=1;30;7'],
  [view({ status: 'expired', daysRemaining: -1 }), 'APNS CRITICAL - EXPIRED 2027-03-01 (29 days left to renew) - Apple ID a@contoso.com | days_remaining=-1;30;7'],
  [view({ status: 'expired', daysRemaining: -31 }), 'APNS CRITICAL - EXPIRED 2027-03-01 (renewal grace period over: re-enroll devices) - Apple ID a@contoso.com | days_remaining=-31;30;7'],
  [view({ status: 'not_configured', daysRemaining: null, certificate: null }), 'APNS OK - no Apple MDM push certificate is configured in Intune'],
  [view({ status: 'unknown', daysRemaining: null, certificate: null, error: 'Graph answered 403' }), 'APNS UNKNOWN - Graph answered 403'],
])('%#', (v, line) => {
  expect(statusLine(v)).toBe(line);
});
