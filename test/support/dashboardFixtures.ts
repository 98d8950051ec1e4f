import { NOT_APPLICABLE, type AlertEvent, type AlertKind, type SubjectKind } from '../../src/domain/alertEvent';
import type { Severity } from '../../src/domain/status';
import type { HistoryEntry } from '../../src/storage/records';
import type { StatusDocument } from '../../src/status/statusDocument';

/**
 * Status documents and histories for the dashboard's tests, screenshots and render benchmark: every
 * section the page can show, with the awkward cases seen in use (a renewal to 365 days, the same
 * `expired` alert thirteen times in a row, a permission name with no break in it).
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
export const NOW = new Date('2027-03-01T08:00:00Z');
/** The push certificate expired three days before it was renewed, ten days before NOW. */
export const RENEWED_AT = new Date(NOW.getTime() - 10 * DAY);
const OLD_EXPIRY = new Date(RENEWED_AT.getTime() - 3 * DAY - 7 * HOUR);
const NEW_EXPIRY = new Date(RENEWED_AT.getTime() + 365 * DAY);
export const THRESHOLDS = [60, 30, 14, 7, 3, 1] as const;
export const LONG_PERMISSION = 'DeviceManagementServiceConfig.ReadWrite.All,DeviceManagementConfiguration.Read.All,DeviceManagementApps.Read.All';

const floorDays = (expiry: Date, at: Date) => Math.floor((expiry.getTime() - at.getTime()) / DAY);

export function alertEvent(kind: AlertKind, severity: Severity, at: Date, summary: string, subject: SubjectKind = 'apns', extra: Partial<AlertEvent> = {}): AlertEvent {
  return { ...NOT_APPLICABLE, id: `${subject}-${kind}-${at.toISOString()}`, kind, severity, subject, tenant: 'Contoso', summary, occurredAt: at.toISOString(), ...extra };
}

function check(at: Date): HistoryEntry {
  const renewed = at.getTime() >= RENEWED_AT.getTime();
  const expiry = renewed ? NEW_EXPIRY : OLD_EXPIRY;
  const days = floorDays(expiry, at);
  const status = days < 0 ? 'expired' : days <= 7 ? 'critical' : days <= 30 ? 'warning' : 'ok';
  return {
    type: 'check',
    at: at.toISOString(),
    check: { checkedAt: at.toISOString(), status, daysRemaining: days, certificate: null, error: null, lastGoodCheckAt: at.toISOString(), alertIds: [] },
  };
}

/**
 * `rows` history rows, newest first, a check every 6 hours back from NOW: the push certificate ran
 * down, crossed its thresholds, stayed expired for three days (an `expired` alert at every check)
 * and was renewed to 365 days ten days ago.
 */
export function dashboardHistory(rows: number, now: Date = NOW): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  const shift = now.getTime() - NOW.getTime();
  for (let i = 0; out.length < rows; i++) {
    const at = new Date(NOW.getTime() - i * 6 * HOUR);
    const entry = check(at);
    const days = entry.type === 'check' ? entry.check.daysRemaining! : 0;
    const before = check(new Date(at.getTime() - 6 * HOUR));
    const daysBefore = before.type === 'check' ? before.check.daysRemaining! : 0;
    const alerts: HistoryEntry[] = [];
    if (at.getTime() >= RENEWED_AT.getTime() && at.getTime() - 6 * HOUR < RENEWED_AT.getTime()) {
      alerts.push({ type: 'alert', at: at.toISOString(), alert: alertEvent('renewed', 'info', at, `Contoso: the APNs certificate was renewed and now expires ${NEW_EXPIRY.toISOString().slice(0, 10)}.`) });
      out.push({
        type: 'renewal',
        at: RENEWED_AT.toISOString(),
        renewal: {
          at: RENEWED_AT.toISOString(),
          previous: { appleIdentifier: 'intune-apns@contoso.com', topicIdentifier: 'com.apple.mgmt.External.8b9f2a3c', expirationDateTime: OLD_EXPIRY.toISOString(), certificateSerialNumber: '5A1B' },
          uploaded: { appleIdentifier: 'intune-apns@contoso.com', topicIdentifier: 'com.apple.mgmt.External.8b9f2a3c', expirationDateTime: NEW_EXPIRY.toISOString(), certificateSerialNumber: '6C2D' },
          auth: 'device-code',
          newTopicAllowed: false,
          appleIdChangeAllowed: false,
        },
      });
    } else if (days < 0) {
      alerts.push({ type: 'alert', at: at.toISOString(), alert: alertEvent('expired', 'critical', at, `Contoso: the APNs certificate expired ${OLD_EXPIRY.toISOString().slice(0, 10)}. Renew it with the same Apple ID within ${30 + days} days, or every device must re-enroll.`) });
    } else {
      const crossed = THRESHOLDS.find((t) => days <= t && daysBefore > t);
      if (crossed !== undefined) {
        alerts.push({ type: 'alert', at: at.toISOString(), alert: alertEvent('expiring', crossed <= 7 ? 'critical' : 'warning', at, `Contoso: the APNs certificate expires in ${days} day${days === 1 ? '' : 's'}.`, 'apns', { thresholdDays: crossed, daysRemaining: days }) });
      }
    }
    for (const a of alerts) out.push(a);
    out.push(entry);
  }
  const rowsOut = out.slice(0, rows);
  if (shift === 0) return rowsOut;
  // Moved so the newest row is `now` (the browser test's live host shows times relative to today).
  return JSON.parse(JSON.stringify(rowsOut), (k, v) => (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) && k !== 'expirationDateTime' ? new Date(Date.parse(v) + shift).toISOString() : v)) as HistoryEntry[];
}

