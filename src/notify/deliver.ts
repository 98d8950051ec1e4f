import { addMilliseconds, addSeconds } from 'date-fns';
import type { AlertEvent } from '../domain/alertEvent';
import type { ChannelDelivery, OutboxEntry } from '../storage/records';
import type { Outbox, OutboxChange } from '../storage/outbox';
import type { Redactor } from '../redact';
import type { DeliveryOutcome, Notifier } from './notifier';

/**
 * How long a run holds one channel of one alert while it sends it. It must outlast the longest single
 * send (every call has a deadline), so an overlapping run can never send the same alert to the same
 * channel while the first is still at it.
 */
export const DEFAULT_CLAIM_MS = 5 * 60_000;
/** A Retry-After up to this long is waited out in the run; a longer one waits for a later run. */
export const MAX_INLINE_RETRY_AFTER_SECONDS = 10;
/** A Retry-After is never honoured beyond this: a channel that asks for a week is tried again tomorrow. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 3600;
const RECORD_ATTEMPTS = 4;

export interface ChannelResult {
  channel: string;
  outcome: 'delivered' | 'retry-later' | 'failed-for-good' | 'already-delivered' | 'skipped' | 'in-progress';
  detail: string | null;
}

export interface AlertDelivery {
  alert: AlertEvent;
  channels: ChannelResult[];
  pending: boolean;
}

export interface DeliveryOptions {
  claimMs?: number;
  /** Epoch ms after which no new send starts (the check's budget); what is left waits for the next run. */
  stopAt?: number | null;
  sleep?: (ms: number) => Promise<void>;
  /** Told once when a channel refuses an alert for good, so history and status can show it. */
  onFailedForGood?: (alert: AlertEvent, channel: string, detail: string | null) => Promise<void>;
  /** Told when a channel that had refused an alert for good takes it (its target was corrected). */
  onRecovered?: (alert: AlertEvent, channel: string) => Promise<void>;
  /** Told of every send's outcome (detail redacted), so each channel's health can be kept. */
  onAttempt?: (alert: AlertEvent, channel: string, result: DeliveryOutcome['result'], detail: string | null) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether a channel still owes this alert: not delivered, and not failed for good at the same target. */
export function channelOwes(notifier: Notifier, delivery: ChannelDelivery | undefined, now: Date): 'send' | 'done' | 'wait' {
  if (delivery === undefined) return 'send';
  if (delivery.status === 'delivered' || delivery.status === 'excluded') return 'done';
  if (delivery.status === 'failed' && delivery.target === notifier.target) return 'done';
  if (delivery.status === 'retry' && delivery.notBefore !== null && new Date(delivery.notBefore) > now) return 'wait';
  return 'send';
}

/** What to report for a channel that is not sent the alert this time. */
function doneResult(notifier: Notifier, prior: ChannelDelivery | undefined, now: Date): ChannelResult {
  const state = channelOwes(notifier, prior, now);
  if (prior?.status === 'excluded') return { channel: notifier.name, outcome: 'skipped', detail: prior.detail };
  return { channel: notifier.name, outcome: state === 'wait' ? 'skipped' : prior?.status === 'failed' ? 'failed-for-good' : 'already-delivered', detail: prior?.detail ?? null };
}

function retryAfterSeconds(outcome: DeliveryOutcome): number | null {
  if (outcome.result !== 'retry-later' || outcome.retryAfterSeconds === null) return null;
  const s = outcome.retryAfterSeconds;
  return Number.isFinite(s) && s >= 0 ? Math.min(s, MAX_RETRY_AFTER_SECONDS) : null;
}

function record(previous: ChannelDelivery | undefined, notifier: Notifier, outcome: DeliveryOutcome, now: Date, redact: Redactor): ChannelDelivery {
  const attempts = (previous?.attempts ?? 0) + 1;
  const at = now.toISOString();
  switch (outcome.result) {
    case 'delivered':
      return { status: 'delivered', at, detail: null, target: notifier.target, attempts, notBefore: null };
    case 'failed-for-good':
      return { status: 'failed', at, detail: redact(outcome.reason), target: notifier.target, attempts, notBefore: null };
    case 'retry-later': {
      const wait = retryAfterSeconds(outcome);
      return { status: 'retry', at, detail: redact(outcome.reason), target: notifier.target, attempts, notBefore: wait === null ? null : addSeconds(now, wait).toISOString() };
    }
  }
}

function pendingFor(notifiers: readonly Notifier[], deliveries: Record<string, ChannelDelivery>): boolean {
  // Failed-for-good stays pending (undelivered) so a corrected target still gets it.
  return notifiers.some((n) => deliveries[n.name]?.status !== 'delivered' && deliveries[n.name]?.status !== 'excluded');
}

/**
 * Applies a change to the freshest copy of the entry: another run may be writing another channel's
 * claim or result of the same alert at the same moment. Storage errors are retried a few times, since
 * a result that is not recorded would be sent again by a later run.
 */
