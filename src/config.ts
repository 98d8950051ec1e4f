import { CLOUDS, CLOUD_NAMES, type CloudName } from './clouds';
import { accessSync, constants, statSync } from 'node:fs';
import { parseSchedule } from './schedule/ncrontab';
import { defaultOf, type SettingName } from './settings';
import { SUBJECT_KINDS, type SubjectKind } from './domain/alertEvent';
import type { TokenPolicy } from './rules/policy';
import type { DeviceCertPolicy } from './subjects/device_certificate/rules';
import type { TokenSubjectKind } from './subjects/token';
import { connectionStringProblem } from './storageConnectionString';

/**
 * Every app setting the monitor reads, parsed once. Invalid values stop the run with a one-line error
 * that names the setting and what it expects; secret values are never echoed back.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** A value shown in an error stays on its one line: control characters appear escaped (\n, \u0007). */
function oneLine(shown: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return shown.replace(CONTROL, (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    readonly expected: string,
    shownValue?: string,
  ) {
    super(`Invalid setting ${setting}${shownValue === undefined ? '' : `="${oneLine(shownValue)}"`}: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

export type StorageConfig =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; tableServiceUri: string; managedIdentityClientId: string | null };

/** Which Entra credential reads Graph; `default` is DefaultAzureCredential (managed identity in Azure). */
export type GraphCredentialConfig =
  | { kind: 'clientSecret'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'clientCertificate'; tenantId: string; clientId: string; certificatePath: string }
  | { kind: 'default'; managedIdentityClientId: string | null };

/** Which signature headers the webhook channel sends: GitHub-style, Standard Webhooks, or both. */
export type WebhookSignatureScheme = 'github' | 'standard' | 'both';

export interface WebhookConfig {
  url: string;
  secret: string;
  signature: WebhookSignatureScheme;
}

export interface TeamsConfig {
  url: string;
}

export interface EmailConfig {
  /** The mailbox (UPN or object ID) that sends, through Graph sendMail. */
  from: string;
  to: string[];
}

/** The notify function the check posts alerts to, instead of delivering them in-process. */
export interface NotifyEndpointConfig {
  url: string;
  key: string | null;
  /** Signs each post (Standard Webhooks) for the notify function's anonymous signed route. */
  signingSecret: string | null;
}

export interface AlertPolicy {
  /** Descending, unique, whole days. */
  thresholdDays: number[];
  warningDays: number;
  criticalDays: number;
  expiredRepeatHours: number;
}

export interface MonitorConfig {
  tenantName: string | null;
  cloud: CloudName;
  graphEndpoint: string;
  graphApiVersion: 'v1.0' | 'beta';
  authorityHost: string;
  /** True when the authority is not the cloud's own: instance discovery must then be off. */
  customAuthorityHost: boolean;
  credential: GraphCredentialConfig;
  storage: StorageConfig;
  tablePrefix: string;
  policy: AlertPolicy;
  /** The Apple credentials watched (WATCH), in the order given. */
  watch: SubjectKind[];
  /** Device certificates (issue 12): DEVICE_CERT_THRESHOLD_DAYS; warning/critical days are the push certificate's. */
  deviceCertPolicy: DeviceCertPolicy;
  /**
   * Where people reach the app (PUBLIC_BASE_URL, else https://WEBSITE_HOSTNAME), without a trailing
   * slash; null when neither is known. Alerts link the device-certificate list with it.
   */
  publicBaseUrl: string | null;
  /** Thresholds and sync staleness per token subject; warning/critical days are the push certificate's. */
  tokenPolicies: Record<TokenSubjectKind, TokenPolicy>;
  checkSchedule: string;
  webhook: WebhookConfig | null;
  teams: TeamsConfig | null;
  email: EmailConfig | null;
  /** IANA time zone in which alerts also show the expiry, e.g. Europe/Berlin. */
  displayTimeZone: string | null;
  notify: NotifyEndpointConfig | null;
  /** The secret the notify function's signed route verifies (NOTIFY_SIGNING_SECRET); null: route refuses all. */
  notifySigningSecret: string | null;
  /** The deadline of every outbound call (Entra, Graph, Teams, webhook; the notify forwarder gets four). */
  httpTimeoutMs: number;
  /** The whole read of the certificate, retries included. */
  checkBudgetMs: number;
  /** History rows older than this are deleted (HISTORY_RETENTION_DAYS), once a day, by the check. */
  historyRetentionDays: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULTS = {
  GRAPH_CLOUD: defaultOf('GRAPH_CLOUD'),
  GRAPH_API_VERSION: defaultOf('GRAPH_API_VERSION'),
  THRESHOLD_DAYS: defaultOf('THRESHOLD_DAYS'),
  WARNING_DAYS: defaultOf('WARNING_DAYS'),
  CRITICAL_DAYS: defaultOf('CRITICAL_DAYS'),
  EXPIRED_REPEAT_HOURS: defaultOf('EXPIRED_REPEAT_HOURS'),
  CHECK_SCHEDULE: defaultOf('CHECK_SCHEDULE'),
  TABLE_PREFIX: defaultOf('TABLE_PREFIX'),
  HTTP_TIMEOUT_SECONDS: defaultOf('HTTP_TIMEOUT_SECONDS'),
  CHECK_BUDGET_SECONDS: defaultOf('CHECK_BUDGET_SECONDS'),
  HISTORY_RETENTION_DAYS: defaultOf('HISTORY_RETENTION_DAYS'),
  WATCH: defaultOf('WATCH'),
  SYNC_STALE_HOURS: defaultOf('SYNC_STALE_HOURS'),
  DEVICE_CERT_THRESHOLD_DAYS: defaultOf('DEVICE_CERT_THRESHOLD_DAYS'),
};

/** host.json's functionTimeout is 10 minutes: the read's budget leaves half a minute to record the check. */
export const MAX_CHECK_BUDGET_SECONDS = 570;

/** Azurite's well-known development account, what `UseDevelopmentStorage=true` means. */
export const DEVELOPMENT_STORAGE_CONNECTION_STRING =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
  'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
  'TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

function value(env: Env, name: SettingName): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

function wholeNumber(env: Env, name: SettingName, fallback: string, min: number, max: number): number {
  const raw = value(env, name) ?? fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `a whole number from ${min} to ${max}`, raw);
  }
  return Number(raw);
}

/** WATCH: which credentials are watched; an unknown name is refused by name, each name once. */
function parseWatch(env: Env): SubjectKind[] {
  const raw = value(env, 'WATCH') ?? DEFAULTS.WATCH;
  const names = raw.split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
  const expected = `a comma-separated list of ${SUBJECT_KINDS.join(', ')}`;
  if (names.length === 0) throw new ConfigError('WATCH', expected, raw);
  for (const name of names) {
    if (!(SUBJECT_KINDS as readonly string[]).includes(name)) throw new ConfigError('WATCH', `${expected}; "${name}" is not one of them`, raw);
  }
  if (new Set(names).size !== names.length) throw new ConfigError('WATCH', `${expected}, each once`, raw);
  return names as SubjectKind[];
}

/** A token subject's thresholds: its own setting, else THRESHOLD_DAYS. */
function tokenThresholds(env: Env, name: 'VPP_TOKEN_THRESHOLD_DAYS' | 'ADE_TOKEN_THRESHOLD_DAYS', fallback: number[]): number[] {
  const raw = value(env, name);
  return raw === undefined ? fallback : parseThresholds(raw, name);
}

export function parseThresholds(raw: string, setting = 'THRESHOLD_DAYS'): number[] {
  const expected = 'a comma-separated list of whole days from 1 to 365, e.g. 60,30,14,7,3,1';
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new ConfigError(setting, expected, raw);
  const days = parts.map(Number);
  if (days.some((d) => d < 1 || d > 365)) throw new ConfigError(setting, expected, raw);
  if (new Set(days).size !== days.length) throw new ConfigError(setting, `${expected}, each day once`, raw);
  return days.sort((a, b) => b - a);
}

function httpsUrl(env: Env, name: SettingName, secret: boolean): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'an absolute https:// URL', secret ? undefined : raw);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(name, 'an https:// URL (plain http is allowed only on loopback)', secret ? undefined : raw);
  }
  return secret ? raw : raw.replace(/\/+$/, '');
}

function parseStorage(env: Env, cloud: CloudName): StorageConfig {
  const connectionString = value(env, 'AzureWebJobsStorage');
  if (connectionString !== undefined) {
    if (/^UseDevelopmentStorage=true;?$/i.test(connectionString)) {
      return { kind: 'connectionString', connectionString: DEVELOPMENT_STORAGE_CONNECTION_STRING };
    }
    const problem = connectionStringProblem(connectionString);
    if (problem !== null) {
      // Never the value: it holds the account key or a SAS token.
      throw new ConfigError(
        'AzureWebJobsStorage',
        `a storage connection string (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=… or TableEndpoint=…;SharedAccessSignature=…) or UseDevelopmentStorage=true, but ${problem}`,
      );
    }
    return { kind: 'connectionString', connectionString };
  }
  const credential = value(env, 'AzureWebJobsStorage__credential');
  if (credential !== undefined && credential.toLowerCase() !== 'managedidentity') {
    throw new ConfigError('AzureWebJobsStorage__credential', 'managedidentity (the only identity the monitor uses for storage)', credential);
  }
  const managedIdentityClientId = value(env, 'AzureWebJobsStorage__clientId') ?? null;
  const tableServiceUri = httpsUrl(env, 'AzureWebJobsStorage__tableServiceUri', false);
  if (tableServiceUri !== undefined) return { kind: 'identity', tableServiceUri, managedIdentityClientId };
  const accountName = value(env, 'AzureWebJobsStorage__accountName');
  if (accountName !== undefined) {
    if (!/^[a-z0-9]{3,24}$/.test(accountName)) {
      throw new ConfigError('AzureWebJobsStorage__accountName', 'a storage account name (3-24 lowercase letters and digits)', accountName);
    }
    return {
      kind: 'identity',
      tableServiceUri: `https://${accountName}.table.${CLOUDS[cloud].storageSuffix}`,
      managedIdentityClientId,
    };
  }
  throw new ConfigError(
    'AzureWebJobsStorage',
    'a connection string, UseDevelopmentStorage=true, or AzureWebJobsStorage__accountName (or __tableServiceUri) for identity-based access',
  );
}

const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS name with at least two labels, e.g. contoso.onmicrosoft.com. */
const DOMAIN = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
/** A host name (one label or more) or IPv4 address, with an optional port, as Azure sets WEBSITE_HOSTNAME. */
const HOST_AND_PORT = /^(?=[^:]{1,253}(?::|$))(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d{2}|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3}))?$/;
const TENANT_NAME_MAX = 200;

