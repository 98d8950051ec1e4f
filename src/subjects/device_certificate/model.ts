/**
 * Device certificates (issue 12): the shapes shared by the scan, the stored list and what shows it
 * (CLI, /api/device-certificates, status, dashboard, metrics). The scan writes them; everything
 * else only reads them, so pages and the list never call Graph.
 */

/** One certificate of the stored at-risk list: not superseded, expiring within the largest threshold, or expired. */
export interface AtRiskCertificate {
  /** managedDeviceDisplayName */
  deviceName: string;
  userPrincipalName: string;
  /** certificateSubjectName */
  subjectName: string;
  /** certificateIssuerName */
  issuerName: string;
  /** certificateExpirationDateTime, ISO 8601 UTC */
  expirationDateTime: string;
  /** certificateThumbprint: the certificate's identity in the list and in "once per threshold" */
  thumbprint: string;
  /** certificateSerialNumber */
  serialNumber: string;
}

/**
 * Disjoint buckets of whole days remaining (floored, as for the push certificate), as the dashboard
 * and `device_certificates_at_risk{bucket}` show them. `31+` only fills when a threshold is above 30.
 */
export const DEVICE_CERT_BUCKETS = ['expired', '0-1', '2-7', '8-14', '15-30', '31+'] as const;
export type DeviceCertBucket = (typeof DEVICE_CERT_BUCKETS)[number];

/** At-risk certificates of one issuer. */
export interface IssuerAtRisk {
  issuerName: string;
  /** Not superseded and expiring within the largest threshold, expired ones included. */
  count: number;
  earliestExpirationDateTime: string;
}

/** What the last complete scan found, as status, dashboard and metrics show it. */
export interface DeviceCertificateSummary {
  /** When the last complete scan ended; null before the first one. */
  scannedAt: string | null;
  /** Certificates read in that scan, and how many of them another certificate supersedes. */
  scanned: number;
  superseded: number;
  /** Not superseded, not expired, expiring within the largest threshold. */
  totalAtRisk: number;
  /** Not superseded and already expired. */
  expired: number;
  /** Certificates whose certificateRevokeStatus is `failed`. */
  revocationFailed: number;
  earliestExpirationDateTime: string | null;
  /**
   * The earliest expiry still to come (expired ones left out): what the subject's status and days left
   * are judged by. Absent in summaries stored before it existed.
   */
  earliestUpcomingExpirationDateTime?: string | null;
  /** Counts per bucket, computed at scan time (each reader recomputes days from the list when it needs "now"). */
  buckets: Record<DeviceCertBucket, number>;
  /** Per issuer, most at risk first (bounded: at most 50 issuers, the rest summed as "(other issuers)"). */
  issuers: IssuerAtRisk[];
  /** Per bucket and issuer, for `device_certificates_at_risk{bucket,issuer}` (same bound on issuers). */
  byBucketAndIssuer: Array<{ bucket: DeviceCertBucket; issuerName: string; count: number }>;
  /** The last scan's error, when it failed (the counts above are then the previous complete scan's). */
  lastError: string | null;
}
