import type { AlertEvent } from '../../src/domain/alertEvent';
import { decideDeviceCertificates, INITIAL_DEVICE_CERT_STATE } from '../../src/subjects/device_certificate/rules';
import { DeviceCertificateScan } from '../../src/subjects/device_certificate/scan';

/**
 * Device-certificate alerts (issue 12) as the rules raise them: expiring, expired, revocation_failed,
 * monitor_failing and monitor_recovered, for schema and channel tests.
 */
export function deviceCertSampleEvents(): AlertEvent[] {
  const now = new Date('2027-03-01T09:00:00Z');
  const day = 86_400_000;
  const cert = (i: number, days: number, extra: Record<string, unknown> = {}) => ({
    managedDeviceDisplayName: `iPhone-${i}`,
    userPrincipalName: `user${i}@contoso.com`,
    certificateSubjectName: `CN=user${i}@contoso.com`,
    certificateIssuerName: i % 2 === 0 ? 'CN=Contoso Issuing CA 01,O=Contoso Ltd' : 'CN=Contoso SCEP CA',
    certificateExpirationDateTime: new Date(now.getTime() + days * day).toISOString(),
    certificateThumbprint: `${i.toString(16).padStart(4, '0')}A1B2C3D4E5F6`,
    certificateSerialNumber: `7F00000${i}`,
    certificateRevokeStatus: 'none',
    ...extra,
  });
  const scan = new DeviceCertificateScan(now, 30);
  scan.addPage([...Array.from({ length: 14 }, (_, i) => cert(i, 2.5 + i)), cert(20, -3), cert(21, 200, { certificateRevokeStatus: 'failed' })]);
  const ctx = { now, policy: { thresholdDays: [30, 14, 7, 1], criticalDays: 7, warningDays: 30 }, tenant: 'Contoso', listUrl: (d: number) => `https://apns-monitor.azurewebsites.net/api/device-certificates?withinDays=${d}&format=csv`, newEpoch: '7c7c7c7c' };
  const first = decideDeviceCertificates(INITIAL_DEVICE_CERT_STATE, { kind: 'complete', result: scan.finish() }, new Map(), ctx);
  const failed = { kind: 'failed' as const, error: 'GET /beta/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates: page 3: Graph answered 503', httpStatus: 503 };
  const f1 = decideDeviceCertificates(first.next, failed, null, ctx);
  const f2 = decideDeviceCertificates(f1.next, failed, null, ctx);
  const again = new DeviceCertificateScan(now, 30);
  again.addPage([cert(1, 100)]);
  const recovered = decideDeviceCertificates(f2.next, { kind: 'complete', result: again.finish() }, null, ctx);
  return [...first.alerts, ...f2.alerts, ...recovered.alerts.filter((a) => a.kind === 'monitor_recovered')];
}