function parseEmail(env: Env): EmailConfig | null {
  const from = value(env, 'EMAIL_FROM');
  const toRaw = value(env, 'EMAIL_TO');
  if (from === undefined && toRaw === undefined) return null;
  if (from === undefined) throw new ConfigError('EMAIL_FROM', 'the sending mailbox (UPN or object ID) when EMAIL_TO is set');
  if (!EMAIL.test(from) && !GUID.test(from)) throw new ConfigError('EMAIL_FROM', 'a mailbox address (UPN) or user object ID', from);
  if (toRaw === undefined) throw new ConfigError('EMAIL_TO', 'a comma-separated list of recipient addresses when EMAIL_FROM is set');
  const to = toRaw.split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (to.length === 0 || to.some((a) => !EMAIL.test(a))) throw new ConfigError('EMAIL_TO', 'a comma-separated list of email addresses', toRaw);
  return { from, to };
}

/** PUBLIC_BASE_URL (an https URL, path allowed), else the host Azure sets; query and fragment make no base. */
function parsePublicBaseUrl(env: Env): string | null {
  const raw = value(env, 'PUBLIC_BASE_URL');
  if (raw !== undefined) {
    // Every alert links through this base: a user name or password in it would be sent to every channel (and not shown here).
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(raw)) throw new ConfigError('PUBLIC_BASE_URL', 'an https:// URL without a user name or password in it (alerts carry it to every channel)');
    const url = httpsUrl(env, 'PUBLIC_BASE_URL', false)!;
    if (/[?#]/.test(raw)) throw new ConfigError('PUBLIC_BASE_URL', 'an https:// URL without a query or fragment, e.g. https://apns-monitor.contoso.com', raw);
    return url;
  }
  const host = value(env, 'WEBSITE_HOSTNAME');
  return host !== undefined && HOST_AND_PORT.test(host) ? `https://${host}` : null;
}

function parseTimeZone(env: Env): string | null {
  const zone = value(env, 'DISPLAY_TIMEZONE');
  if (zone === undefined) return null;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError('DISPLAY_TIMEZONE', 'an IANA time zone such as Europe/Berlin or America/New_York', zone);
  }
  return zone;
}

