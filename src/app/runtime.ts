import { loadConfig, secretsOf, type Env, type MonitorConfig } from '../config';
import type { ReadOutcome } from '../domain/certificate';
import { createCertificateReader, type CertificateReaderOptions } from '../graph/certificateReader';
import { createGraphCredential } from '../graph/credential';
import { createGraphClient, type GraphClientOptions } from '../graph/graphClient';
import { redactingLogger, type Logger } from '../log';
import type { Notifier } from '../notify/notifier';
import { WebhookNotifier } from '../notify/webhook';
import { createRedactor, type Redactor } from '../redact';
import { MonitorStore } from '../storage/monitorStore';
import { createTableClient, tableName } from '../storage/tableClients';
import type { CheckDeps } from '../check/runCheck';

/** Everything a handler or command needs, built once from the app settings. */
export interface Runtime {
  config: MonitorConfig;
  store: MonitorStore;
  readCertificate: () => Promise<ReadOutcome>;
  notifiers: Notifier[];
  redact: Redactor;
}

export interface RuntimeOptions {
  graph?: GraphClientOptions & CertificateReaderOptions;
}

export function createNotifiers(config: MonitorConfig): Notifier[] {
  const notifiers: Notifier[] = [];
  if (config.webhook !== null) notifiers.push(new WebhookNotifier(config.webhook));
  return notifiers;
}

export function createRuntime(env: Env, options: RuntimeOptions = {}): Runtime {
  const config = loadConfig(env);
  const client = createGraphClient(config, createGraphCredential(config), options.graph);
  return {
    config,
    store: new MonitorStore(createTableClient(config.storage, tableName(config.tablePrefix, 'State')), createTableClient(config.storage, tableName(config.tablePrefix, 'History'))),
    readCertificate: createCertificateReader(client, { graphEndpoint: config.graphEndpoint, ...options.graph }),
    notifiers: createNotifiers(config),
    redact: createRedactor(secretsOf(config, env)),
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
  };
}

let shared: Runtime | null = null;

/** The function host's runtime: built on first use so a bad setting fails the invocation, not the host. */
export function sharedRuntime(): Runtime {
  shared ??= createRuntime(process.env);
  return shared;
}
