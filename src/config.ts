import { CLOUDS, CLOUD_NAMES, type CloudName } from './clouds';
import { parseSchedule } from './schedule/ncrontab';
import { defaultOf, type SettingName } from './settings';

/**
 * Every app setting the monitor reads, parsed once. Invalid values stop the run with a one-line error
 * that names the setting and what it expects; secret values are never echoed back.
 */

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    readonly expected: string,
    shownValue?: string,
  ) {
    super(`Invalid setting ${setting}${shownValue === undefined ? '' : `="${shownValue}"`}: expected ${expected}`);
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

export interface WebhookConfig {
  url: string;
  secret: string;
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
  checkSchedule: string;
  webhook: WebhookConfig | null;
  teams: TeamsConfig | null;
  email: EmailConfig | null;
  /** IANA time zone in which alerts also show the expiry, e.g. Europe/Berlin. */
  displayTimeZone: string | null;
  notify: NotifyEndpointConfig | null;
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
};

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
    if (!/AccountName=|TableEndpoint=|SharedAccessSignature=/i.test(connectionString)) {
      throw new ConfigError(
        'AzureWebJobsStorage',
        'a storage connection string (AccountName=…;AccountKey=… or TableEndpoint=…) or UseDevelopmentStorage=true',
      );
    }
    return { kind: 'connectionString', connectionString };
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
    'a connection string, UseDevelopmentStorage=true, or AzureWebJobsStorage__accountName for identity-based access',
  );
}

const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  const url = httpsUrl(env, 'NOTIFY_URL', false) ?? (host === undefined ? undefined : `https://${host}/api/notify`);
  if (url === undefined) return null;
  const key = value(env, 'NOTIFY_KEY') ?? null;
  if (key === null && raw === undefined) {
    throw new ConfigError('NOTIFY_KEY', `the notify function's key (sent as x-functions-key to ${url}), or NOTIFY_URL=inprocess`);
  }
  return { url, key };
}

function parseCredential(env: Env): GraphCredentialConfig {
  const tenantId = value(env, 'AZURE_TENANT_ID');
  const clientId = value(env, 'AZURE_CLIENT_ID');
  const clientSecret = value(env, 'AZURE_CLIENT_SECRET');
  const certificatePath = value(env, 'AZURE_CLIENT_CERTIFICATE_PATH');
  if (clientSecret === undefined && certificatePath === undefined) return { kind: 'default', managedIdentityClientId: clientId ?? null };
  if (tenantId === undefined) throw new ConfigError('AZURE_TENANT_ID', 'the Entra tenant ID (a GUID or domain) when a client secret or certificate is set');
  if (clientId === undefined) throw new ConfigError('AZURE_CLIENT_ID', 'the app registration\'s client ID when a client secret or certificate is set');
  if (clientSecret !== undefined) return { kind: 'clientSecret', tenantId, clientId, clientSecret };
  return { kind: 'clientCertificate', tenantId, clientId, certificatePath: certificatePath as string };
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

  const checkSchedule = value(env, 'CHECK_SCHEDULE') ?? DEFAULTS.CHECK_SCHEDULE;
  try {
    parseSchedule(checkSchedule);
  } catch (error) {
    const why = error instanceof Error ? ` (${error.message})` : '';
    throw new ConfigError('CHECK_SCHEDULE', `an NCRONTAB expression with six fields, e.g. "0 0 */6 * * *"${why}`, checkSchedule);
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
    webhook = { url: webhookUrl, secret: webhookSecret };
  }

  const teamsUrl = httpsUrl(env, 'TEAMS_WEBHOOK_URL', true);

  return {
    tenantName: value(env, 'TENANT_NAME') ?? null,
    cloud,
    graphEndpoint,
    graphApiVersion: apiVersion,
    authorityHost,
    customAuthorityHost,
    credential: parseCredential(env),
    storage: parseStorage(env, cloud),
    tablePrefix,
    policy: { thresholdDays, warningDays, criticalDays, expiredRepeatHours },
    checkSchedule,
    webhook,
    teams: teamsUrl === undefined ? null : { url: teamsUrl },
    email: parseEmail(env),
    displayTimeZone: parseTimeZone(env),
    notify: parseNotify(env),
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
  const secrets = [value(env, 'AZURE_CLIENT_SECRET'), config.webhook?.url, config.webhook?.secret, config.teams?.url, config.notify?.key ?? undefined];
  if (config.storage.kind === 'connectionString') {
    const key = /AccountKey=([^;]+)/i.exec(config.storage.connectionString)?.[1];
    const sas = /SharedAccessSignature=([^;]+)/i.exec(config.storage.connectionString)?.[1];
    secrets.push(key, sas);
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
}