/**
 * In Azure the check posts to this app's own notify function unless told otherwise; locally (no
 * WEBSITE_HOSTNAME) it delivers in-process. NOTIFY_URL=inprocess forces in-process delivery.
 */
function parseNotify(env: Env): NotifyEndpointConfig | null {
  const raw = value(env, 'NOTIFY_URL');
  if (raw !== undefined && raw.toLowerCase() === 'inprocess') return null;
  const host = value(env, 'WEBSITE_HOSTNAME');
  if (host !== undefined && !HOST_AND_PORT.test(host)) {
    throw new ConfigError('WEBSITE_HOSTNAME', 'a host name with an optional port, e.g. apns-monitor.azurewebsites.net', host);
  }
  const url = httpsUrl(env, 'NOTIFY_URL', false) ?? (host === undefined ? undefined : `https://${host}/api/notify`);
  if (url === undefined) return null;
  const key = value(env, 'NOTIFY_KEY') ?? null;
  const signingSecret = value(env, 'NOTIFY_SIGNING_SECRET') ?? null;
  if (signingSecret !== null && signingSecret.length < 16) {
    throw new ConfigError('NOTIFY_SIGNING_SECRET', 'a signing secret of at least 16 characters');
  }
  if (key === null && signingSecret === null && raw === undefined) {
    throw new ConfigError(
      'NOTIFY_SIGNING_SECRET',
      `the secret that signs posts to ${url.replace(/\/notify$/, '/notify/signed')} (or NOTIFY_KEY, the notify function's key), or NOTIFY_URL=inprocess`,
    );
  }
  // The deployment's own notify URL: signed posts go to the anonymous route that verifies them.
  const signedUrl = signingSecret !== null && raw === undefined ? `${url}/signed` : url;
  return { url: signedUrl, key, signingSecret };
}

