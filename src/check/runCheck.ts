import { randomBytes, randomUUID } from 'node:crypto';
import type { AlertPolicy } from '../config';
import type { AlertEvent } from '../domain/alertEvent';
import type { ApnsCertificate, ReadOutcome } from '../domain/certificate';
import { decideAlerts, worstIncidentSeverity, type AlertState, type Incident } from '../domain/decide';
import { evaluate, nextThresholdDays, withIncidents, type CertificateStatus } from '../domain/status';
import type { Logger } from '../log';
import { deliverPending, type AlertDelivery, type DeliveryOptions } from '../notify/deliver';
import { recorderFor } from '../notify/channelAlerts';
import type { Notifier } from '../notify/notifier';
import { Deadline } from '../net/deadline';
import type { Redactor } from '../redact';
import { AlertIdCollision, ConcurrencyConflict, sameState, type LoadedState, type MonitorStore, type StoredTokenRead } from '../storage/monitorStore';
import { purgeIfDue, type StateRowMark } from './retention';
import type { SubjectKind } from '../domain/alertEvent';
import type { TokenPolicy } from '../rules/policy';
import { subjectOfAlertId } from '../rules/occurrences';
import type { TokenSubjectRunner } from '../subjects/runners';
import { tokenEntries, worstStatus, type SubjectEntry } from '../subjects/subjectEntry';
import type { TokenFacts, TokenReadOutcome, TokenSubjectKind, TokenSubjectState } from '../subjects/token';
import { decideTokenSubject } from '../subjects/tokenRules';
import type { CheckRecord, SilenceNote } from '../storage/records';
import type { Silence } from '../status/operatorModel';
import { criticalOpeners, silenceNotes } from '../silences/match';
import { silencesForCheck, type SilenceStore } from '../silences/store';
import { commitDeviceCertificates, type DeviceCertificateRunner, type DeviceCertOutcome } from '../subjects/device_certificate/runner';
import { deviceCertEntry } from '../subjects/device_certificate/status';

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
  /** Whether the push certificate is watched (WATCH); by default it is. */
  watchApns?: boolean;
  /** The token subjects WATCH names (VPP, ADE); none by default. */
  tokenSubjects?: readonly TokenSubjectRunner[];
  /** Where the silences in force are read (issue 15); none apply without it. */
  silences?: Pick<SilenceStore, 'inForce'>;
  /** HISTORY_RETENTION_DAYS: older history is deleted once a day, after deliveries. 730 by default. */
  historyRetentionDays?: number;
  /** Issue 12: the device certificates, when WATCH names device_certificate. */
  deviceCertificates?: DeviceCertificateRunner | null;
}

/** An open incident as status and the CLI show it. */
export type OpenIncident = Pick<Incident, 'id' | 'kind' | 'severity' | 'openedAt' | 'summary'> & { subject: SubjectKind; subjectId: string | null };

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
  /** Every watched credential: the push certificate first, then each VPP and ADE token. */
  subjects: SubjectEntry[];
  /** Alerts of this check a silence matched: held back (recorded, never delivered), or noted on a critical one. */
  silenced?: Array<SilenceNote & { alertId: string }>;
}

/** Enough for any realistic pile-up of hosts; each round either commits or adopts a newer result. */
const MAX_COMMIT_ATTEMPTS = 50;

