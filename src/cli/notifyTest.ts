import { randomUUID } from 'node:crypto';
import type { MonitorConfig } from '../config';
import { NOT_APPLICABLE, type AlertEvent } from '../domain/alertEvent';
import type { Notifier } from '../notify/notifier';
import { sendToNotifyFunction } from '../notify/notifyFunction';
import type { Redactor } from '../redact';

export interface ChannelReport {
  channel: string;
  outcome: string;
  detail: string | null;
}

export function testEvent(tenant: string | null, now: Date): AlertEvent {
  return {
    ...NOT_APPLICABLE,
    id: `apns-test-${randomUUID()}`,
    kind: 'test',
    severity: 'info',
    subject: 'apns',
    tenant,
    summary: `Test message from apns-expiry-monitor${tenant === null ? '' : ` for ${tenant}`}: if you can read this, alerts about the Apple MDM push certificate reach this channel.`,
    occurredAt: now.toISOString(),
  };
}

/**
 * Sends one `test` event to every configured channel (through the notify function when NOTIFY_URL is
 * set, so the deployed path is what gets tested) and reports each channel's outcome.
 */
export async function sendTestEvent(config: MonitorConfig, channels: readonly Notifier[], redact: Redactor, now: Date): Promise<ChannelReport[]> {
  const event = testEvent(config.tenantName, now);
  if (config.notify !== null) {
    const { outcome, report } = await sendToNotifyFunction(config.notify, event, config.httpTimeoutMs);
    if (report !== null) return report.channels.map((c) => ({ ...c, detail: c.detail === null ? null : redact(c.detail) }));
    return [{ channel: 'notify', outcome: outcome.result, detail: outcome.result === 'delivered' ? null : redact(outcome.reason) }];
  }
  const reports: ChannelReport[] = [];
  for (const channel of channels) {
    const outcome = await channel.notify(event).catch((error: unknown) => ({ result: 'retry-later' as const, reason: error instanceof Error ? error.message : String(error), retryAfterSeconds: null }));
    reports.push({ channel: channel.name, outcome: outcome.result, detail: outcome.result === 'delivered' ? null : redact(outcome.reason) });
  }
  return reports;
}