function parseCredential(env: Env): GraphCredentialConfig {
  const tenantId = value(env, 'AZURE_TENANT_ID');
  const clientId = value(env, 'AZURE_CLIENT_ID');
  const clientSecret = value(env, 'AZURE_CLIENT_SECRET');
  const certificatePath = value(env, 'AZURE_CLIENT_CERTIFICATE_PATH');
  if (tenantId !== undefined && !GUID.test(tenantId) && !DOMAIN.test(tenantId)) {
    throw new ConfigError('AZURE_TENANT_ID', 'the Entra tenant ID: a GUID or a domain such as contoso.onmicrosoft.com', tenantId);
  }
  if (certificatePath !== undefined) checkReadableFile('AZURE_CLIENT_CERTIFICATE_PATH', certificatePath);
  if (clientSecret === undefined && certificatePath === undefined) return { kind: 'default', managedIdentityClientId: clientId ?? null };
  if (tenantId === undefined) throw new ConfigError('AZURE_TENANT_ID', 'the Entra tenant ID (a GUID or domain) when a client secret or certificate is set');
  if (clientId === undefined) throw new ConfigError('AZURE_CLIENT_ID', 'the app registration\'s client ID when a client secret or certificate is set');
  if (clientSecret !== undefined) return { kind: 'clientSecret', tenantId, clientId, clientSecret };
  return { kind: 'clientCertificate', tenantId, clientId, certificatePath: certificatePath as string };
}

/** A file the process can read now, so a wrong path fails at start and not at the first token request. */
function checkReadableFile(name: SettingName, path: string): void {
  let problem: string | null = null;
  try {
    if (!statSync(path).isFile()) problem = 'is not a file';
    else accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem ??= code === 'ENOENT' ? 'does not exist' : 'is not readable';
  }
  if (problem !== null) throw new ConfigError(name, `a readable PEM certificate file, but the path ${problem}`, path);
}

