import { randomBytes, randomUUID } from 'node:crypto';
import type { AlertPolicy } from '../config';
import type { AlertEvent } from '../domain/alertEvent';
import type { ApnsCertificate, ReadOutcome } from '../domain/certificate';
import { decideAlerts, worstIncidentSeverity, type AlertState, type Incident } from '../domain/decide';
import { evaluate, nextThresholdDays, withIncidents, type CertificateStatus } from '../domain/status';
import type { Logger } from '../log';
import { deliverPending, type AlertDelivery, type DeliveryOptions } from '../notify/deliver';
import type { Notifier } from '../notify/notifier';
import { Deadline } from '../net/deadline';
import type { Redactor } from '../redact';
import { AlertIdCollision, ConcurrencyConflict, type LoadedState, type MonitorStore } from '../storage/monitorStore';
import type { CheckRecord } from '../storage/records';

export interface CheckDeps {
  readCertificate: (deadline?: Deadline) => Promise<ReadOutcome>;
  store: MonitorStore;
  notifiers: readonly Notifier[];
  policy: AlertPolicy;
  tenant: string | null;
  now: () => Date;
  redact: Redactor;
  log: Logger;
  delivery?: Omit<DeliveryOptions, 'onFailedForGood' | 'onRecovered' | 'stopAt'>;
  /**
   * The whole check's budget (CHECK_BUDGET_SECONDS): the read gets what is left of it, and no send
   * starts after it; what is left waits for the next run. Without it the read's own default applies.
   */
  budgetMs?: number;
}

/** An open incident as status and the CLI show it. */
export type OpenIncident = Pick<Incident, 'id' | 'kind' | 'severity' | 'openedAt' | 'summary'>;

export interface CheckResult {
  /** The certificate's status, raised to at least the severity of any open incident. */
  status: CertificateStatus;
  daysRemaining: number | null;
  checkedAt: string;
  certificate: ApnsCertificate | null;
  error: string | null;
  nextThresholdDays: number | null;
  /** Alerts this check raised. */
  alerts: AlertEvent[];
  /** What each channel did with every alert sent in this run (new ones and earlier pending ones). */
  deliveries: AlertDelivery[];
  openIncidents: OpenIncident[];
}

/** Enough for any realistic pile-up of hosts; each round either commits or adopts a newer result. */
const MAX_COMMIT_ATTEMPTS = 50;

export function openIncidentsOf(state: AlertState): OpenIncident[] {
  return state.incidents.map(({ id, kind, severity, openedAt, summary }) => ({ id, kind, severity, openedAt, summary }));
}

const newEpoch = () => randomBytes(4).toString('hex');
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 5 * attempt)));

/**
 * Whether a check that lost the race may report the winner's result instead of committing its own:
 * the winner read Graph while this run was reading, so it saw the same tenant, and it read at least
 * as well (a failed read never displaces a good one).
 */
function winnerCovers(loaded: LoadedState, readStartedAt: string, read: ReadOutcome): boolean {
  const winner = loaded.lastCheck;
  if (winner === null || winner.checkedAt < readStartedAt) return false;
  return read.kind === 'failed' || winner.status !== 'unknown';
}

