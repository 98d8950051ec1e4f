import { createHmac } from 'node:crypto';
import type { WebhookConfig } from '../config';
import type { AlertEvent } from '../domain/alertEvent';
import { DEFAULT_HTTP_TIMEOUT_MS, fingerprint, postForDelivery } from './httpDelivery';
import { signedHeaders } from './standardWebhooks';
import type { DeliveryOutcome, Notifier } from './notifier';

export const SIGNATURE_HEADER = 'X-Signature-256';

/** GitHub-style signature over the exact bytes sent, so a receiver can verify before parsing. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * The generic webhook: the alert event as JSON, signed with WEBHOOK_SECRET: GitHub-style
 * X-Signature-256 and/or the Standard Webhooks headers (WEBHOOK_SIGNATURE). The Standard Webhooks id
 * is the event id, the same on every retry, so a receiver can drop duplicates.
 */
export class WebhookNotifier implements Notifier {
  readonly name = 'webhook';
  readonly target: string;

  constructor(
    private readonly config: WebhookConfig,
    private readonly timeoutMs = DEFAULT_HTTP_TIMEOUT_MS,
  ) {
    this.target = fingerprint(config.url);
  }

  notify(event: AlertEvent): Promise<DeliveryOutcome> {
    const body = JSON.stringify(event);
    const scheme = this.config.signature;
    return postForDelivery(this.name, this.config.url, body, {
      ...(scheme === 'standard' ? {} : { [SIGNATURE_HEADER]: signBody(this.config.secret, body) }),
      ...(scheme === 'github' ? {} : signedHeaders(this.config.secret, body, new Date(), event.id)),
      'X-Apns-Monitor-Event': event.kind,
      'Idempotency-Key': event.id,
    }, this.timeoutMs);
  }
}
