import type { Severity } from './status';

export const ALERT_KINDS = [
  'expiring',
  'expired',
  'renewed',
  'topic_changed',
  'apple_id_changed',
  'upload_failed',
  'removed',
  'monitor_failing',
  'monitor_recovered',
  'test',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** The values a change alert moved away from, so a reader can see what was there before. */
export interface PreviousValues {
  appleIdentifier: string | null;
  topicIdentifier: string | null;
  expirationDateTime: string | null;
}

/**
 * One alert, as every channel receives it (documented in docs/alert-event.schema.json). `id` is a
 * stable idempotency key: the same alert for the same certificate always has the same id.
 */
export interface AlertEvent {
  id: string;
  kind: AlertKind;
  severity: Severity;
  subject: 'apns';
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
}