/** One check: read Graph, decide, record atomically, deliver. The timer and the CLI both run this. */
export async function runCheck(deps: CheckDeps): Promise<CheckResult> {
  const readStartedAt = deps.now().toISOString();
  const deadline = deps.budgetMs === undefined ? undefined : Deadline.start(deps.budgetMs);
  const read = await deps.readCertificate(deadline);
  const now = deps.now();
  const checkedAt = now.toISOString();
  const error = read.kind === 'failed' ? deps.redact(read.error) : null;
  const safeRead: ReadOutcome = read.kind === 'failed' ? { ...read, error: error ?? '' } : read;
  const evaluation = evaluate(safeRead, now, deps.policy);
  const certificate = read.kind === 'found' ? read.certificate : null;

  let alerts: AlertEvent[] = [];
  let check: CheckRecord | null = null;
  let committedState: AlertState | null = null;
  let adopted: CheckRecord | null = null;
  let epochOverride: string | null = null;
  for (let attempt = 1; check === null && adopted === null; attempt++) {
    const loaded = await deps.store.loadState();
    const prior = epochOverride === null ? loaded.state : { ...loaded.state, epoch: epochOverride };
    const decision = decideAlerts(prior, safeRead, { now, policy: deps.policy, tenant: deps.tenant, newEpoch: newEpoch() });
    const candidate: CheckRecord = {
      checkedAt,
      status: evaluation.status,
      daysRemaining: evaluation.daysRemaining,
      certificate,
      error,
      lastGoodCheckAt: read.kind === 'failed' ? (loaded.lastCheck?.lastGoodCheckAt ?? null) : checkedAt,
      alertIds: decision.alerts.map((a) => a.id),
    };
    try {
      await deps.store.commitCheck(loaded.etag, decision.next, candidate, read.kind === 'failed' ? loaded.lastGoodCheck : candidate, decision.alerts);
      alerts = decision.alerts;
      check = candidate;
      committedState = decision.next;
    } catch (e) {
      if (e instanceof AlertIdCollision) {
        deps.log.warn(`check: ${e.message}`);
        epochOverride = newEpoch();
      } else if (!(e instanceof ConcurrencyConflict) || attempt >= MAX_COMMIT_ATTEMPTS) {
        throw e;
      } else {
        const fresh = await deps.store.loadState();
        if (winnerCovers(fresh, readStartedAt, safeRead)) {
          deps.log.info('check: another run recorded a check of the same moment; reporting its result');
          adopted = fresh.lastCheck;
          committedState = fresh.state;
        } else {
          await backoff(attempt);
        }
      }
    }
  }

  if (check !== null) {
    try {
      await deps.store.appendHistory(check, alerts, randomUUID().slice(0, 8));
    } catch (e) {
      // The state is committed and alerts are queued; a lost history row must not stop delivery.
      deps.log.error(`check: could not append to history: ${deps.redact(e instanceof Error ? e.message : String(e))}`);
    }
  }
  for (const alert of alerts) deps.log.info(`alert ${alert.kind} (${alert.severity}) raised: ${alert.id}`);

  if (deps.notifiers.length === 0) deps.log.warn('no alert channel is configured: alerts stay queued until one is (set TEAMS_WEBHOOK_URL, EMAIL_FROM/EMAIL_TO, WEBHOOK_URL or NOTIFY_URL)');
  const deliveries = await deliverPending(deps.store.outbox, deps.notifiers, deps.now, deps.redact, {
    ...deps.delivery,
    // In the check's clock (which tests move), the moment its budget runs out.
    stopAt: deadline === undefined ? null : deps.now().getTime() + deadline.remainingMs(),
    onFailedForGood: (alert, channel, detail) => deps.store.recordDeliveryFailure({ at: deps.now().toISOString(), alertId: alert.id, kind: alert.kind, channel, detail }),
    onRecovered: (alert, channel) => deps.store.clearDeliveryFailure(alert.id, channel),
  });
  for (const d of deliveries) {
    for (const c of d.channels) {
      if (c.outcome === 'retry-later' || c.outcome === 'failed-for-good') deps.log.warn(`alert ${d.alert.id} → ${c.channel}: ${c.outcome}: ${c.detail ?? ''}`);
    }
  }

  const state = committedState as AlertState;
  const recorded = (check ?? adopted) as CheckRecord;
  return {
    status: withIncidents(recorded.status, worstIncidentSeverity(state.incidents)),
    daysRemaining: recorded.daysRemaining,
    checkedAt: recorded.checkedAt,
    certificate: recorded.certificate,
    error: recorded.error,
    nextThresholdDays: nextThresholdDays(recorded.daysRemaining, deps.policy.thresholdDays),
    alerts,
    deliveries,
    openIncidents: openIncidentsOf(state),
  };
}