async function update(outbox: Outbox, entry: OutboxEntry, change: (fresh: OutboxEntry) => OutboxChange | null, sleep: (ms: number) => Promise<void>): Promise<OutboxEntry | null> {
  let current = entry;
  for (let attempt = 1; ; attempt++) {
    const wanted = change(current);
    if (wanted === null) return null;
    try {
      const saved = await outbox.save(current, wanted);
      if (saved !== null) return saved;
      current = await outbox.get(entry.event.id);
    } catch (error) {
      if (attempt >= RECORD_ATTEMPTS) throw error;
      await sleep(200 * attempt);
      current = await outbox.get(entry.event.id).catch(() => current);
    }
  }
}

async function sendOnce(notifier: Notifier, event: AlertEvent): Promise<DeliveryOutcome> {
  try {
    return await notifier.notify(event);
  } catch (error) {
    return { result: 'retry-later', reason: `${notifier.name} failed: ${error instanceof Error ? error.message : String(error)}`, retryAfterSeconds: null };
  }
}

/**
 * Sends every pending alert to every channel that still owes it. A channel that took an alert is
 * never sent it again; one that failed keeps it pending for the next run.
 */
export async function deliverPending(outbox: Outbox, notifiers: readonly Notifier[], now: () => Date, redact: Redactor, options: DeliveryOptions = {}): Promise<AlertDelivery[]> {
  const results: AlertDelivery[] = [];
  if (notifiers.length === 0) return results;
  for (const entry of await outbox.pending()) {
    results.push(await deliverOne(outbox, entry, notifiers, now, redact, options));
  }
  return results;
}

/**
 * Delivers one alert to the channels that still owe it. Each channel is claimed and recorded on its
 * own, so overlapping or retried runs send an alert to a channel at most once, and a retry re-sends
 * only to the channels that have not taken it.
 */
export async function deliverOne(outbox: Outbox, entry: OutboxEntry, notifiers: readonly Notifier[], now: () => Date, redact: Redactor, options: DeliveryOptions = {}): Promise<AlertDelivery> {
  const sleep = options.sleep ?? realSleep;
  const claimMs = options.claimMs ?? DEFAULT_CLAIM_MS;
  const channels: ChannelResult[] = [];
  let current = entry;
  for (const notifier of notifiers) {
    const name = notifier.name;
    const start = now();
    if (channelOwes(notifier, current.deliveries[name], start) !== 'send') {
      channels.push(doneResult(notifier, current.deliveries[name], start));
      continue;
    }
    if (options.stopAt != null && start.getTime() >= options.stopAt) {
      channels.push({ channel: name, outcome: 'skipped', detail: 'the check ran out of time; the next run sends it' });
      continue;
    }
    const claimed = await update(
      outbox,
      current,
      (fresh) => {
        const heldUntil = fresh.claims[name];
        if (channelOwes(notifier, fresh.deliveries[name], start) !== 'send') return null;
        if (heldUntil !== undefined && new Date(heldUntil) > start) return null;
        return { claims: { ...fresh.claims, [name]: addMilliseconds(start, claimMs).toISOString() } };
      },
      sleep,
    );
    if (claimed === null) {
      // Another run holds or finished this channel: report what is stored now.
      current = await outbox.get(current.event.id);
      const held = current.claims[name] !== undefined && new Date(current.claims[name]) > start;
      channels.push(held ? { channel: name, outcome: 'in-progress', detail: 'another run is delivering this alert' } : doneResult(notifier, current.deliveries[name], start));
      continue;
    }
    current = claimed;

    let outcome = await sendOnce(notifier, current.event);
    const wait = retryAfterSeconds(outcome);
    if (wait !== null && wait <= MAX_INLINE_RETRY_AFTER_SECONDS && (options.stopAt == null || now().getTime() + wait * 1000 < options.stopAt)) {
      await sleep(wait * 1000);
      outcome = await sendOnce(notifier, current.event);
    }
    const prior = current.deliveries[name];
    const result = record(prior, notifier, outcome, now(), redact);
    const saved = await update(
      outbox,
      current,
      (fresh) => {
        const deliveries = { ...fresh.deliveries, [name]: result };
        const claims = { ...fresh.claims };
        delete claims[name];
        return { deliveries, claims, pending: pendingFor(notifiers, deliveries) };
      },
      sleep,
    );
    current = saved ?? current;
    channels.push({ channel: name, outcome: outcome.result, detail: result.detail });
    options.onAttempt?.(current.event, name, outcome.result, result.detail);
    // Bookkeeping for people: a failure to record it must not undo or repeat the delivery itself.
    if (outcome.result === 'failed-for-good' && options.onFailedForGood !== undefined) {
      await options.onFailedForGood(current.event, name, result.detail).catch(() => undefined);
    }
    if (outcome.result === 'delivered' && prior?.status === 'failed' && options.onRecovered !== undefined) {
      await options.onRecovered(current.event, name).catch(() => undefined);
    }
  }
  const pending = pendingFor(notifiers, current.deliveries);
  if (pending !== current.pending) {
    // Only the channel set changed what is pending (e.g. a channel was removed from the settings).
    current = (await update(outbox, current, () => ({ pending }), sleep)) ?? current;
  }
  return { alert: current.event, channels, pending };
}
