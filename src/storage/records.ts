import type { AlertEvent } from '../domain/alertEvent';
import type { ApnsCertificate } from '../domain/certificate';
import type { CertificateStatus } from '../domain/status';

/** What one check found, as stored in history and as the last check on the state entity. */
export interface CheckRecord {
  checkedAt: string;
  status: CertificateStatus;
  daysRemaining: number | null;
  certificate: ApnsCertificate | null;
  error: string | null;
  /** The last check that could read Graph (this one, when it could). */
  lastGoodCheckAt: string | null;
  alertIds: string[];
}

/** `excluded`: never sent to this channel by design (a channel_failing alert about the channel itself). */
export type DeliveryStatus = 'delivered' | 'retry' | 'failed' | 'excluded';

export interface ChannelDelivery {
  status: DeliveryStatus;
  at: string;
  detail: string | null;
  /** Fingerprint of the channel's target: a failed-for-good alert is tried again once it changes. */
  target: string;
  attempts: number;
  notBefore: string | null;
}

/**
 * A silence matched this alert when it was raised (issue 15). `held`: it is recorded but never delivered,
 * now or after the silence ends. Not held: the alert opens a critical incident, so it went out anyway
 * and the silence is only noted.
 */
export interface SilenceNote {
  /** The silence's id. */
  id: string;
  until: string;
  reason: string;
  held: boolean;
  /** Who added the silence (`--by`), when they said; absent on notes written before it was kept. */
  by?: string;
}

/** An alert waiting in (or done with) the outbox, with each channel's delivery. */
export interface OutboxEntry {
  event: AlertEvent;
  createdAt: string;
  pending: boolean;
  /** The silence that matched it when it was raised, if any (absent on rows written before silences). */
  silence?: SilenceNote | null;
  deliveries: Record<string, ChannelDelivery>;
  /** Per channel: until when a run holds it while it sends, so no other run sends it meanwhile. */
  claims: Record<string, string>;
  etag: string;
}

/** A person closed open incidents (`apns-monitor ack`, POST /api/ack). */
export interface AckRecord {
  at: string;
  ids: string[];
  kinds: string[];
  by: string | null;
  note: string | null;
}

/** A channel refused an alert for good: it is not retried at that target, and people must see it. */
export interface DeliveryFailureRecord {
  at: string;
  alertId: string;
  kind: string;
  channel: string;
  detail: string | null;
}

/** The push certificate seen on one side of a renewal (`apns-monitor renew upload`). */
export interface RenewedCertificate {
  appleIdentifier: string | null;
  topicIdentifier: string | null;
  expirationDateTime: string;
  certificateSerialNumber: string | null;
}

/** A person uploaded a renewed push certificate through `apns-monitor renew upload`, and Graph confirmed it. */
export interface RenewalRecord {
  at: string;
  previous: RenewedCertificate;
  uploaded: RenewedCertificate;
  /** How the uploader signed in: `device-code` (a person) or `app` (the environment's credential). */
  auth: 'device-code' | 'app';
  /** An override was used: a new topic (devices must re-enroll) or another Apple ID. */
  newTopicAllowed: boolean;
  appleIdChangeAllowed: boolean;
}

export type HistoryEntry =
  | { type: 'check'; at: string; check: CheckRecord }
  | { type: 'alert'; at: string; alert: AlertEvent; silence?: SilenceNote }
  | { type: 'ack'; at: string; ack: AckRecord }
  | { type: 'delivery_failed'; at: string; failure: DeliveryFailureRecord }
  | { type: 'renewal'; at: string; renewal: RenewalRecord };
