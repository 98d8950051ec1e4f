import type { AlertEvent } from '../../domain/alertEvent';
import { readWithinBudget } from '../../graph/readBudget';
import type { Logger } from '../../log';
import type { Deadline } from '../../net/deadline';
import type { Redactor } from '../../redact';
import { criticalOpeners, silenceNotes } from '../../silences/match';
import type { Silence } from '../../status/operatorModel';
import { AlertIdCollision, ConcurrencyConflict } from '../../storage/monitorStore';
import type { SilenceNote } from '../../storage/records';
import type { DeviceCertificateReader } from './reader';
import { decideDeviceCertificates, needsRows, type DeviceCertPolicy, type DeviceCertScanOutcome, type DeviceCertState } from './rules';
import type { DeviceCertificateStore } from './store';

/**
 * Device certificates as one part of a check: scanned beside the other subjects within the check's
 * budget, then decided and recorded on their own (rows, then the state row with its alerts under its
 * ETag), so a failure here never holds up the push certificate or the tokens.
 */

export interface DeviceCertificateRunner {
  policy: DeviceCertPolicy;
  store: DeviceCertificateStore;
  /** The whole scan, within `deadline` (the check's), failed rather than late. */
  scan: (deadline: Deadline | undefined, now: Date) => Promise<DeviceCertScanOutcome>;
  /** The list's public address for `withinDays`, or null when the app does not know its address. */
  listUrl: (withinDays: number) => string | null;
}

export function createDeviceCertificateRunner(options: {
  reader: DeviceCertificateReader;
  store: DeviceCertificateStore;
  policy: DeviceCertPolicy;
  budgetMs: number;
  redact: Redactor;
  publicBaseUrl: string | null;
}): DeviceCertificateRunner {
  const largest = Math.max(...options.policy.thresholdDays);
  return {
    policy: options.policy,
    store: options.store,
    scan: (deadline, now) => readWithinBudget((d) => options.reader(d, now, largest), options.budgetMs, options.redact, 'the device certificates')(deadline),
    listUrl: (withinDays) => (options.publicBaseUrl === null ? null : `${options.publicBaseUrl}/api/device-certificates?withinDays=${withinDays}&format=csv`),
  };
}

export interface DeviceCertOutcome {
  alerts: AlertEvent[];
  silenced: Map<string, SilenceNote>;
  state: DeviceCertState;
  /** List transactions this check wrote (0 when nothing changed). */
  rowTransactions: number;
}

const MAX_COMMIT_ATTEMPTS = 50;
const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 5 * attempt)));

export interface CommitContext {
  tenant: string | null;
  redact: Redactor;
  log: Logger;
  newEpoch: () => string;
}

export async function commitDeviceCertificates(runner: DeviceCertificateRunner, scan: DeviceCertScanOutcome, now: Date, readStartedAt: string, silences: () => Promise<readonly Silence[]>, ctx: CommitContext): Promise<DeviceCertOutcome> {
  const safe: DeviceCertScanOutcome = scan.kind === 'failed' ? { ...scan, error: ctx.redact(scan.error) } : scan;
  let epochOverride: string | null = null;
  for (let attempt = 1; ; attempt++) {
    const loaded = await runner.store.loadState();
    const prior = epochOverride === null ? loaded.state : { ...loaded.state, epoch: epochOverride };
    // The rows are read only when what they would hold differs from what was committed.
    const stored = safe.kind === 'complete' && needsRows(prior, safe.result, now, runner.policy) ? await runner.store.loadRows() : null;
    const decision = decideDeviceCertificates(prior, safe, stored, { now, policy: runner.policy, tenant: ctx.tenant, listUrl: runner.listUrl, newEpoch: ctx.newEpoch() });
    // The silences are read only when there is something they could hold back.
    const silenced = decision.alerts.length === 0 ? new Map<string, SilenceNote>() : silenceNotes(decision.alerts, await silences(), now, criticalOpeners(decision.next.incidents, decision.alerts));
    try {
      const rowTransactions = decision.rows === null || stored === null ? 0 : await runner.store.writeRows(decision.rows, stored);
      await runner.store.commit(loaded.etag, decision.next, decision.alerts, silenced);
      return { alerts: decision.alerts, silenced, state: decision.next, rowTransactions };
    } catch (e) {
      if (e instanceof AlertIdCollision) {
        ctx.log.warn(`check device_certificate: ${e.message}`);
        epochOverride = ctx.newEpoch();
      } else if (!(e instanceof ConcurrencyConflict) || attempt >= MAX_COMMIT_ATTEMPTS) {
        throw e;
      } else {
        // Another run recorded a scan of the same moment (as good as this one): its result stands.
        const fresh = await runner.store.loadState();
        const winner = fresh.state.lastAttemptAt;
        if (winner !== null && winner >= readStartedAt && (safe.kind === 'failed' || fresh.state.consecutiveFailures === 0)) {
          return { alerts: [], silenced: new Map(), state: fresh.state, rowTransactions: 0 };
        }
        await backoff(attempt);
      }
    }
  }
}
