import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { deviceCertificateMetrics } from '../../src/metrics/deviceCertificates';
import { renderPrometheus } from '../../src/metrics/prometheus';
import type { DeviceCertificateSummary } from '../../src/subjects/device_certificate/model';

function promtoolPresent(): boolean {
  const r = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}
const present = promtoolPresent();
// CI installs promtool (Debian package `prometheus`): there its absence is a failure, not a skip.
const inCi = process.env['CI'] === 'true';

function checkMetrics(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const hostile = 'CN=Contoso "Sons" \\ CA\nfake_metric 2 # ü 🍎 \uD800 lone';
const tenant = 'contoso.onmicrosoft.com "x"\n';

const summary: DeviceCertificateSummary = {
  scannedAt: '2027-03-01T12:00:00.000Z',
  scanned: 200_000,
  superseded: 10_000,
  totalAtRisk: 4_000,
  expired: 1_000,
  revocationFailed: 3,
  earliestExpirationDateTime: '2027-01-20T08:00:00.500Z',
  buckets: { expired: 1000, '0-1': 1000, '2-7': 1000, '8-14': 1000, '15-30': 1000, '31+': 0 },
  issuers: [
    { issuerName: 'CN=Contoso SCEP CA', count: 3000, earliestExpirationDateTime: '2027-01-20T08:00:00.500Z' },
    { issuerName: hostile, count: 2000, earliestExpirationDateTime: '2027-02-01T00:00:00.000Z' },
  ],
  byBucketAndIssuer: [
    { bucket: 'expired', issuerName: 'CN=Contoso SCEP CA', count: 600 },
    { bucket: '0-1', issuerName: 'CN=Contoso SCEP CA', count: 1000 },
    // Two entries for the same series (a merge of "(other issuers)", say) are one series, summed.
    { bucket: '2-7', issuerName: 'CN=Contoso SCEP CA', count: 700 },
    { bucket: '2-7', issuerName: 'CN=Contoso SCEP CA', count: 700 },
    { bucket: 'expired', issuerName: hostile, count: 400 },
    { bucket: '15-30', issuerName: hostile, count: 1600 },
    // Read back from storage: a bucket this version does not know is left out, a broken count is 0.
    { bucket: 'someday' as never, issuerName: hostile, count: 5 },
    { bucket: '8-14', issuerName: 'CN=Broken', count: Number.NaN },
  ],
  lastError: null,
};

function series(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`));
}

describe('device certificate metrics', () => {
  test('device_certificates_at_risk: every bucket of every issuer, zeros included, duplicates summed', () => {
    const text = deviceCertificateMetrics(summary, 'contoso');
    const atRisk = series(text, 'device_certificates_at_risk');
    expect(atRisk).toHaveLength(3 * 6);
    expect(atRisk).toContain('device_certificates_at_risk{tenant="contoso",bucket="2-7",issuer="CN=Contoso SCEP CA"} 1400');
    expect(atRisk).toContain('device_certificates_at_risk{tenant="contoso",bucket="8-14",issuer="CN=Contoso SCEP CA"} 0');
    expect(atRisk).toContain('device_certificates_at_risk{tenant="contoso",bucket="8-14",issuer="CN=Broken"} 0');
    expect(atRisk.filter((l) => l.includes('someday'))).toEqual([]);
    // The hostile issuer is one label value: its quote, backslash and newline are escaped, nothing breaks out.
    expect(atRisk).toContain('device_certificates_at_risk{tenant="contoso",bucket="15-30",issuer="CN=Contoso \\"Sons\\" \\\\ CA\\nfake_metric 2 # ü 🍎 \uFFFD lone"} 1600');
    expect(text.split('\n').some((l) => l.startsWith('fake_metric'))).toBe(false);
  });

  test('the totals, the failed revocations and the scan, each with the tenant label', () => {
    const text = deviceCertificateMetrics(summary, 'contoso');
    expect(series(text, 'device_certificates_expiring')).toEqual(['device_certificates_expiring{tenant="contoso"} 4000']);
    expect(series(text, 'device_certificates_expired')).toEqual(['device_certificates_expired{tenant="contoso"} 1000']);
    expect(series(text, 'device_certificates_revocation_failed')).toEqual(['device_certificates_revocation_failed{tenant="contoso"} 3']);
    expect(series(text, 'device_certificates_superseded')).toEqual(['device_certificates_superseded{tenant="contoso"} 10000']);
    expect(series(text, 'device_certificates_scanned')).toEqual(['device_certificates_scanned{tenant="contoso"} 200000']);
    expect(series(text, 'device_certificates_earliest_expiry_timestamp_seconds')).toEqual(['device_certificates_earliest_expiry_timestamp_seconds{tenant="contoso"} 1800432000.5']);
    expect(series(text, 'device_certificates_last_scan_timestamp_seconds')).toEqual(['device_certificates_last_scan_timestamp_seconds{tenant="contoso"} 1803902400']);
    expect(series(text, 'device_certificates_last_scan_success')).toEqual(['device_certificates_last_scan_success{tenant="contoso"} 1']);
    expect(deviceCertificateMetrics(summary, null)).toContain('device_certificates_expired{tenant=""} 1000');
  });

  test('a failed scan says so and keeps the previous complete scan\'s counts; before any scan the counts are left out, not zero', () => {
    const failed = deviceCertificateMetrics({ ...summary, lastError: 'Graph answered 403' }, 'contoso');
    expect(series(failed, 'device_certificates_last_scan_success')).toEqual(['device_certificates_last_scan_success{tenant="contoso"} 0']);
    expect(series(failed, 'device_certificates_expired')).toEqual(['device_certificates_expired{tenant="contoso"} 1000']);

    const never = { ...summary, scannedAt: null, lastError: null };
    const none = deviceCertificateMetrics(never, 'contoso');
    expect(none.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual([]);
    const neverButFailed = deviceCertificateMetrics({ ...never, lastError: 'Graph answered 403' }, 'contoso');
    expect(neverButFailed.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual(['device_certificates_last_scan_success{tenant="contoso"} 0']);
  });

  test.skipIf(!present && !inCi)('promtool check metrics accepts it alone and appended to /api/metrics, with no lint warnings', () => {
    expect(present, 'promtool is not installed (apt-get install -y prometheus)').toBe(true);
    for (const s of [summary, { ...summary, scannedAt: null }, { ...summary, lastError: 'x', issuers: [], byBucketAndIssuer: [] }]) {
      const text = deviceCertificateMetrics(s, tenant);
      expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
      const full = renderPrometheus({ credentials: [], monitor: { tenant, lastCheckAt: '2027-03-01T12:00:00.000Z', lastCheckSucceeded: true, openIncidents: 0 } }) + text;
      expect(checkMetrics(full)).toEqual({ status: 0, output: '' });
    }
  });

  test.skipIf(!present)('the checker is real: the same output with the label escaping undone is rejected', () => {
    const text = deviceCertificateMetrics(summary, 'contoso');
    expect(text).toContain('\\"Sons\\"');
    expect(checkMetrics(text.replace('\\"Sons\\"', '"Sons"')).status).not.toBe(0);
  });
});
