import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main';
import { createRuntime } from '../../src/app/runtime';
import { apnsCertificate, GraphDouble } from '../doubles/graphDouble';
import { storageEnv } from '../support/harness';

const graph = new GraphDouble();
beforeAll(async () => void (await graph.start()));
afterAll(() => graph.close());

function io(env: Record<string, string>, now: Date) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { env, now: () => now, stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), runtime: (e: Record<string, string | undefined>) => createRuntime(e, { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } }) } };
}

describe('apns-monitor check / status', () => {
  test('check prints one plugin line and exits by status; status reads it back without Graph', async () => {
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
    const env = { ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso' };
    const run = io(env, new Date('2026-12-26T10:00:00Z'));
    expect(await main(['check'], run.io)).toBe(1);
    expect(run.out).toEqual(['APNS WARNING - expires 2027-01-05 (10 days) - Apple ID intune-apns@contoso.com - tenant Contoso - 1 alert raised | days_remaining=10;31:;8:']);

    const requestsBefore = graph.requests.length;
    const status = io(env, new Date('2026-12-26T10:00:00Z'));
    expect(await main(['status', '--json'], status.io)).toBe(1);
    expect(JSON.parse(status.out[0]!)).toMatchObject({ status: 'warning', daysRemaining: 10, checkedAt: '2026-12-26T10:00:00.000Z', stale: false });
    expect(graph.requests.length).toBe(requestsBefore);
  });

  test('status puts the check time before the performance data, and nothing after it', async () => {
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
    const env = { ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso' };
    expect(await main(['check'], io(env, new Date('2026-12-26T10:00:00Z')).io)).toBe(1);
    const status = io(env, new Date('2026-12-26T11:00:00Z'));
    expect(await main(['status'], status.io)).toBe(1);
    // The days left are those of now, as /api/status tells them: 9 days and 23 hours is 9 days.
    expect(status.out).toEqual(['APNS WARNING - expires 2027-01-05 (9 days) - Apple ID intune-apns@contoso.com - tenant Contoso - checked 2026-12-26T10:00:00.000Z | days_remaining=9;31:;8:']);
  });

  test('check --json carries status, days, time, certificate and the alerts', async () => {
    graph.certificate = apnsCertificate('2027-01-01T00:00:00Z');
    const run = io({ ...graph.env(), ...storageEnv() }, new Date('2027-01-02T00:00:00Z'));
    expect(await main(['check', '--json'], run.io)).toBe(2);
    const doc = JSON.parse(run.out.join('\n')) as Record<string, unknown>;
    expect(doc).toMatchObject({ status: 'expired', daysRemaining: -1, checkedAt: '2027-01-02T00:00:00.000Z', certificate: { appleIdentifier: 'intune-apns@contoso.com' } });
    expect((doc['alerts'] as Array<{ kind: string }>).map((a) => a.kind)).toEqual(['expired']);
  });

  test('status before any check is unknown (3)', async () => {
    const run = io({ ...graph.env(), ...storageEnv() }, new Date());
    expect(await main(['status'], run.io)).toBe(3);
    expect(run.out[0]).toMatch(/no check has been recorded yet/);
  });

  test.each([
    [{ THRESHOLD_DAYS: 'soon' }, 'Invalid setting THRESHOLD_DAYS="soon": expected a comma-separated list of whole days from 1 to 365, e.g. 60,30,14,7,3,1'],
    [{ GRAPH_CLOUD: 'mars' }, 'Invalid setting GRAPH_CLOUD="mars": expected one of global, usgov, usgovdod, china'],
    [{ TENANT_NAME: 'Contoso\nAPNS OK - fine' }, 'Invalid setting TENANT_NAME="Contoso\\nAPNS OK - fine": expected one line of text (no line breaks or control characters), at most 200 characters'],
    [{ CHECK_SCHEDULE: '0 0 0 31 2 *' }, 'Invalid setting CHECK_SCHEDULE="0 0 0 31 2 *": expected a six-field NCRONTAB expression that runs, e.g. "0 0 */6 * * *" (never runs: day 31 does not occur in month 2)'],
  ])('bad setting %j: the UNKNOWN line on stdout for the monitoring system, one line on stderr, exit 3', async (bad, message) => {
    const run = io({ ...graph.env(), ...storageEnv(), ...bad }, new Date());
    expect(await main(['check'], run.io)).toBe(3);
    expect(run.out).toEqual([`APNS UNKNOWN - ${message}`]);
    expect(run.err).toEqual([`apns-monitor: ${message}`]);
  });

  test('a malformed storage connection string is refused through the CLI without echoing its key', async () => {
    const run = io({ ...graph.env(), AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=acct01;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;TableEndpoint=acct01.table.core.windows.net' }, new Date());
    expect(await main(['status'], run.io)).toBe(3);
    expect(run.out).toHaveLength(1);
    expect(run.out[0]).toMatch(/^APNS UNKNOWN - Invalid setting AzureWebJobsStorage: expected a storage connection string .* but TableEndpoint must be an http\(s\) URL$/);
    expect([...run.out, ...run.err].join('\n')).not.toContain('c2VjcmV0LWtleS12YWx1ZQ==');
  });

  test('--json failures are a JSON document on stdout', async () => {
    const run = io({ ...graph.env(), ...storageEnv(), THRESHOLD_DAYS: 'soon' }, new Date());
    expect(await main(['status', '--json'], run.io)).toBe(3);
    expect(JSON.parse(run.out.join('\n'))).toEqual({ status: 'unknown', error: expect.stringMatching(/^Invalid setting THRESHOLD_DAYS="soon"/) });
  });

  test.each([
    [['chekc'], 'unknown command chekc', /^usage: apns-monitor <command>/m],
    [['check', '--jsn'], 'unknown option --jsn', /^usage: apns-monitor check \[--json\]/m],
    [['check', '--json=yes'], '--json takes no value', /^usage: apns-monitor check/m],
    [['status', 'extra'], 'unexpected argument "extra"', /^usage: apns-monitor status/m],
    [['serve', '--port'], '--port needs a value (--port N)', /^usage: apns-monitor serve \[--port N\]/m],
    [['--bogus'], 'unknown option --bogus', /^usage: apns-monitor <command>/m],
    [[], 'no command given: run `apns-monitor --help`', /^usage: apns-monitor <command>/m],
  ])('%j: usage on stderr, the UNKNOWN line on stdout, exit 3', async (argv, message, usage) => {
    const run = io({}, new Date());
    expect(await main(argv, run.io)).toBe(3);
    expect(run.out).toEqual([`APNS UNKNOWN - ${message}`]);
    expect(run.err.join('\n')).toContain(`apns-monitor: ${message}`);
    expect(run.err.join('\n')).toMatch(usage);
  });

  test('unreachable storage: the UNKNOWN line on stdout (key redacted), exit 3', async () => {
    graph.certificate = apnsCertificate('2027-06-05T10:00:00Z');
    const run = io({ ...graph.env(), AzureWebJobsStorage: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5a2V5a2V5a2V5;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;' }, new Date());
    expect(await main(['status'], run.io)).toBe(3);
    expect(run.out).toHaveLength(1);
    expect(run.out[0]).toMatch(/^APNS UNKNOWN - status failed: \S/);
    expect(run.out[0]).not.toContain('\n');
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(/^apns-monitor: status failed: /);
    expect([...run.out, ...run.err].join('\n')).not.toContain('a2V5a2V5a2V5a2V5');
  });

  test('no channel configured for notify-test: the UNKNOWN line on stdout, exit 3', async () => {
    const run = io({ ...storageEnv() }, new Date());
    expect(await main(['notify-test'], run.io)).toBe(3);
    expect(run.out).toEqual([expect.stringMatching(/^APNS UNKNOWN - no channel is configured: set TEAMS_WEBHOOK_URL/)]);
  });

  test('an Apple ID from Graph with | and a newline does not break the plugin line', async () => {
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z', { appleIdentifier: 'evil|days_remaining=999;1;1\nAPNS OK - all good' });
    const env = { ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso | EU' };
    const run = io(env, new Date('2026-12-26T10:00:00Z'));
    expect(await main(['check'], run.io)).toBe(1);
    expect(run.out).toEqual(['APNS WARNING - expires 2027-01-05 (10 days) - Apple ID evil/days_remaining=999;1;1 APNS OK - all good - tenant Contoso / EU - 1 alert raised | days_remaining=10;31:;8:']);
    const status = io(env, new Date('2026-12-26T11:00:00Z'));
    expect(await main(['status'], status.io)).toBe(1);
    expect(status.out).toHaveLength(1);
    expect(status.out[0]!.split('|')).toHaveLength(2);
    expect(status.out[0]).not.toContain('\n');
  });
});

describe('apns-monitor status when the last check is stale', () => {
  test('no check for longer than twice the schedule gap: UNKNOWN with the reason and the last known expiry; --json says stale', async () => {
    graph.certificate = apnsCertificate('2027-02-09T10:00:00Z');
    const env = { ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso' };
    expect(await main(['check'], io(env, new Date('2026-12-26T10:00:00Z')).io)).toBe(0);

    const fresh = io(env, new Date('2026-12-26T21:59:00Z'));
    expect(await main(['status'], fresh.io)).toBe(0);
    expect(fresh.out[0]).toMatch(/^APNS OK - /);

    // The default schedule runs every 6 hours: 12 hours without a good check is stale.
    const late = io(env, new Date('2026-12-27T10:00:00Z'));
    expect(await main(['status'], late.io)).toBe(3);
    expect(late.out).toEqual([
      'APNS UNKNOWN - last check 2026-12-26T10:00:00.000Z is stale (older than 12 h): the timer may have stopped - last known: expires 2027-02-09 (44 days) - Apple ID intune-apns@contoso.com - tenant Contoso',
    ]);
    const json = io(env, new Date('2026-12-27T10:00:00Z'));
    expect(await main(['status', '--json'], json.io)).toBe(3);
    expect(JSON.parse(json.out.join('\n'))).toMatchObject({ stale: true, checkedAt: '2026-12-26T10:00:00.000Z', status: 'ok' });
  });

  test('checks that run but cannot read the certificate for too long: UNKNOWN, no good check since …', async () => {
    graph.certificate = apnsCertificate('2027-02-09T10:00:00Z');
    const env = { ...graph.env(), ...storageEnv() };
    expect(await main(['check'], io(env, new Date('2026-12-26T10:00:00Z')).io)).toBe(0);
    graph.certificateScript.push({ status: 403, body: { error: { code: 'Forbidden', message: 'Access denied' } } });
    expect(await main(['check'], io(env, new Date('2026-12-27T06:00:00Z')).io)).toBe(3);
    const run = io(env, new Date('2026-12-27T07:00:00Z'));
    expect(await main(['status'], run.io)).toBe(3);
    expect(run.out).toHaveLength(1);
    expect(run.out[0]).toMatch(/^APNS UNKNOWN - .+ - no good check since 2026-12-26T10:00:00\.000Z \(older than 12 h\) - last known: expires 2027-02-09 \(44 days\) - Apple ID intune-apns@contoso\.com$/);
  });
});

describe('--version and help', () => {
  test('--version prints the package version', async () => {
    const run = io({}, new Date());
    expect(await main(['--version'], run.io)).toBe(0);
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(run.out).toEqual([`apns-monitor ${version}`]);
  });

  test.each([
    [['check', '--help'], 'usage: apns-monitor check [--json]'],
    [['status', '-h'], 'usage: apns-monitor status [--json]'],
    [['serve', '--help'], 'usage: apns-monitor serve [--port N]'],
    [['help', 'notify-test'], 'usage: apns-monitor notify-test [--json]'],
  ])('%j prints the command\'s own usage on stdout, exit 0, without needing any setting', async (argv, first) => {
    const run = io({}, new Date());
    expect(await main(argv, run.io)).toBe(0);
    expect(run.out[0]!.split('\n')[0]).toBe(first);
    expect(run.err).toEqual([]);
  });

  test('--help lists every command with the exit codes', async () => {
    const run = io({}, new Date());
    expect(await main(['--help'], run.io)).toBe(0);
    expect(run.out[0]).toMatch(/^usage: apns-monitor <command>/);
    for (const command of ['check', 'status', 'notify-test', 'serve']) expect(run.out[0]).toContain(`  ${command} `);
    expect(run.out[0]).toContain('exit codes: 0 ok');
  });
});

// The installed command: bin/apns-monitor.js runs the esbuild bundle dist/cli.js, which the test
// run's global setup builds from the sources, so these tests run the bundle end to end.
const bin = join(__dirname, '..', '..', 'bin', 'apns-monitor.js');

// Asynchronous on purpose: the Graph double lives in this process and must keep answering.
function runBin(args: string[], env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: typeof error?.code === 'number' ? error.code : error === null ? 0 : -1, stdout, stderr });
    });
  });
}

test('the installed bin (the bundle) runs a check as a separate process, then status reads it back: result on stdout, logs on stderr', async () => {
  expect(readFileSync(bin, 'utf8')).toContain("require('../dist/cli.js')");
  graph.certificate = apnsCertificate(new Date(Date.now() + 100 * 86_400_000).toISOString());
  const env = { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: process.env['NODE_EXTRA_CA_CERTS'] ?? '', ...graph.env(), ...storageEnv() };
  const graphBefore = graph.requests.length;
  const r = await runBin(['check'], env);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout.trim()).toMatch(/^APNS OK - expires \d{4}-\d\d-\d\d \((99|100) days\) - Apple ID intune-apns@contoso.com \| days_remaining=(99|100);31:;8:$/);
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/no alert channel is configured/);
  expect(graph.requests.length).toBeGreaterThan(graphBefore);

  // A second process reads what the first recorded in Azurite, without asking Graph.
  const graphAfterCheck = graph.requests.length;
  const status = await runBin(['status', '--json'], env);
  expect(status.stderr).not.toMatch(/\n\s+at /);
  expect(status.status).toBe(0);
  expect(JSON.parse(status.stdout)).toMatchObject({ status: 'ok', stale: false, daysRemaining: expect.any(Number) as number });
  expect(graph.requests.length).toBe(graphAfterCheck);
});