/** Shown in alerts and on the plugin line: one line of plain text. */
function parseTenantName(env: Env): string | null {
  const name = value(env, 'TENANT_NAME');
  if (name === undefined) return null;
  if (new RegExp(CONTROL.source).test(name) || name.length > TENANT_NAME_MAX) {
    throw new ConfigError('TENANT_NAME', `one line of text (no line breaks or control characters), at most ${TENANT_NAME_MAX} characters`, name.length > 80 ? `${name.slice(0, 80)}…` : name);
  }
  return name;
}

export function loadConfig(env: Env): MonitorConfig {
  const cloudRaw = (value(env, 'GRAPH_CLOUD') ?? DEFAULTS.GRAPH_CLOUD).toLowerCase();
  if (!(CLOUD_NAMES as string[]).includes(cloudRaw)) {
    throw new ConfigError('GRAPH_CLOUD', `one of ${CLOUD_NAMES.join(', ')}`, cloudRaw);
  }
  const cloud = cloudRaw as CloudName;

  const apiVersion = value(env, 'GRAPH_API_VERSION') ?? DEFAULTS.GRAPH_API_VERSION;
  if (apiVersion !== 'v1.0' && apiVersion !== 'beta') throw new ConfigError('GRAPH_API_VERSION', 'v1.0 or beta', apiVersion);

  const graphEndpoint = httpsUrl(env, 'GRAPH_ENDPOINT', false) ?? CLOUDS[cloud].graphEndpoint;
  const authorityOverride = httpsUrl(env, 'AZURE_AUTHORITY_HOST', false);
  const authorityHost = authorityOverride ?? CLOUDS[cloud].authorityHost;
  const customAuthorityHost = authorityOverride !== undefined && !CLOUD_NAMES.some((c) => CLOUDS[c].authorityHost === authorityOverride);

  const thresholdDays = parseThresholds(value(env, 'THRESHOLD_DAYS') ?? DEFAULTS.THRESHOLD_DAYS);
  const warningDays = wholeNumber(env, 'WARNING_DAYS', DEFAULTS.WARNING_DAYS, 1, 365);
  const criticalDays = wholeNumber(env, 'CRITICAL_DAYS', DEFAULTS.CRITICAL_DAYS, 1, 365);
  if (criticalDays > warningDays) {
    throw new ConfigError('CRITICAL_DAYS', `a number of days no larger than WARNING_DAYS (${warningDays})`, String(criticalDays));
  }
  const expiredRepeatHours = wholeNumber(env, 'EXPIRED_REPEAT_HOURS', DEFAULTS.EXPIRED_REPEAT_HOURS, 1, 720);
  const syncStaleHours = wholeNumber(env, 'SYNC_STALE_HOURS', DEFAULTS.SYNC_STALE_HOURS, 1, 8760);

  const checkSchedule = value(env, 'CHECK_SCHEDULE') ?? DEFAULTS.CHECK_SCHEDULE;
  try {
    parseSchedule(checkSchedule);
  } catch (error) {
    const why = error instanceof Error ? ` (${error.message})` : '';
    throw new ConfigError('CHECK_SCHEDULE', `a six-field NCRONTAB expression that runs, e.g. "0 0 */6 * * *"${why}`, checkSchedule);
  }

  const tablePrefix = value(env, 'TABLE_PREFIX') ?? DEFAULTS.TABLE_PREFIX;
  if (!/^[A-Za-z][A-Za-z0-9]{2,40}$/.test(tablePrefix)) {
    throw new ConfigError('TABLE_PREFIX', 'letters and digits, starting with a letter, 3 to 41 characters', tablePrefix);
  }

  const webhookUrl = httpsUrl(env, 'WEBHOOK_URL', true);
  const webhookSecret = value(env, 'WEBHOOK_SECRET');
  let webhook: WebhookConfig | null = null;
  if (webhookUrl !== undefined) {
    if (webhookSecret === undefined || webhookSecret.length < 16) {
      throw new ConfigError('WEBHOOK_SECRET', 'a signing secret of at least 16 characters when WEBHOOK_URL is set');
    }
    const scheme = (value(env, 'WEBHOOK_SIGNATURE') ?? defaultOf('WEBHOOK_SIGNATURE')).toLowerCase();
    if (scheme !== 'github' && scheme !== 'standard' && scheme !== 'both') throw new ConfigError('WEBHOOK_SIGNATURE', 'github, standard or both', scheme);
    webhook = { url: webhookUrl, secret: webhookSecret, signature: scheme };
  }

  const teamsUrl = httpsUrl(env, 'TEAMS_WEBHOOK_URL', true);

  const httpTimeoutSeconds = wholeNumber(env, 'HTTP_TIMEOUT_SECONDS', DEFAULTS.HTTP_TIMEOUT_SECONDS, 1, 120);
  const checkBudgetSeconds = wholeNumber(env, 'CHECK_BUDGET_SECONDS', DEFAULTS.CHECK_BUDGET_SECONDS, 10, MAX_CHECK_BUDGET_SECONDS);
  if (checkBudgetSeconds <= httpTimeoutSeconds) {
    throw new ConfigError('CHECK_BUDGET_SECONDS', `a number of seconds larger than HTTP_TIMEOUT_SECONDS (${httpTimeoutSeconds})`, String(checkBudgetSeconds));
  }

  return {
    tenantName: parseTenantName(env),
    cloud,
    graphEndpoint,
    graphApiVersion: apiVersion,
    authorityHost,
    customAuthorityHost,
    credential: parseCredential(env),
    storage: parseStorage(env, cloud),
    tablePrefix,
    policy: { thresholdDays, warningDays, criticalDays, expiredRepeatHours },
    watch: parseWatch(env),
    deviceCertPolicy: { thresholdDays: parseThresholds(value(env, 'DEVICE_CERT_THRESHOLD_DAYS') ?? DEFAULTS.DEVICE_CERT_THRESHOLD_DAYS, 'DEVICE_CERT_THRESHOLD_DAYS'), criticalDays, warningDays },
    publicBaseUrl: parsePublicBaseUrl(env),
    tokenPolicies: {
      vpp_token: { thresholdDays: tokenThresholds(env, 'VPP_TOKEN_THRESHOLD_DAYS', thresholdDays), warningDays, criticalDays, expiredRepeatHours, syncStaleHours },
      ade_token: { thresholdDays: tokenThresholds(env, 'ADE_TOKEN_THRESHOLD_DAYS', thresholdDays), warningDays, criticalDays, expiredRepeatHours, syncStaleHours },
    },
    checkSchedule,
    webhook,
    teams: teamsUrl === undefined ? null : { url: teamsUrl },
    email: parseEmail(env),
    displayTimeZone: parseTimeZone(env),
    notify: parseNotify(env),
    notifySigningSecret: value(env, 'NOTIFY_SIGNING_SECRET') ?? null,
    httpTimeoutMs: httpTimeoutSeconds * 1000,
    checkBudgetMs: checkBudgetSeconds * 1000,
    // At least 30 days: the dashboard and the incident record need a month behind them.
    historyRetentionDays: wholeNumber(env, 'HISTORY_RETENTION_DAYS', DEFAULTS.HISTORY_RETENTION_DAYS, 30, 36500),
  };
}

