import type { Client } from '@microsoft/microsoft-graph-client';
import { loadConfig, secretsOf, type Env, type MonitorConfig } from '../config';
import type { ReadOutcome } from '../domain/certificate';
import { createCertificateReader, type CertificateReaderOptions } from '../graph/certificateReader';
import { createGraphCredential } from '../graph/credential';
import { createGraphClient, type GraphClientOptions } from '../graph/graphClient';
import { readWithinBudget } from '../graph/readBudget';
import type { Deadline } from '../net/deadline';
import { redactingLogger, type Logger } from '../log';
import type { Notifier } from '../notify/notifier';
import { EmailNotifier } from '../notify/email';
import { NotifyFunctionNotifier } from '../notify/notifyFunction';
import { TeamsNotifier } from '../notify/teams';
import { WebhookNotifier } from '../notify/webhook';
import { Outbox } from '../storage/outbox';
import { createRedactor, type Redactor } from '../redact';
import { MonitorStore } from '../storage/monitorStore';
import { createTableClient, tableName, type TableRole } from '../storage/tableClients';
import type { CheckDeps } from '../check/runCheck';
import { createTokenSubjectRunners, type TokenSubjectRunner } from '../subjects/runners';
import { SilenceStore } from '../silences/store';
import { createDeviceCertificateReader } from '../subjects/device_certificate/reader';
import { createDeviceCertificateRunner, type DeviceCertificateRunner } from '../subjects/device_certificate/runner';
import { DeviceCertificateStore } from '../subjects/device_certificate/store';

/** Everything a handler or command needs, built once from the app settings. */
export interface Runtime {
  config: MonitorConfig;
  store: MonitorStore;
  /**
   * One read of the certificate, within `deadline` (by default a new one of CHECK_BUDGET_SECONDS):
   * past it the read is failed, never hanging. Pass the check's own Deadline to share its budget.
   */
  readCertificate: (deadline?: Deadline) => Promise<ReadOutcome>;
  /** Where the check sends alerts: the notify function when NOTIFY_URL is set, else the channels. */
  notifiers: Notifier[];
  /** The configured channels themselves (Teams, email, webhook). */
  channels: Notifier[];
  /** The notify function's delivery log, idempotent on the event id. */
  deliveryLog: Outbox;
  /** The token subjects WATCH names (VPP, ADE), each read and judged beside the push certificate. */
  tokenSubjects: TokenSubjectRunner[];
  /** Silences (issue 15): a row each beside the state. */
  silences: SilenceStore;
  /** Issue 12: where the device-certificate state and list are kept (read by views even when not watched). */
  deviceCertificateStore: DeviceCertificateStore;
  /** Issue 12: the scan, when WATCH names device_certificate; null otherwise. */
  deviceCertificates: DeviceCertificateRunner | null;
  redact: Redactor;
}

export interface RuntimeOptions {
  graph?: GraphClientOptions & CertificateReaderOptions;
  /** Device certificates asked per page ($top); the bench and tests may ask for other sizes. */
  deviceCertificatePageSize?: number;
}

export function createChannels(config: MonitorConfig, graph: Client): Notifier[] {
  const view = { cloud: config.cloud, timeZone: config.displayTimeZone };
  const channels: Notifier[] = [];
  if (config.teams !== null) channels.push(new TeamsNotifier(config.teams, view, config.httpTimeoutMs));
  if (config.email !== null) channels.push(new EmailNotifier(config.email, graph, view));
  if (config.webhook !== null) channels.push(new WebhookNotifier(config.webhook, config.httpTimeoutMs));
  return channels;
}

export function createRuntime(env: Env, options: RuntimeOptions = {}): Runtime {
  const config = loadConfig(env);
  const client = createGraphClient(config, createGraphCredential(config), options.graph);
  const channels = createChannels(config, client);
  const table = (role: TableRole) => createTableClient(config.storage, tableName(config.tablePrefix, role));
  const redact = createRedactor(secretsOf(config, env));
  const read = createCertificateReader(client, { graphEndpoint: config.graphEndpoint, ...options.graph });
  const state = table('State');
  const store = new MonitorStore(state, table('History'));
  const deviceCertificateStore = new DeviceCertificateStore(store.outbox);
  const deviceReader = createDeviceCertificateReader(client, { graphEndpoint: config.graphEndpoint, ...options.graph, ...(options.deviceCertificatePageSize === undefined ? {} : { pageSize: options.deviceCertificatePageSize }) });
  return {
    config,
    store,
    deviceCertificateStore,
    deviceCertificates: config.watch.includes('device_certificate')
      ? createDeviceCertificateRunner({ reader: deviceReader, store: deviceCertificateStore, policy: config.deviceCertPolicy, budgetMs: config.checkBudgetMs, redact, publicBaseUrl: config.publicBaseUrl })
      : null,
    silences: new SilenceStore(state),
    readCertificate: readWithinBudget(read, config.checkBudgetMs, redact),
    notifiers: config.notify === null ? channels : [new NotifyFunctionNotifier(config.notify, config.httpTimeoutMs, channels.map((c) => c.target))],
    channels,
    deliveryLog: new Outbox(table('Deliveries'), 'notify', ''),
    redact,
    tokenSubjects: createTokenSubjectRunners(config, client, redact, { graphEndpoint: config.graphEndpoint, ...options.graph }),
  };
}

export function checkDeps(runtime: Runtime, log: Logger, now: () => Date = () => new Date()): CheckDeps {
  return {
    readCertificate: runtime.readCertificate,
    store: runtime.store,
    notifiers: runtime.notifiers,
    policy: runtime.config.policy,
    tenant: runtime.config.tenantName,
    now,
    redact: runtime.redact,
    log: redactingLogger(log, runtime.redact),
    budgetMs: runtime.config.checkBudgetMs,
    watchApns: runtime.config.watch.includes('apns'),
    tokenSubjects: runtime.tokenSubjects,
    silences: runtime.silences,
    deviceCertificates: runtime.deviceCertificates,
    delivery: { claimMs: claimMsFor(runtime.config.httpTimeoutMs) },
    historyRetentionDays: runtime.config.historyRetentionDays,
  };
}

/**
 * A delivery claim outlasts the longest send: the forwarder's wait (four HTTP deadlines) and an
 * inline Retry-After, with a minute to spare. Then no overlapping run can send to a channel that
 * another is still sending to.
 */
export function claimMsFor(httpTimeoutMs: number): number {
  return 5 * httpTimeoutMs + 60_000;
}

let shared: Runtime | null = null;

/** The function host's runtime: built on first use so a bad setting fails the invocation, not the host. */
export function sharedRuntime(): Runtime {
  shared ??= createRuntime(process.env);
  return shared;
}