export function openIncidentsOf(state: { incidents: readonly Incident[] }): OpenIncident[] {
  return state.incidents.map(({ id, kind, severity, openedAt, summary, subjectId }) => ({ id, kind, severity, openedAt, summary, subject: subjectOfAlertId(id) ?? 'apns', subjectId: subjectId ?? null }));
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

/** The silences in force, read once per check and only if it raises an alert. */
type SilenceSource = () => Promise<readonly Silence[]>;
const NO_SILENCES: ReadonlyMap<string, SilenceNote> = new Map();

/** Which new alerts a silence holds back (or only notes, for a critical incident's opening). */
async function silenceNotesFor(alerts: readonly AlertEvent[], silences: SilenceSource, now: Date, incidents: readonly Incident[], raised: readonly AlertEvent[] = alerts): Promise<ReadonlyMap<string, SilenceNote>> {
  if (alerts.length === 0) return NO_SILENCES;
  return silenceNotes(alerts, await silences(), now, criticalOpeners(incidents, raised));
}

/** The ids that will be delivered: what a silence holds back is never pending. */
function deliverableIds(alerts: readonly AlertEvent[], silenced: ReadonlyMap<string, SilenceNote>): string[] {
  return alerts.filter((a) => silenced.get(a.id)?.held !== true).map((a) => a.id);
}

interface ApnsOutcome {
  alerts: AlertEvent[];
  silenced: ReadonlyMap<string, SilenceNote>;
  /** This run's check, when it recorded one (not when it reported the winner's). */
  check: CheckRecord | null;
  recorded: CheckRecord;
  state: AlertState;
  /** The state row as this run left it: its ETag and its possibly undelivered alerts. */
  row: StateRowMark;
}

/** The push certificate's part of a check: decide and commit under the state's ETag. */
async function commitApns(deps: CheckDeps, read: ReadOutcome, now: Date, readStartedAt: string, silences: SilenceSource): Promise<ApnsOutcome> {
  const checkedAt = now.toISOString();
  const error = read.kind === 'failed' ? deps.redact(read.error) : null;
  const safeRead: ReadOutcome = read.kind === 'failed' ? { ...read, error: error ?? '' } : read;
  const evaluation = evaluate(safeRead, now, deps.policy);
  const certificate = read.kind === 'found' ? read.certificate : null;
  let epochOverride: string | null = null;
  for (let attempt = 1; ; attempt++) {
    // A good read needs the state row alone; a failed one also carries the last good check forward.
    const loaded = read.kind === 'failed' ? await deps.store.loadState() : await deps.store.loadAlertState();
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
    const mark = (etag: string | null, pending: string[] | null): StateRowMark => ({ subject: 'apns', etag, pending, lastPurgeAt: loaded.lastPurgeAt });
    // Nothing to raise and nothing changed: the state row stays as it is (the check goes to history).
    if (loaded.etag !== null && decision.alerts.length === 0 && sameState(decision.next, loaded.state)) {
      return { alerts: [], silenced: NO_SILENCES, check: candidate, recorded: candidate, state: decision.next, row: mark(loaded.etag, loaded.pending) };
    }
    // Decided as the alerts are recorded, once: what a silence held back stays held back.
    const silenced = await silenceNotesFor(decision.alerts, silences, now, decision.next.incidents);
    try {
      const etag = await deps.store.commitCheck(loaded.etag, decision.next, decision.alerts, loaded.pending, silenced);
      const pending = loaded.etag === null || loaded.pending === null ? null : [...loaded.pending, ...deliverableIds(decision.alerts, silenced)];
      return { alerts: decision.alerts, silenced, check: candidate, recorded: candidate, state: decision.next, row: mark(etag, pending) };
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
          return { alerts: [], silenced: NO_SILENCES, check: null, recorded: fresh.lastCheck as CheckRecord, state: fresh.state, row: { subject: 'apns', etag: fresh.etag, pending: fresh.pending, lastPurgeAt: fresh.lastPurgeAt } };
        }
        await backoff(attempt);
      }
    }
  }
}

interface TokenOutcome {
  subject: TokenSubjectKind;
  alerts: AlertEvent[];
  silenced: ReadonlyMap<string, SilenceNote>;
  state: TokenSubjectState;
  lastRead: StoredTokenRead;
  policy: TokenPolicy;
  row: StateRowMark;
}

/** A Table transaction holds 100 operations: the state row and at most this many alerts. */
export const MAX_ALERTS_PER_COMMIT = 90;
const SEVERITY_RANK: Record<AlertEvent['severity'], number> = { info: 0, warning: 1, critical: 2 };

/**
 * A flood (150 tokens removed at once) cannot be written with its state in one transaction, and nobody
 * reads 150 messages: past the limit the rest become one alert that counts them and names the tokens.
 * It takes the id of the first alert it stands for, so it is as unique and as repeatable as that one.
 */