/**
 * The public client `apns-monitor renew --auth device-code` signs in with: the one Microsoft Graph
 * PowerShell (Connect-MgGraph) signs in with, "Microsoft Graph Command Line Tools", unless
 * RENEW_CLIENT_ID names the tenant's own public-client registration.
 */
export const DEFAULT_RENEW_CLIENT_ID = '14d82eec-204b-4c2f-b7e8-296a70dab67e';

export function renewClientId(env: Env): string {
  const id = value(env, 'RENEW_CLIENT_ID');
  if (id === undefined) return DEFAULT_RENEW_CLIENT_ID;
  if (!GUID.test(id)) throw new ConfigError('RENEW_CLIENT_ID', 'the application (client) ID of a public-client app registration, a GUID', id);
  return id;
}

/** Values that must never appear in a log line, an error or history. */
export function secretsOf(config: MonitorConfig, env: Env): string[] {
  const secrets = [value(env, 'AZURE_CLIENT_SECRET'), config.webhook?.url, config.webhook?.secret, config.teams?.url, config.notify?.key ?? undefined, config.notify?.signingSecret ?? undefined, config.notifySigningSecret ?? undefined];
  if (config.storage.kind === 'connectionString') {
    const key = /AccountKey=([^;]+)/i.exec(config.storage.connectionString)?.[1];
    const sas = /SharedAccessSignature=([^;]+)/i.exec(config.storage.connectionString)?.[1];
    secrets.push(key, sas);
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
}
