import type { AlertKind, SubjectKind } from '../domain/alertEvent';

/**
 * Issue 15: what the operator sees beside the credentials. The silences and the channels' health are
 * written by their own modules and only read by status, dashboard and CLI; these are the shapes they agree on.
 */

/** "I know, stop repeating until Friday": matching alerts are recorded (marked silenced) but not delivered. */
export interface Silence {
  id: string;
  subject: SubjectKind;
  /** One credential of that subject (a token id); null silences the whole subject. */
  subjectId: string | null;
  /** One alert kind; null silences every kind (critical incidents are never held back). */
  kind: AlertKind | null;
  /** ISO 8601 UTC; the silence ends by itself then. */
  until: string;
  reason: string;
  createdBy: string | null;
  createdAt: string;
}

export type ChannelOutcome = 'delivered' | 'retrying' | 'failed';

/** One notification channel's recent record, as status and the dashboard show it. */
export interface ChannelHealth {
  /** The channel's stable name (teams, email, webhook, notify-function); never its URL. */
  channel: string;
  lastAttemptAt: string | null;
  lastOutcome: ChannelOutcome | null;
  /** Redacted: no URL, key or token ever appears here. */
  lastError: string | null;
  lastDeliveredAt: string | null;
  /** Deliveries in a row that failed for good. */
  consecutiveFailures: number;
  /** When the current run of failures began; null while the channel works. */
  failingSince: string | null;
}
