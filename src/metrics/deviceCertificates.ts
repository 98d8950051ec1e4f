import { DEVICE_CERT_BUCKETS, type DeviceCertBucket, type DeviceCertificateSummary } from '../subjects/device_certificate/model';
import { escapeLabelValue } from './prometheus';

/**
 * The device certificate subject's last scan as Prometheus text (format 0.0.4), appended by /api/metrics
 * after renderPrometheus' output. Pure, from the stored summary only. Same conventions as prometheus.ts:
 * gauges, base units, a `tenant` label on every series, label values escaped, nothing for an unknown instant.
 */

function labels(pairs: Record<string, string | null>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabelValue(v ?? '')}"`)
    .join(',')}}`;
}

/** A count read back from storage: a whole number ≥ 0, whatever was stored. */
function count(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.trunc(n)) : 0;
}

function seconds(iso: string | null): string | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : String(ms / 1000);
}

const BUCKET_SET: ReadonlySet<string> = new Set(DEVICE_CERT_BUCKETS);

/**
 * `device_certificates_at_risk{tenant,bucket,issuer}`: every bucket for every issuer that has an at-risk
 * certificate, zeros included, so a bucket that empties shows 0 instead of vanishing. Entries for the same
 * bucket and issuer are summed (two would be a duplicate series, which Prometheus rejects).
 */
function atRiskSamples(summary: DeviceCertificateSummary, tenant: string | null): string[] {
  const byIssuer = new Map<string, Map<DeviceCertBucket, number>>();
  const issuer = (name: string): Map<DeviceCertBucket, number> => {
    let m = byIssuer.get(name);
    if (m === undefined) byIssuer.set(name, (m = new Map()));
    return m;
  };
  for (const i of summary.issuers) issuer(i.issuerName);
  for (const e of summary.byBucketAndIssuer) {
    if (!BUCKET_SET.has(e.bucket)) continue;
    const m = issuer(e.issuerName);
    m.set(e.bucket, (m.get(e.bucket) ?? 0) + count(e.count));
  }
  const samples: string[] = [];
  for (const [name, buckets] of byIssuer) {
    for (const bucket of DEVICE_CERT_BUCKETS) samples.push(`device_certificates_at_risk${labels({ tenant, bucket, issuer: name })} ${buckets.get(bucket) ?? 0}`);
  }
  return samples;
}

interface Family {
  name: string;
  help: string;
  samples: string[];
}

export function deviceCertificateMetrics(summary: DeviceCertificateSummary, tenant: string | null): string {
  const t = labels({ tenant });
  // Before the first complete scan the counts are unknown, not zero: their series are left out.
  const known = summary.scannedAt !== null;
  const one = (name: string, value: number | string | null): string[] => (value === null ? [] : [`${name}${t} ${value}`]);
  const counted = (name: string, value: number): string[] => (known ? one(name, count(value)) : []);
  const scannedAt = seconds(summary.scannedAt);
  // Before the first scan there is nothing to say about its success; after one, an error means the last scan failed.
  const success = summary.scannedAt === null && summary.lastError === null ? null : summary.lastError === null ? 1 : 0;
  const families: Family[] = [
    {
      name: 'device_certificates_at_risk',
      help: 'Device certificates nothing supersedes, expired or expiring within the largest threshold, by bucket of whole days remaining and issuer.',
      samples: known ? atRiskSamples(summary, tenant) : [],
    },
    { name: 'device_certificates_expiring', help: 'Device certificates nothing supersedes, not expired, expiring within the largest threshold.', samples: counted('device_certificates_expiring', summary.totalAtRisk) },
    { name: 'device_certificates_expired', help: 'Device certificates nothing supersedes that have expired.', samples: counted('device_certificates_expired', summary.expired) },
    { name: 'device_certificates_revocation_failed', help: 'Device certificates whose revocation failed (certificateRevokeStatus failed).', samples: counted('device_certificates_revocation_failed', summary.revocationFailed) },
    { name: 'device_certificates_superseded', help: 'Device certificates a renewed certificate for the same device, user, subject and issuer supersedes.', samples: counted('device_certificates_superseded', summary.superseded) },
    { name: 'device_certificates_scanned', help: 'Device certificates read by the last complete scan.', samples: counted('device_certificates_scanned', summary.scanned) },
    {
      name: 'device_certificates_earliest_expiry_timestamp_seconds',
      help: 'When the first at-risk device certificate expires (or expired), as a Unix timestamp.',
      samples: known ? one('device_certificates_earliest_expiry_timestamp_seconds', seconds(summary.earliestExpirationDateTime)) : [],
    },
    { name: 'device_certificates_last_scan_timestamp_seconds', help: 'When the last complete scan of device certificates ended, as a Unix timestamp.', samples: one('device_certificates_last_scan_timestamp_seconds', scannedAt) },
    { name: 'device_certificates_last_scan_success', help: 'Whether the last scan of device certificates read every page (1) or not (0).', samples: one('device_certificates_last_scan_success', success) },
  ];
  return families.map((f) => [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`, ...f.samples].join('\n')).join('\n') + '\n';
}