export function foldOverflow(alerts: AlertEvent[], max = MAX_ALERTS_PER_COMMIT): AlertEvent[] {
  if (alerts.length <= max) return alerts;
  const kept = alerts.slice(0, max - 1);
  const rest = alerts.slice(max - 1);
  const worst = rest.reduce((a, b) => (SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ? b : a));
  const counts = new Map<string, number>();
  for (const a of rest) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  const names = rest.map((a) => a.subjectName ?? a.subjectId ?? 'unnamed');
  const what = rest[0]!.subject === 'vpp_token' ? 'VPP token' : rest[0]!.subject === 'ade_token' ? 'ADE token' : 'push certificate';
  const summary =
    `${rest.length} more ${what} alerts in the same check (${[...counts].map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`).join(', ')}), for: ` +
    `${names.slice(0, 20).join(', ')}${names.length > 20 ? `, and ${names.length - 20} more` : ''}. Each is recorded; the status page lists every token.`;
  return [...kept, { ...worst, id: rest[0]!.id, summary: summary.length > 3900 ? `${summary.slice(0, 3887)}…[truncated]` : summary, subjectId: null, subjectName: null, thresholdDays: null }];
}

/** A token subject's part of a check: its own row, ETag and retries, so it never holds the others up. */
async function commitTokenSubject(deps: CheckDeps, runner: TokenSubjectRunner, read: TokenReadOutcome<TokenFacts>, now: Date, readStartedAt: string, silences: SilenceSource): Promise<TokenOutcome> {
  const safeRead: TokenReadOutcome<TokenFacts> = read.kind === 'failed' ? { ...read, error: deps.redact(read.error) } : read;
  const lastRead: StoredTokenRead = { checkedAt: now.toISOString(), outcome: safeRead, omitted: 0 };
  let epochOverride: string | null = null;
  for (let attempt = 1; ; attempt++) {
    const loaded = await deps.store.loadSubject(runner.subject);
    const prior = epochOverride === null ? loaded.state : { ...loaded.state, epoch: epochOverride };
    const decision = decideTokenSubject(runner.subject, prior, safeRead, { now, policy: runner.policy, tenant: deps.tenant, newEpoch: newEpoch() });
    const alerts = foldOverflow(decision.alerts);
    const silenced = await silenceNotesFor(alerts, silences, now, decision.next.incidents, decision.alerts);
    try {
      const etag = await deps.store.commitSubject(runner.subject, loaded.etag, decision.next, lastRead, alerts, loaded.pending, silenced);
      const pending = loaded.etag === null || loaded.pending === null ? null : [...loaded.pending, ...deliverableIds(alerts, silenced)];
      return { subject: runner.subject, alerts, silenced, state: decision.next, lastRead, policy: runner.policy, row: { subject: runner.subject, etag, pending, lastPurgeAt: null } };
    } catch (e) {
      if (e instanceof AlertIdCollision) {
        deps.log.warn(`check ${runner.subject}: ${e.message}`);
        epochOverride = newEpoch();
      } else if (!(e instanceof ConcurrencyConflict) || attempt >= MAX_COMMIT_ATTEMPTS) {
        throw e;
      } else {
        const fresh = await deps.store.loadSubject(runner.subject);
        const winner = fresh.lastRead;
        if (winner !== null && winner.checkedAt >= readStartedAt && (safeRead.kind === 'failed' || winner.outcome.kind === 'found')) {
          return { subject: runner.subject, alerts: [], silenced: NO_SILENCES, state: fresh.state, lastRead: winner, policy: runner.policy, row: { subject: runner.subject, etag: fresh.etag, pending: fresh.pending, lastPurgeAt: null } };
        }
        await backoff(attempt);
      }
    }
  }
}

/**
 * After delivery, each state row learns which of its alerts are still undelivered, under the ETag it
 * had before the outbox was read (see MonitorStore.setPending): the next check then skips the outbox
 * when nothing is. A row that moved meanwhile keeps its set, and a later check settles it.
 */
async function rememberPending(deps: CheckDeps, rows: readonly StateRowMark[], deliveries: readonly AlertDelivery[]): Promise<void> {
  for (const row of rows) {
    if (row.etag === null) continue;
    const still = deliveries.filter((d) => d.pending && (subjectOfAlertId(d.alert.id) ?? 'apns') === row.subject).map((d) => d.alert.id);
    if (row.pending !== null && row.pending.length === still.length && still.every((id) => row.pending!.includes(id))) continue;
    try {
      await deps.store.setPending(row.subject, row.etag, still);
    } catch (e) {
      // Only a hint: the row stays as it was, and the next check reads the outbox again.
      deps.log.warn(`check: could not note which alerts are pending: ${deps.redact(e instanceof Error ? e.message : String(e))}`);
    }
  }
}

/** The push certificate as one entry among the watched credentials. */
function apnsEntry(recorded: CheckRecord): SubjectEntry {
  const cert = recorded.certificate;
  return {
    subject: 'apns',
    id: null,
    name: 'Apple MDM push certificate',
    status: recorded.status,
    daysRemaining: recorded.daysRemaining,
    expirationDateTime: cert?.expirationDateTime ?? null,
    appleIdentifier: cert?.appleIdentifier ?? null,
    state: null,
    lastSyncDateTime: null,
    error: recorded.error,
  };
}

/**
 * One check: read Graph for every watched credential at once, decide and record each atomically
 * (one failing never hides the others), deliver. The timer and the CLI both run this.
 */
export async function runCheck(deps: CheckDeps): Promise<CheckResult> {
  const readStartedAt = deps.now().toISOString();
  const deadline = deps.budgetMs === undefined ? undefined : Deadline.start(deps.budgetMs);
  const watchApns = deps.watchApns ?? true;
  const runners = deps.tokenSubjects ?? [];
  const readAt = deps.now();
  const devices = deps.deviceCertificates ?? null;
  const [apnsRead, tokenReads, deviceScan] = await Promise.all([
    watchApns ? deps.readCertificate(deadline) : Promise.resolve(null),
    Promise.all(runners.map((r) => r.read(deadline, readAt))),
    devices === null ? Promise.resolve(null) : devices.scan(deadline, readAt),
  ]);
  // Read only when a check raises something: a steady-state check makes no request for them.
  let silenceRead: Promise<readonly Silence[]> | null = null;
  const silences: SilenceSource = () => (silenceRead ??= silencesForCheck(deps.silences, readAt, deps.log, deps.redact));
  const now = deps.now();

  const apns = apnsRead === null ? null : await commitApns(deps, apnsRead, now, readStartedAt, silences);
  const tokens: TokenOutcome[] = [];
  const unrecorded: SubjectEntry[] = [];
  for (const [i, runner] of runners.entries()) {
    try {
      tokens.push(await commitTokenSubject(deps, runner, tokenReads[i]!, now, readStartedAt, silences));
    } catch (e) {
      // One credential that cannot be recorded must not keep the others' alerts from going out.
      const error = `could not record the ${runner.subject === 'vpp_token' ? 'VPP' : 'ADE'} tokens: ${deps.redact(e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e))}`;
      deps.log.error(`check: ${error}`);
      unrecorded.push({ subject: runner.subject, id: null, name: null, status: 'unknown', daysRemaining: null, expirationDateTime: null, appleIdentifier: null, state: null, lastSyncDateTime: null, error });
    }
  }
  // Issue 12: its own state row and list, so a failure to record it never holds the others' alerts up.
  let deviceOutcome: DeviceCertOutcome | null = null;
  if (devices !== null && deviceScan !== null) {
    try {
      deviceOutcome = await commitDeviceCertificates(devices, deviceScan, now, readStartedAt, silences, { tenant: deps.tenant, redact: deps.redact, log: deps.log, newEpoch });
    } catch (e) {
      const error = `could not record the device certificates: ${deps.redact(e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e))}`;
      deps.log.error(`check: ${error}`);
      unrecorded.push({ subject: 'device_certificate', id: null, name: 'Device certificates', status: 'unknown', daysRemaining: null, expirationDateTime: null, appleIdentifier: null, state: null, lastSyncDateTime: null, error });
    }
  }
  const alerts = [...(apns?.alerts ?? []), ...tokens.flatMap((t) => t.alerts), ...(deviceOutcome?.alerts ?? [])];
  const silenced = new Map([...(apns?.silenced ?? []), ...tokens.flatMap((t) => [...t.silenced]), ...(deviceOutcome?.silenced ?? [])]);

  try {
    await deps.store.appendHistory(apns?.check ?? null, alerts, now.toISOString(), randomUUID().slice(0, 8), silenced);
  } catch (e) {
    // The state is committed and alerts are queued; a lost history row must not stop delivery.
    deps.log.error(`check: could not append to history: ${deps.redact(e instanceof Error ? e.message : String(e))}`);
  }
  for (const alert of alerts) {
    const note = silenced.get(alert.id);
    const silence = note === undefined ? '' : note.held ? ` (silenced until ${note.until} by ${note.id}: recorded, not delivered)` : ` (a silence (${note.id}) matched, but it opens a critical incident: delivered)`;
    deps.log.info(`alert ${alert.kind} (${alert.severity}) raised: ${alert.id}${silence}`);
  }

  if (deps.notifiers.length === 0) deps.log.warn('no alert channel is configured: alerts stay queued until one is (set TEAMS_WEBHOOK_URL, EMAIL_FROM/EMAIL_TO, WEBHOOK_URL or NOTIFY_URL)');
  const rows = [...(apns === null ? [] : [apns.row]), ...tokens.map((t) => t.row)];
  // The state rows say which of their alerts may be undelivered: when none is, the outbox is not read.
  // Device-certificate alerts and alerts about the channels (named on the push certificate's row) have
  // no pending list of their own row to tell: with either in play the outbox is always read.
  const mayBePending = alerts.length > 0 || unrecorded.length > 0 || rows.length === 0 || apns === null || devices !== null || rows.some((r) => r.pending === null || r.pending.length > 0);
  const channelHealth = recorderFor(deps.store, deps.store.outbox, deps.notifiers, { tenant: deps.tenant, now: deps.now, redact: deps.redact, log: deps.log, silences: deps.silences });
  const deliveries = !mayBePending
    ? []
    : await deliverPending(deps.store.outbox, deps.notifiers, deps.now, deps.redact, {
        ...deps.delivery,
        onAttempt: channelHealth.onAttempt,
        // In the check's clock (which tests move), the moment its budget runs out.
        stopAt: deadline === undefined ? null : deps.now().getTime() + deadline.remainingMs(),
        onFailedForGood: (alert, channel, detail) => deps.store.recordDeliveryFailure({ at: deps.now().toISOString(), alertId: alert.id, kind: alert.kind, channel, detail }),
        onRecovered: (alert, channel) => deps.store.clearDeliveryFailure(alert.id, channel),
      });
  // Issue 15: each channel's health, and channel_failing / channel_recovered when one is due. A channel
  // alert left undelivered is named on the push certificate's row (its id names no subject), so the
  // next check looks for it.
  deliveries.push(...(await channelHealth.settle()));
  if (mayBePending && deps.notifiers.length > 0) await rememberPending(deps, rows, deliveries);
  for (const d of deliveries) {
    for (const c of d.channels) {
      if (c.outcome === 'retry-later' || c.outcome === 'failed-for-good') deps.log.warn(`alert ${d.alert.id} → ${c.channel}: ${c.outcome}: ${c.detail ?? ''}`);
    }
  }

  // Last, so it never holds up an alert; a failure is logged and the next day's check tries again.
  await purgeIfDue(deps, apns?.row ?? null, deadline);

  const subjects = [
    ...(apns === null ? [] : [apnsEntry(apns.recorded)]),
    ...tokens.flatMap((t) => tokenEntries(t.subject, t.lastRead.outcome, t.state, now, t.policy)),
    ...(deviceOutcome === null || devices === null ? [] : [deviceCertEntry(deviceOutcome.state, now, devices.policy)]),
    ...unrecorded,
  ];
  const incidents = [...(apns === null ? [] : openIncidentsOf(apns.state)), ...tokens.flatMap((t) => openIncidentsOf(t.state)), ...(deviceOutcome === null ? [] : openIncidentsOf(deviceOutcome.state))];
  const recorded = apns?.recorded ?? null;
  return {
    status: withIncidents(worstStatus(subjects.map((e) => e.status)), worstIncidentSeverity(incidents)),
    daysRemaining: recorded?.daysRemaining ?? null,
    checkedAt: recorded?.checkedAt ?? now.toISOString(),
    certificate: recorded?.certificate ?? null,
    error: recorded?.error ?? null,
    nextThresholdDays: nextThresholdDays(recorded?.daysRemaining ?? null, deps.policy.thresholdDays),
    alerts,
    deliveries,
    openIncidents: incidents,
    subjects,
    silenced: [...silenced].map(([alertId, note]) => ({ alertId, ...note })),
  };
}
