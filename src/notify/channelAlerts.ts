import { randomUUID } from 'node:crypto';
import { NOT_APPLICABLE, type AlertEvent } from '../domain/alertEvent';
import type { Logger } from '../log';
import type { Redactor } from '../redact';
import { channelFailingSummary, channelRecoveredSummary } from '../render/channelText';
import type { ChannelHealthStore, LoadedChannelHealth } from '../storage/channelHealthStore';
import type { Outbox } from '../storage/outbox';
import type { ChannelDelivery, SilenceNote } from '../storage/records';
import { matchingSilence } from '../silences/match';
import { silencesForCheck, type SilenceStore } from '../silences/store';
import { CHANNEL_KINDS, newChannelHealth, recordAttempt, sameHealth, type AttemptResult, type StoredChannelHealth } from './channelHealth';
import { deliverOne, type AlertDelivery } from './deliver';
import type { Notifier } from './notifier';

/**
 * Keeps each channel's health from the deliveries of one run (a check, one notify call, one test
 * press) and tells people when a channel keeps failing or works again.
 *
 * Cost: outcomes are collected in memory and each channel's row is written at most once per run, at
 * the end, and only when it changed; a run that delivers nothing reads and writes nothing. The row is
 * written under its ETag, so of two runs only one flips it to failing, and only that one raises the alert.
 */

export interface ChannelAlertDeps {
  health: ChannelHealthStore;
  /** Where a raised channel alert is queued and delivered from (the outbox of the run that raised it). */
  outbox: Outbox;
  notifiers: readonly Notifier[];
  appendHistory: (alerts: AlertEvent[], at: string, silence: SilenceNote | null) => Promise<void>;
  /**
   * The silences in force. Only a silence that names the kind (`--subject apns --kind channel_failing`)
   * holds a channel alert back; one without a kind is about the credential, and must not hide that
   * alerts have stopped arriving. Absent: none applies.
   */
  silences?: Pick<SilenceStore, 'inForce'>;
  tenant: string | null;
  now: () => Date;
  redact: Redactor;
  log: Logger;
}

interface Attempt {
  result: AttemptResult;
  detail: string | null;
  at: Date;
}

interface Due {
  channel: string;
  due: 'failing' | 'recovered';
  /** Names the run of failures the alert is about: the same run always gives the same alert id. */
  since: string;
  health: StoredChannelHealth;
}

const MAX_WRITE_ATTEMPTS = 20;

/**
 * A success right after a success this process recorded changes nothing a person needs: its write is
 * skipped for this long, so a busy notify function (many deliveries a second) does not rewrite, and
 * race for, the same health rows on every call. "Last attempt" may then lag by up to this much; any
 * failure is always written at once.
 */
export const QUIET_SUCCESS_MS = 60_000;

/** Per health store (one per runtime): what this process last wrote or read for each channel. */
const lastKnown = new WeakMap<ChannelHealthStore, Map<string, StoredChannelHealth>>();

function lastKnownOf(store: ChannelHealthStore): Map<string, StoredChannelHealth> {
  let map = lastKnown.get(store);
  if (map === undefined) lastKnown.set(store, (map = new Map()));
  return map;
}

function sinceKey(iso: string): string {
  const ms = new Date(iso).getTime();
  return Number.isFinite(ms) ? String(ms) : '0';
}

/** The alert for one due change. Its id names the channel and the run of failures, so it is raised once. */
export function channelAlertEvent(d: Due, tenant: string | null, at: Date): AlertEvent {
  const failing = d.due === 'failing';
  return {
    ...NOT_APPLICABLE,
    id: `channel-${d.channel}-${failing ? 'failing' : 'recovered'}-${sinceKey(d.since)}`,
    kind: failing ? 'channel_failing' : 'channel_recovered',
    severity: failing ? 'warning' : 'info',
    subject: 'apns',
    subjectName: d.channel,
    tenant,
    summary: failing ? channelFailingSummary(d.channel, tenant, d.health.consecutiveFailures, d.since, d.health.lastError) : channelRecoveredSummary(d.channel, tenant, d.since),
    occurredAt: at.toISOString(),
  };
}

export class ChannelHealthRecorder {
  private readonly attempts = new Map<string, Attempt[]>();

  constructor(private readonly deps: ChannelAlertDeps) {}

  /** Give this to deliverPending/deliverOne as `onAttempt`. Alerts about channels never count (no loop). */
  readonly onAttempt = (alert: AlertEvent, channel: string, result: AttemptResult, detail: string | null): void => {
    if (CHANNEL_KINDS.includes(alert.kind)) return;
    const list = this.attempts.get(channel) ?? [];
    list.push({ result, detail, at: this.deps.now() });
    this.attempts.set(channel, list);
  };

  /**
   * Writes what changed and raises, then delivers, the alerts that are due. Never throws: health is
   * bookkeeping, and a failure to keep it must not fail the run that delivered.
   */
  async settle(): Promise<AlertDelivery[]> {
    this.dropQuietSuccesses();
    if (this.attempts.size === 0) return [];
    let dues: Due[];
    try {
      dues = await this.commit();
    } catch (error) {
      this.deps.log.warn(`channel health could not be recorded: ${this.deps.redact(error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error))}`);
      return [];
    } finally {
      this.attempts.clear();
    }
    const deliveries: AlertDelivery[] = [];
    for (const d of dues) {
      try {
        deliveries.push(await this.raise(d));
      } catch (error) {
        this.deps.log.error(`channel_${d.due} about ${d.channel} could not be sent: ${this.deps.redact(error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error))}`);
      }
    }
    return deliveries;
  }

