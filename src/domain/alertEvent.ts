import type { Severity } from './status';

export const ALERT_KINDS = [
  'expiring',
  'expired',
  'renewed',
  'topic_changed',
  'apple_id_changed',
  'upload_failed',
  'removed',
  'token_invalid',
  'sync_failed',
  'sync_stale',
  'sync_recovered',
  'revocation_failed',
  'monitor_failing',
  'monitor_recovered',
  'channel_failing',
  'channel_recovered',
  'test',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * What the monitor watches: the MDM push certificate, VPP tokens, ADE tokens, and (issue 12) the
 * certificates Intune deployed to managed devices, as one subject.
 */
export const SUBJECT_KINDS = ['apns', 'vpp_token', 'ade_token', 'device_certificate'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** The values a change alert moved away from, so a reader can see what was there before. */
export interface PreviousValues {
  appleIdentifier: string | null;
  topicIdentifier: string | null;
  expirationDateTime: string | null;
}

/** Device certificates of one issuer in an aggregated alert (issue 12). */
export interface CertificateGroup {
  issuerName: string;
  count: number;
  earliestExpirationDateTime: string;
}

/** One device certificate named in an aggregated alert (issue 12). */
export interface CertificateSample {
  deviceName: string;
  userPrincipalName: string;
  subjectName: string;
  expirationDateTime: string;
}

/**
 * One alert, as every channel receives it (documented in alert-event.schema.json). `id` is a stable
 * idempotency key: the same occurrence always has the same id.
 *
 * The fields added for tokens are optional in the type because events written before them (and the
 * notify function's older callers) do not carry them: a missing one reads as null. The monitor itself
 * always sends them, null where they do not apply.
 */
export interface AlertEvent {
  id: string;
  kind: AlertKind;
  severity: Severity;
  subject: SubjectKind;
  /** The Graph id of the token; null for the push certificate (there is one per tenant). */
  subjectId: string | null;
  /** A name for people; names need not be unique, ids are. */
  subjectName: string | null;
  tenant: string | null;
  summary: string;
  occurredAt: string;
  thresholdDays: number | null;
  daysRemaining: number | null;
  expirationDateTime: string | null;
  appleIdentifier: string | null;
  topicIdentifier: string | null;
  certificateSerialNumber: string | null;
  graceEndsDateTime: string | null;
  graceDaysRemaining: number | null;
  previous: PreviousValues | null;
  error: string | null;
  /** VPP: the token's state as Graph reports it (valid, expired, invalid, assignedToExternalMDM, …). */
  state: string | null;
  /** VPP: the last sync; ADE: the last successful sync. */
  lastSyncDateTime: string | null;
  /** ADE: lastSyncErrorCode when it is not 0. */
  syncErrorCode: number | null;
  /**
   * Device certificates (issue 12): one alert stands for many certificates. `count`: the certificates
   * this alert is about (newly crossed the threshold, expired, or whose revocation failed); `totalAtRisk`:
   * every certificate not superseded, not expired and within the largest threshold. Null (or absent)
   * for other subjects.
   */
  count?: number | null;
  totalAtRisk?: number | null;
  earliestExpirationDateTime?: string | null;
  /** Up to 10 issuers, most certificates first. */
  groups?: CertificateGroup[] | null;
  /** Up to 10 certificates, earliest expiry first. */
  sample?: CertificateSample[] | null;
  /** The full list (GET /api/device-certificates), when the app knows its public address. */
  listUrl?: string | null;
}

/** The fields an alert leaves null when they do not apply: a base every producer spreads its own over. */
export const NOT_APPLICABLE = {
  tenant: null,
  thresholdDays: null,
  daysRemaining: null,
  expirationDateTime: null,
  appleIdentifier: null,
  topicIdentifier: null,
  certificateSerialNumber: null,
  graceEndsDateTime: null,
  graceDaysRemaining: null,
  previous: null,
  error: null,
  subjectId: null,
  subjectName: null,
  state: null,
  lastSyncDateTime: null,
  syncErrorCode: null,
  count: null,
  totalAtRisk: null,
  earliestExpirationDateTime: null,
  groups: null,
  sample: null,
  listUrl: null,
} as const satisfies Partial<AlertEvent>;
