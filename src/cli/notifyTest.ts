import { randomUUID } from 'node:crypto';
import type { MonitorConfig } from '../config';
import { NOT_APPLICABLE, type AlertEvent } from '../domain/alertEvent';
import type { Notifier } from '../notify/notifier';
import { sendToNotifyFunction } from '../notify/notifyFunction';
import type { Redactor } from '../redact';
import type { AttemptResult } from '../notify/channelHealth';
import { recorderFor } from '../notify/channelAlerts';
import type { Runtime } from '../app/runtime';
import type { Logger } from '../log';
import { seconds } from '../net/deadline';

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
export async function sendTestEvent(
  config: MonitorConfig,
  channels: readonly Notifier[],
  redact: Redactor,
  now: Date,
  onAttempt?: (alert: AlertEvent, channel: string, result: AttemptResult, detail: string | null) => void,
): Promise<ChannelReport[]> {
  const event = testEvent(config.tenantName, now);
  if (config.notify !== null) {
    const { outcome, report } = await sendToNotifyFunction(config.notify, event, config.httpTimeoutMs);
    // The notify function keeps its own channels' health; here only the forwarder's own outcome counts.
    onAttempt?.(event, 'notify', outcome.result, outcome.result === 'delivered' ? null : redact(outcome.reason));
    if (report !== null) return report.channels.map((c) => ({ ...c, detail: c.detail === null ? null : redact(c.detail) }));
    return [{ channel: 'notify', outcome: outcome.result, detail: outcome.result === 'delivered' ? null : redact(outcome.reason) }];
  }
  const reports: ChannelReport[] = [];
  for (const channel of channels) {
    const outcome = await channel.notify(event).catch((error: unknown) => ({ result: 'retry-later' as const, reason: error instanceof Error ? error.message : String(error), retryAfterSeconds: null }));
    const detail = outcome.result === 'delivered' ? null : redact(outcome.reason);
    onAttempt?.(event, channel.name, outcome.result, detail);
    reports.push({ channel: channel.name, outcome: outcome.result, detail });
  }
  return reports;
}

/**
 * How long a test waits for its channel-health bookkeeping. The outcomes are known once the sends
 * are done; a storage account that does not answer (its client retries for some 5 s) must not keep
 * the answer waiting, so the test answers and says the health was not recorded.
 */
export const HEALTH_RECORD_WAIT_MS = 2_000;

export interface TestAlertOptions {
  /** False when no storage is configured (notify-test with only channel settings): nothing is recorded. */
  record?: boolean;
  recordWaitMs?: number;
}

/**
 * The test button and `apns-monitor notify-test`: one test alert on every channel now, counted in each
 * channel's health (so a channel fixed after failing is seen to work, and says so).
 */
export async function runTestAlert(rt: Runtime, now: () => Date, log: Logger, options: TestAlertOptions = {}): Promise<ChannelReport[]> {
  if (options.record === false) {
    const reports = await sendTestEvent(rt.config, rt.channels, rt.redact, now());
    log.warn('channel health is not recorded: no storage setting (AzureWebJobsStorage) is given, so only the outcomes printed here say whether each channel works');
    return reports;
  }
  const health = recorderFor(rt.store, rt.store.outbox, rt.notifiers, { tenant: rt.config.tenantName, now, redact: rt.redact, log, silences: rt.silences });
  const reports = await sendTestEvent(rt.config, rt.channels, rt.redact, now(), health.onAttempt);
  const waitMs = options.recordWaitMs ?? HEALTH_RECORD_WAIT_MS;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), waitMs);
    timer.unref();
  });
  // settle() never throws; past the wait it finishes (or logs its failure) on its own.
  const settled = await Promise.race([health.settle().then(() => true as const), gaveUp]);
  clearTimeout(timer);
  if (!settled) log.warn(`channel health was not recorded within ${seconds(waitMs)}: storage did not answer in time; the outcomes reported are as sent`);
  return reports;
}
