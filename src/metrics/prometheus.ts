import type { CertificateStatus } from '../domain/status';

/**
 * The monitor's read model as Prometheus text exposition (format 0.0.4). Pure: the caller builds the
 * model from stored state, never from a Graph call. Only base units (seconds, Unix timestamps), so
 * `promtool check metrics` has nothing to lint; dashboards compute days from the expiry timestamp.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export const STATUS_VALUES: readonly CertificateStatus[] = ['ok', 'warning', 'critical', 'expired', 'not_configured', 'unknown'];

export interface CredentialMetric {
  tenant: string | null;
  /** apns, vpp_token, ade_token. */
  subject: string;
  /** The Graph id; for the push certificate whatever identifies it (its id, or "apns"). */
  id: string;
  name: string;
  status: CertificateStatus;
  expirationDateTime: string | null;
  lastSyncDateTime: string | null;
}

export interface MonitorMetric {
  tenant: string | null;
  lastCheckAt: string | null;
  /** Whether the last check read every watched subject; null before any check. */
  lastCheckSucceeded: boolean | null;
  openIncidents: number;
}

export interface MetricsModel {
  credentials: readonly CredentialMetric[];
  monitor: MonitorMetric;
}

const MAX_LABEL_VALUE = 1024;

/** Label values are UTF-8 with backslash, double quote and line feed escaped; lone surrogates cannot be encoded. */
export function escapeLabelValue(value: string): string {
  const clipped = value.length <= MAX_LABEL_VALUE ? value : `${value.slice(0, MAX_LABEL_VALUE - 12)}…[truncated]`;
  return clipped
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string | null>): string {
  return `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabelValue(v ?? '')}"`)
    .join(',')}}`;
}

/** Seconds since the epoch; null when the instant is unknown (the series is then left out, not NaN). */
function seconds(iso: string | null): string | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : String(ms / 1000);
}

interface Family {
  name: string;
  help: string;
  samples: string[];
}

export function renderPrometheus(model: MetricsModel): string {
  const expiry: Family = { name: 'apple_credential_expiry_timestamp_seconds', help: 'When the Apple credential expires, as a Unix timestamp.', samples: [] };
  const lastSync: Family = { name: 'apple_credential_last_sync_timestamp_seconds', help: 'When the Apple token last synced with Apple, as a Unix timestamp.', samples: [] };
  const status: Family = { name: 'apple_credential_status', help: 'The Apple credential status: 1 for the current value of the status label, 0 for the others.', samples: [] };
  // Two credentials with the same subject and id would be duplicate series: the first one wins.
  const seen = new Set<string>();
  for (const c of model.credentials) {
    const key = `${c.tenant ?? ''}\u0000${c.subject}\u0000${c.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const base = { tenant: c.tenant, subject: c.subject, id: c.id, name: c.name };
    const exp = seconds(c.expirationDateTime);
    if (exp !== null) expiry.samples.push(`${expiry.name}${labels(base)} ${exp}`);
    const sync = seconds(c.lastSyncDateTime);
    if (sync !== null) lastSync.samples.push(`${lastSync.name}${labels(base)} ${sync}`);
    for (const value of STATUS_VALUES) status.samples.push(`${status.name}${labels({ ...base, status: value })} ${value === c.status ? 1 : 0}`);
  }
  const m = model.monitor;
  const monitorLabels = labels({ tenant: m.tenant });
  const lastCheck = seconds(m.lastCheckAt);
  const families: Family[] = [
    expiry,
    lastSync,
    status,
    {
      name: 'apns_monitor_last_check_timestamp_seconds',
      help: 'When the monitor last checked the tenant, as a Unix timestamp.',
      samples: lastCheck === null ? [] : [`apns_monitor_last_check_timestamp_seconds${monitorLabels} ${lastCheck}`],
    },
    {
      name: 'apns_monitor_last_check_success',
      help: 'Whether the last check read every watched credential (1) or not (0).',
      samples: m.lastCheckSucceeded === null ? [] : [`apns_monitor_last_check_success${monitorLabels} ${m.lastCheckSucceeded ? 1 : 0}`],
    },
    {
      name: 'apns_monitor_open_incidents',
      help: 'Incidents open until their condition ends or a person acknowledges them.',
      samples: [`apns_monitor_open_incidents${monitorLabels} ${Math.max(0, Math.trunc(m.openIncidents))}`],
    },
  ];
  return families.map((f) => [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`, ...f.samples].join('\n')).join('\n') + '\n';
}
