import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { escapeLabelValue, renderPrometheus, type MetricsModel } from '../../src/metrics/prometheus';

function promtool(): string | null {
  const r = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0 ? 'promtool' : null;
}
const tool = promtool();
// CI installs promtool (Debian package `prometheus`): there its absence is a failure, not a skip.
const inCi = process.env['CI'] === 'true';

function checkMetrics(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const hostile = 'Contoso "Sons" \\ back\\slash\nnew line\r\tcarriage "} 1\nfake_metric 2 # ü 🍎 \uD800 lone';

const model: MetricsModel = {
  credentials: [
    { tenant: hostile, subject: 'apns', id: 'apns', name: 'com.apple.mgmt.External.1', status: 'warning', expirationDateTime: '2027-01-05T10:00:00.000Z', lastSyncDateTime: null },
    { tenant: hostile, subject: 'vpp_token', id: 'vpp-1', name: hostile, status: 'critical', expirationDateTime: '2027-02-01T00:00:00.500Z', lastSyncDateTime: '2026-12-01T08:00:00.000Z' },
    { tenant: hostile, subject: 'vpp_token', id: 'vpp-1', name: 'duplicate, left out', status: 'ok', expirationDateTime: null, lastSyncDateTime: null },
    { tenant: hostile, subject: 'ade_token', id: 'x'.repeat(5000), name: '', status: 'unknown', expirationDateTime: null, lastSyncDateTime: '2026-12-24T00:00:00.000Z' },
  ],
  monitor: { tenant: hostile, lastCheckAt: '2026-12-26T10:00:00.000Z', lastCheckSucceeded: false, openIncidents: 3 },
};

describe('Prometheus text exposition', () => {
  test('label values escape backslash, double quote and line feed, and nothing else', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue('\uD800x')).toBe('\uFFFDx');
    expect(escapeLabelValue('y'.repeat(5000))).toHaveLength(1024);
  });

  test('one series per status value, 1 for the current one; unknown instants are left out, not NaN', () => {
    const text = renderPrometheus(model);
    const vpp = text.split('\n').filter((l) => l.startsWith('apple_credential_status{') && l.includes('id="vpp-1"'));
    expect(vpp).toHaveLength(6);
    expect(vpp.filter((l) => l.endsWith(' 1'))).toEqual([expect.stringContaining('status="critical"')]);
    expect(text).not.toContain('NaN');
    expect(text).not.toContain('duplicate, left out');
    expect(text).toContain('apple_credential_expiry_timestamp_seconds{');
    expect(text).toMatch(/apple_credential_expiry_timestamp_seconds\{[^\n]*id="vpp-1"[^\n]*\} 1801440000\.5\n/);
    expect(text).toMatch(/apns_monitor_last_check_success\{tenant="[^\n]*"\} 0\n/);
    expect(text).toMatch(/apns_monitor_open_incidents\{tenant="[^\n]*"\} 3\n/);
    // A hostile name cannot start a line of its own.
    expect(text.split('\n').filter((l) => l.startsWith('fake_metric'))).toEqual([]);
  });

  test('an empty tenant (no tokens, never checked) is still valid output', () => {
    const text = renderPrometheus({ credentials: [], monitor: { tenant: null, lastCheckAt: null, lastCheckSucceeded: null, openIncidents: 0 } });
    expect(text).toContain('apns_monitor_open_incidents{tenant=""} 0\n');
    if (tool !== null) expect(checkMetrics(text)).toEqual({ status: 0, output: '' });
  });

  test.skipIf(tool === null && !inCi)('promtool check metrics accepts it with no errors and no lint warnings', () => {
    expect(tool, 'promtool is not installed (apt-get install -y prometheus)').not.toBeNull();
    const r = checkMetrics(renderPrometheus(model));
    expect(r).toEqual({ status: 0, output: '' });
  });

  test.skipIf(tool === null)('the checker is real: it rejects broken output and lints non-base units', () => {
    expect(checkMetrics('apple_credential_status{tenant="a} 1\n').status).not.toBe(0);
    const lint = checkMetrics('# HELP x_days Days.\n# TYPE x_days gauge\nx_days 3\n# HELP y_count Y.\n# TYPE y_count counter\ny_count 1\n');
    expect(lint.output).not.toBe('');
  });
});
