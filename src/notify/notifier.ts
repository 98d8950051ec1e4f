import type { AlertEvent } from '../domain/alertEvent';

/** What a channel did with an alert. Only `retry-later` is tried again with the same target. */
export type DeliveryOutcome =
  | { result: 'delivered' }
  | { result: 'retry-later'; reason: string; retryAfterSeconds: number | null }
  | { result: 'failed-for-good'; reason: string };

/** One notification channel (Teams, email, webhook, the notify function). */
export interface Notifier {
  /** Stable channel name; deliveries are recorded per name. */
  readonly name: string;
  /** A non-secret fingerprint of where it sends, so a changed target retries failed-for-good alerts. */
  readonly target: string;
  notify(event: AlertEvent): Promise<DeliveryOutcome>;
}