test('apns-monitor serve runs as a process: prints its URLs, serves, stops on SIGINT', async () => {
  const { spawn } = await import('node:child_process');
  graph.certificate = apnsCertificate(new Date(Date.now() + 100 * 86_400_000).toISOString());
  const env = { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: process.env['NODE_EXTRA_CA_CERTS'] ?? '', ...graph.env(), ...storageEnv(), NOTIFY_KEY: 'serve-key-0123456789' };
  const child = spawn(process.execPath, [bin, 'serve', '--port=0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => void (stdout += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 100 && !/Dashboard: /.test(stdout); i++) await new Promise((r) => setTimeout(r, 100));
  const base = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\/api\/dashboard/.exec(stdout)?.[1];
  expect(base).toBeDefined();
  expect(stdout).toMatch(/Timer checkCertificate \(0 0 \*\/6 \* \* \*\) runs next at \d{4}-/);
  expect((await fetch(`${base}/api/status`)).status).toBe(401);
  const refreshed = await fetch(`${base}/api/status?refresh=true`, { headers: { 'x-functions-key': 'serve-key-0123456789' } });
  expect(refreshed.status).toBe(200);
  expect(await refreshed.json()).toMatchObject({ status: 'ok' });
  child.kill('SIGINT');
  expect(await exited).toBe(0);
});

test.each([[['serve', '--port', 'http']], [['serve', '--port=http']]])('serve rejects a bad port in %j with one line, exit 3', async (argv) => {
  const run = io({}, new Date());
  expect(await main(argv, run.io)).toBe(3);
  expect(run.err).toEqual(['apns-monitor: --port expects a port number from 0 to 65535, got "http"']);
  expect(run.out).toEqual(['APNS UNKNOWN - --port expects a port number from 0 to 65535, got "http"']);
});
