/**
 * Every app setting the monitor reads, with its default. The config module can read only these
 * (its reader is typed by this list), and a test holds local.settings.sample.json and the Bicep
 * app settings to the same names and defaults.
 */

/**
 * Where a setting belongs: `app` in the Function App's settings (Bicep) and the local sample;
 * `local` only in the local sample (an alternative Azure does differently); `platform` is set by
 * Azure itself.
 */
export type SettingPlace = 'app' | 'local' | 'platform';

export interface SettingSpec {
  readonly name: string;
  readonly default: string | null;
  readonly secret: boolean;
  readonly place: SettingPlace;
}

function s(name: string, place: SettingPlace, def: string | null = null, secret = false): SettingSpec {
  return { name, default: def, secret, place };
}

export const SETTINGS = [
  // Identity for Graph: unset in Azure (managed identity) unless the app reads another tenant.
  s('AZURE_TENANT_ID', 'app'),
  s('AZURE_CLIENT_ID', 'app'),
  s('AZURE_CLIENT_SECRET', 'app', null, true),
  // A certificate file exists only on a machine: Azure uses managed identity or the secret.
  s('AZURE_CLIENT_CERTIFICATE_PATH', 'local'),
  s('GRAPH_CLOUD', 'app', 'global'),
  s('GRAPH_API_VERSION', 'app', 'v1.0'),
  s('GRAPH_ENDPOINT', 'app'),
  s('AZURE_AUTHORITY_HOST', 'app'),
  // Storage: a connection string locally, identity-based in Azure.
  s('AzureWebJobsStorage', 'local'),
  s('AzureWebJobsStorage__accountName', 'app'),
  s('AzureWebJobsStorage__tableServiceUri', 'app'),
  // Identity-based storage uses the managed identity, as the host does; never Graph's credential.
  s('AzureWebJobsStorage__credential', 'app'),
  s('AzureWebJobsStorage__clientId', 'local'),
  s('TABLE_PREFIX', 'app', 'ApnsMonitor'),
  s('TENANT_NAME', 'app'),
  s('CHECK_SCHEDULE', 'app', '0 0 */6 * * *'),
  s('THRESHOLD_DAYS', 'app', '60,30,14,7,3,1'),
  s('WARNING_DAYS', 'app', '30'),
  s('CRITICAL_DAYS', 'app', '7'),
  s('EXPIRED_REPEAT_HOURS', 'app', '24'),
  // Which Apple credentials are watched, and the token subjects' own settings.
  s('WATCH', 'app', 'apns,vpp_token,ade_token'),
  s('SYNC_STALE_HOURS', 'app', '72'),
  s('VPP_TOKEN_THRESHOLD_DAYS', 'app'),
  s('ADE_TOKEN_THRESHOLD_DAYS', 'app'),
  // Device certificates (issue 12): their own thresholds, and the address alerts link the list with.
  s('DEVICE_CERT_THRESHOLD_DAYS', 'app', '30,14,7,1'),
  s('PUBLIC_BASE_URL', 'app'),
  // Deadlines: each outbound call, and the whole read (below host.json's functionTimeout of 10 min).
  s('HTTP_TIMEOUT_SECONDS', 'app', '30'),
  s('CHECK_BUDGET_SECONDS', 'app', '240'),
  // How long history is kept: older rows are deleted once a day by the check.
  s('HISTORY_RETENTION_DAYS', 'app', '730'),
  s('TEAMS_WEBHOOK_URL', 'app', null, true),
  s('EMAIL_FROM', 'app'),
  s('EMAIL_TO', 'app'),
  s('DISPLAY_TIMEZONE', 'app'),
  s('WEBHOOK_URL', 'app', null, true),
  s('WEBHOOK_SECRET', 'app', null, true),
  // github: X-Signature-256 only; standard: Standard Webhooks headers only; both (default).
  s('WEBHOOK_SIGNATURE', 'app', 'both'),
  s('NOTIFY_URL', 'app'),
  // For a NOTIFY_URL of your own; the deployment signs with NOTIFY_SIGNING_SECRET instead of a key.
  s('NOTIFY_KEY', 'local', null, true),
  // Signs the check's posts to /api/notify/signed; the deployment generates it (Key Vault).
  s('NOTIFY_SIGNING_SECRET', 'app', null, true),
  // The public client `apns-monitor renew` signs a person in with (device code); a laptop setting only.
  s('RENEW_CLIENT_ID', 'local'),
  s('WEBSITE_HOSTNAME', 'platform'),
] as const satisfies readonly SettingSpec[];

export type SettingName = (typeof SETTINGS)[number]['name'];

export function defaultOf(name: SettingName): string {
  const spec = SETTINGS.find((x) => x.name === name);
  if (spec === undefined || spec.default === null) throw new Error(`setting ${name} has no default`);
  return spec.default;
}