/** A status document with every section filled: credentials, incidents, silences, channels, device certificates. */
export function operatorDocument(now: Date = NOW): StatusDocument {
  const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR).toISOString();
  const inDays = (d: number) => new Date(now.getTime() + d * DAY + 2 * HOUR).toISOString();
  return {
    status: 'critical',
    daysRemaining: 355,
    checkedAt: at(1),
    lastGoodCheckAt: at(1),
    stale: false,
    certificate: {
      id: 'c4c8f047-f047-c4c8-47f0-c8c447f0c8c4',
      appleIdentifier: 'intune-apns@contoso.com',
      topicIdentifier: 'com.apple.mgmt.External.8b9f2a3c-1d2e-4f50-9a6b-7c8d9e0f1a2b',
      expirationDateTime: inDays(355),
      lastModifiedDateTime: at(240),
      certificateSerialNumber: '6C2D4E8F0A1B3C5D',
      certificateUploadStatus: null,
      certificateUploadFailureReason: null,
    },
    lastError: null,
    nextThresholdDays: 60,
    tenant: 'Contoso',
    openIncidents: [
      {
        id: 'ade_token-token_invalid-20270228-000001',
        kind: 'token_invalid',
        severity: 'critical',
        openedAt: at(20),
        summary: 'Contoso: the ADE token "Contoso ADE" is no longer valid: new devices cannot enroll until it is renewed.',
        subject: 'ade_token',
        subjectId: 'ade-1',
      },
    ],
    deliveryFailures: [{ at: at(30), alertId: 'vpp_token-expiring-30-20270227', kind: 'expiring', channel: 'email', detail: `Graph refused the message (403): the app lacks Mail.Send; granted: ${LONG_PERMISSION}` }],
    subjects: [
      { subject: 'apns', id: null, name: 'Apple MDM push certificate', status: 'ok', daysRemaining: 355, expirationDateTime: inDays(355), appleIdentifier: 'intune-apns@contoso.com', state: null, lastSyncDateTime: null, error: null },
      { subject: 'vpp_token', id: 'vpp-1', name: 'Contoso Apps and Books (education, all schools in the north-east district)', status: 'warning', daysRemaining: 12, expirationDateTime: inDays(12), appleIdentifier: 'vpp-admin@contoso.com', state: 'valid', lastSyncDateTime: at(5), error: null },
      { subject: 'vpp_token', id: 'vpp-2', name: 'Contoso Apps (staff)', status: 'ok', daysRemaining: 40, expirationDateTime: inDays(40), appleIdentifier: 'vpp-staff@contoso.com', state: 'valid', lastSyncDateTime: at(5), error: null },
      { subject: 'ade_token', id: 'ade-1', name: 'Contoso ADE', status: 'critical', daysRemaining: 3, expirationDateTime: inDays(3), appleIdentifier: 'ade@contoso.com', state: null, lastSyncDateTime: at(50), error: `Graph answered 403: the app lacks ${LONG_PERMISSION}` },
    ],
    silences: [
      { id: 'sil-7f3a', subject: 'vpp_token', subjectId: 'vpp-1', kind: 'expiring', until: inDays(4), reason: 'Renewal booked with the Apple School Manager admin for Friday', createdBy: 'Alex (on call)', createdAt: at(3) },
      { id: 'sil-9b21', subject: 'apns', subjectId: null, kind: null, until: inDays(1), reason: 'Maintenance window', createdBy: null, createdAt: at(2) },
    ],
    channels: [
      { channel: 'teams', lastAttemptAt: at(1), lastOutcome: 'delivered', lastError: null, lastDeliveredAt: at(1), consecutiveFailures: 0, failingSince: null },
      { channel: 'email', lastAttemptAt: at(1), lastOutcome: 'failed', lastError: `Graph refused the message (403): the app lacks Mail.Send; granted: ${LONG_PERMISSION}`, lastDeliveredAt: at(80), consecutiveFailures: 3, failingSince: at(30) },
      { channel: 'webhook', lastAttemptAt: null, lastOutcome: null, lastError: null, lastDeliveredAt: null, consecutiveFailures: 0, failingSince: null },
    ],
    deviceCertificates: {
      scannedAt: at(2),
      scanned: 12_480,
      superseded: 3_102,
      totalAtRisk: 214,
      expired: 9,
      revocationFailed: 2,
      earliestExpirationDateTime: at(400),
      buckets: { expired: 9, '0-1': 4, '2-7': 31, '8-14': 52, '15-30': 127, '31+': 0 },
      issuers: [
        { issuerName: 'CN=Contoso Issuing CA 01,OU=PKI,O=Contoso Ltd,L=Redmond,S=Washington,C=US', count: 160, earliestExpirationDateTime: at(400) },
        { issuerName: 'CN=Contoso SCEP CA', count: 54, earliestExpirationDateTime: inDays(1) },
      ],
      byBucketAndIssuer: [],
      lastError: null,
    },
  };
}
