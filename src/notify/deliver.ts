import { addSeconds } from 'date-fns';
import type { AlertEvent } from '../domain/alertEvent';
import type { ChannelDelivery, OutboxEntry } from '../storage/records';
import type { Outbox } from '../storage/outbox';
import type { Redactor } from '../redact';
import type { DeliveryOutcome, Notifier } from './notifier';

/** How long one run holds an alert while it sends it, so an overlapping run leaves it alone. */
export const DELIVERY_LEASE_SECONDS = 120;

export interface ChannelResult {
  channel: string;
  outcome: 'delivered' | 'retry-later' | 'failed-for-good' | 'already-delivered' | 'skipped';
  detail: string | null;
}

export interface AlertDelivery {
  alert: AlertEvent;
  channels: ChannelResult[];
  pending: boolean;
}

/** Whether a channel still owes this alert: not delivered, and not failed for good at the same target. */
export function channelOwes(notifier: Notifier, delivery: ChannelDelivery | undefined, now: Date): 'send' | 'done' | 'wait' {
  if (delivery === undefined) return 'send';
  if (delivery.status === 'delivered') return 'done';
  if (delivery.status === 'failed' && delivery.target === notifier.target) return 'done';
  if (delivery.status === 'retry' && delivery.notBefore !== null && new Date(delivery.notBefore) > now) return 'wait';
  return 'send';
}

/** What to report for a channel that is not sent the alert this time. */
function doneResult(notifier: Notifier, prior: ChannelDelivery | undefined, now: Date): ChannelResult {
  const state = channelOwes(notifier, prior, now);
  return { channel: notifier.name, outcome: state === 'wait' ? 'skipped' : prior?.status === 'failed' ? 'failed-for-good' : 'already-delivered', detail: prior?.detail ?? null };
}

function record(previous: ChannelDelivery | undefined, notifier: Notifier, outcome: DeliveryOutcome, now: Date, redact: Redactor): ChannelDelivery {
  const attempts = (previous?.attempts ?? 0) + 1;
  const at = now.toISOString();
  switch (outcome.result) {
    case 'delivered':
      return { status: 'delivered', at, detail: null, target: notifier.target, attempts, notBefore: null };
    case 'failed-for-good':
      return { status: 'failed', at, detail: redact(outcome.reason), target: notifier.target, attempts, notBefore: null };
    case 'retry-later':
      return {
        status: 'retry',
        at,
        detail: redact(outcome.reason),
        target: notifier.target,
        attempts,
        notBefore: outcome.retryAfterSeconds === null ? null : addSeconds(now, outcome.retryAfterSeconds).toISOString(),
      };
  }
}

/**
 * Sends every pending alert to every channel that still owes it. A channel that took an alert is
 * never sent it again; one that failed keeps it pending for the next run. The alert is leased under
 * its ETag first, so two overlapping runs cannot both send it.
 */
export async function deliverPending(outbox: Outbox, notifiers: readonly Notifier[], now: () => Date, redact: Redactor): Promise<AlertDelivery[]> {
  const results: AlertDelivery[] = [];
  if (notifiers.length === 0) return results;
  for (const entry of await outbox.pending()) {
    const delivery = await deliverOne(outbox, entry, notifiers, now, redact);
    if (delivery !== null) results.push(delivery);
  }
  return results;
}

/** Delivers one alert to the channels that still owe it; null when another run holds it. */
export async function deliverOne(outbox: Outbox, entry: OutboxEntry, notifiers: readonly Notifier[], now: () => Date, redact: Redactor): Promise<AlertDelivery | null> {
  const start = now();
  if (entry.leaseUntil !== null && new Date(entry.leaseUntil) > start) return null;
  const owing = notifiers.filter((n) => channelOwes(n, entry.deliveries[n.name], start) === 'send');
  if (owing.length === 0) {
    // Nothing to send (waiting on Retry-After, or refused for good at this target): no lease, and a
    // write only if the channel set changed what is pending.
    const pending = notifiers.some((n) => entry.deliveries[n.name]?.status !== 'delivered');
    if (pending !== entry.pending && (await outbox.save(entry, { pending, deliveries: entry.deliveries, leaseUntil: null })) === null) return null;
    return { alert: entry.event, channels: notifiers.map((n) => doneResult(n, entry.deliveries[n.name], start)), pending };
  }
  const claimed = await outbox.save(entry, {
    pending: entry.pending,
    deliveries: entry.deliveries,
    leaseUntil: addSeconds(start, DELIVERY_LEASE_SECONDS).toISOString(),
  });
  if (claimed === null) return null;

  const deliveries = { ...claimed.deliveries };
  const channels: ChannelResult[] = [];
  for (const notifier of notifiers) {
    if (channelOwes(notifier, deliveries[notifier.name], start) !== 'send') {
      channels.push(doneResult(notifier, deliveries[notifier.name], start));
      continue;
    }
    let outcome: DeliveryOutcome;
    try {
      outcome = await notifier.notify(claimed.event);
    } catch (error) {
      outcome = { result: 'retry-later', reason: `${notifier.name} failed: ${error instanceof Error ? error.message : String(error)}`, retryAfterSeconds: null };
    }
    deliveries[notifier.name] = record(deliveries[notifier.name], notifier, outcome, now(), redact);
    channels.push({ channel: notifier.name, outcome: outcome.result, detail: deliveries[notifier.name]?.detail ?? null });
  }
  // Failed-for-good stays pending (undelivered) so a corrected target still gets it.
  const pending = notifiers.some((n) => deliveries[n.name]?.status !== 'delivered');
  await outbox.save(claimed, { pending, deliveries, leaseUntil: null });
  return { alert: claimed.event, channels, pending };
}
