import { randomUUID } from 'node:crypto';
import type { AlertPolicy } from '../config';
import type { AlertEvent } from '../domain/alertEvent';
import type { ApnsCertificate, ReadOutcome } from '../domain/certificate';
import { decideAlerts } from '../domain/decide';
import { evaluate, nextThresholdDays, type CertificateStatus } from '../domain/status';
import type { Logger } from '../log';
import { deliverPending, type AlertDelivery } from '../notify/deliver';
import type { Notifier } from '../notify/notifier';
import type { Redactor } from '../redact';
import { ConcurrencyConflict, type MonitorStore } from '../storage/monitorStore';
import type { CheckRecord } from '../storage/records';

export interface CheckDeps {
  readCertificate: () => Promise<ReadOutcome>;
  store: MonitorStore;
  notifiers: readonly Notifier[];
  policy: AlertPolicy;
  tenant: string | null;
  now: () => Date;
  redact: Redactor;
  log: Logger;
}

export interface CheckResult {
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
}

const MAX_COMMIT_ATTEMPTS = 5;

/** One check: read Graph, decide, record atomically, deliver. The timer and the CLI both run this. */
export async function runCheck(deps: CheckDeps): Promise<CheckResult> {
  const read = await deps.readCertificate();
  const now = deps.now();
  const checkedAt = now.toISOString();
  const error = read.kind === 'failed' ? deps.redact(read.error) : null;
  const safeRead: ReadOutcome = read.kind === 'failed' ? { ...read, error: error ?? '' } : read;
  const { status, daysRemaining } = evaluate(safeRead, now, deps.policy);
  const certificate = read.kind === 'found' ? read.certificate : null;

  let alerts: AlertEvent[] = [];
  let check: CheckRecord | null = null;
  for (let attempt = 1; check === null; attempt++) {
    const loaded = await deps.store.loadState();
    const decision = decideAlerts(loaded.state, safeRead, { now, policy: deps.policy, tenant: deps.tenant });
    const candidate: CheckRecord = {
      checkedAt,
      status,
      daysRemaining,
      certificate,
      error,
      lastGoodCheckAt: read.kind === 'failed' ? (loaded.lastCheck?.lastGoodCheckAt ?? null) : checkedAt,
      alertIds: decision.alerts.map((a) => a.id),
    };
    try {
      await deps.store.commitCheck(loaded.etag, decision.next, candidate, read.kind === 'failed' ? loaded.lastGoodCheck : candidate, decision.alerts);
      alerts = decision.alerts;
      check = candidate;
    } catch (e) {
      if (!(e instanceof ConcurrencyConflict) || attempt >= MAX_COMMIT_ATTEMPTS) throw e;
      deps.log.warn(`check: ${e.message}; reading the state again (attempt ${attempt + 1})`);
    }
  }

  try {
    await deps.store.appendHistory(check, alerts, randomUUID().slice(0, 8));
  } catch (e) {
    // The state is committed and alerts are queued; a lost history row must not stop delivery.
    deps.log.error(`check: could not append to history: ${deps.redact(e instanceof Error ? e.message : String(e))}`);
  }
  for (const alert of alerts) deps.log.info(`alert ${alert.kind} (${alert.severity}) raised: ${alert.id}`);

  if (deps.notifiers.length === 0) deps.log.warn('no alert channel is configured: alerts stay queued until one is (set TEAMS_WEBHOOK_URL, EMAIL_FROM/EMAIL_TO, WEBHOOK_URL or NOTIFY_URL)');
  const deliveries = await deliverPending(deps.store.outbox, deps.notifiers, deps.now, deps.redact);
  for (const d of deliveries) {
    for (const c of d.channels) {
      if (c.outcome === 'retry-later' || c.outcome === 'failed-for-good') deps.log.warn(`alert ${d.alert.id} → ${c.channel}: ${c.outcome}: ${c.detail ?? ''}`);
    }
  }

  return { status, daysRemaining, checkedAt, certificate, error, nextThresholdDays: nextThresholdDays(daysRemaining, deps.policy.thresholdDays), alerts, deliveries };
}