  /** Successes on a channel this process saw delivering moments ago: nothing to write (QUIET_SUCCESS_MS). */
  private dropQuietSuccesses(): void {
    const now = this.deps.now().getTime();
    const cache = lastKnownOf(this.deps.health);
    for (const [channel, attempts] of this.attempts) {
      const last = cache.get(channel);
      if (last === undefined || last.lastOutcome !== 'delivered' || last.failingAlerted || last.lastDeliveredAt === null) continue;
      const age = now - Date.parse(last.lastDeliveredAt);
      if (age >= 0 && age < QUIET_SUCCESS_MS && attempts.every((a) => a.result === 'delivered')) this.attempts.delete(channel);
    }
  }

  private async commit(): Promise<Due[]> {
    const dues: Due[] = [];
    let known: Map<string, LoadedChannelHealth> | null = await this.deps.health.list();
    for (const [channel, attempts] of this.attempts) {
      for (let attempt = 1; ; attempt++) {
        const loaded = known === null ? await this.deps.health.get(channel) : (known.get(channel) ?? { health: newChannelHealth(channel), etag: null });
        let next = loaded.health;
        const found: Due[] = [];
        for (const a of attempts) {
          const before = next;
          const step = recordAttempt(next, a.result, a.detail, a.at);
          next = step.next;
          if (step.due === 'failing') found.push({ channel, due: 'failing', since: next.failingSince ?? a.at.toISOString(), health: next });
          if (step.due === 'recovered') found.push({ channel, due: 'recovered', since: before.failingSince ?? a.at.toISOString(), health: next });
        }
        if (sameHealth(next, loaded.health)) break;
        const saved = await this.deps.health.save(next, loaded.etag);
        if (saved !== null) {
          lastKnownOf(this.deps.health).set(channel, next);
          dues.push(...found);
          break;
        }
        if (attempt >= MAX_WRITE_ATTEMPTS) throw new Error(`the ${channel} channel's health row kept changing under this run`);
        // Another run wrote the row first: fold this run's outcomes into its version.
        known = null;
      }
    }
    return dues;
  }

  private async raise(d: Due): Promise<AlertDelivery> {
    const at = this.deps.now();
    const event = channelAlertEvent(d, this.deps.tenant, at);
    // A channel that fails is not sent the alert about itself; the others are.
    const initial: Record<string, ChannelDelivery> = {};
    const self = this.deps.notifiers.find((n) => n.name === d.channel);
    if (d.due === 'failing' && self !== undefined) {
      initial[d.channel] = { status: 'excluded', at: at.toISOString(), detail: 'not sent: this alert is about this channel', target: self.target, attempts: 0, notBefore: null };
    }
    // Decided once, as the alert is recorded, like every other alert: a held one is never sent, also not later.
    const silence = matchingSilence(event, await silencesForCheck(this.deps.silences, at, this.deps.log, this.deps.redact, 'channel health'), at);
    const note: SilenceNote | null = silence === null ? null : { id: silence.id, until: silence.until, reason: silence.reason, held: true, ...(silence.createdBy === null ? {} : { by: silence.createdBy }) };
    const { entry, added } = await this.deps.outbox.add(event, note, initial);
    if (added) {
      await this.deps.appendHistory([event], at.toISOString(), note).catch((error: unknown) => {
        this.deps.log.error(`could not append ${event.kind} to history: ${this.deps.redact(error instanceof Error ? error.message : String(error))}`);
      });
      const held = note === null ? '' : ` (silenced until ${note.until} by ${note.id}: recorded, not delivered)`;
      const line = `alert ${event.kind} (${event.severity}) raised: ${event.id}${held}`;
      if (d.due === 'failing') this.deps.log.warn(line);
      else this.deps.log.info(line);
    }
    if (entry.silence?.held === true) return { alert: entry.event, channels: [], pending: false };
    return deliverOne(this.deps.outbox, entry, this.deps.notifiers, this.deps.now, this.deps.redact);
  }
}

/** A recorder for one run, keeping health in the monitor's store and raising alerts into `outbox`. */
export function recorderFor(
  store: { channelHealth: ChannelHealthStore; appendHistory: (check: null, alerts: AlertEvent[], at: string, runId: string, silences?: ReadonlyMap<string, SilenceNote>) => Promise<void> },
  outbox: Outbox,
  notifiers: readonly Notifier[],
  ctx: { tenant: string | null; now: () => Date; redact: Redactor; log: Logger; silences?: Pick<SilenceStore, 'inForce'> },
): ChannelHealthRecorder {
  return new ChannelHealthRecorder({
    health: store.channelHealth,
    outbox,
    notifiers,
    appendHistory: (alerts, at, silence) => store.appendHistory(null, alerts, at, randomUUID().slice(0, 8), silence === null ? new Map() : new Map(alerts.map((a) => [a.id, silence]))),
    ...ctx,
  });
}
