import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
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
    expect(run.out).toEqual(['APNS WARNING - expires 2027-01-05 (10 days) - Apple ID intune-apns@contoso.com - tenant Contoso - 1 alert raised | days_remaining=10;30;7']);

    const requestsBefore = graph.requests.length;
    const status = io(env, new Date());
    expect(await main(['status', '--json'], status.io)).toBe(1);
    expect(JSON.parse(status.out[0]!)).toMatchObject({ status: 'warning', daysRemaining: 10, checkedAt: '2026-12-26T10:00:00.000Z' });
    expect(graph.requests.length).toBe(requestsBefore);
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
    [{ THRESHOLD_DAYS: 'soon' }, /^apns-monitor: Invalid setting THRESHOLD_DAYS="soon": expected a comma-separated list/],
    [{ GRAPH_CLOUD: 'mars' }, /^apns-monitor: Invalid setting GRAPH_CLOUD="mars": expected one of global, usgov, usgovdod, china$/],
  ])('bad setting %j: one line, exit 3', async (bad, pattern) => {
    const run = io({ ...graph.env(), ...storageEnv(), ...bad }, new Date());
    expect(await main(['check'], run.io)).toBe(3);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(pattern);
    expect(run.err[0]).not.toMatch(/\n\s+at /);
  });

  test('unknown command or option: usage, exit 3', async () => {
    const run = io({}, new Date());
    expect(await main(['chekc'], run.io)).toBe(3);
    expect(run.err[0]).toMatch(/unknown command chekc/);
    expect(await main(['check', '--jsn'], run.io)).toBe(3);
  });

  test('unreachable storage is one UNKNOWN line, exit 3', async () => {
    graph.certificate = apnsCertificate('2027-06-05T10:00:00Z');
    const run = io({ ...graph.env(), AzureWebJobsStorage: 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5a2V5a2V5a2V5;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;' }, new Date());
    expect(await main(['status'], run.io)).toBe(3);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(/^APNS UNKNOWN - status failed: /);
    expect(run.err[0]).not.toContain('a2V5a2V5a2V5a2V5');
  });
});

const bin = join(__dirname, '..', '..', 'bin', 'apns-monitor.js');
const built = existsSync(join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js'));

// Asynchronous on purpose: the Graph double lives in this process and must keep answering.
function runBin(args: string[], env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: typeof error?.code === 'number' ? error.code : error === null ? 0 : -1, stdout, stderr });
    });
  });
}

test.runIf(built)('the installed bin runs a check as a separate process: result on stdout, logs on stderr', async () => {
  graph.certificate = apnsCertificate(new Date(Date.now() + 100 * 86_400_000).toISOString());
  const env = { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: process.env['NODE_EXTRA_CA_CERTS'] ?? '', ...graph.env(), ...storageEnv() };
  const r = await runBin(['check'], env);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout.trim()).toMatch(/^APNS OK - expires \d{4}-\d\d-\d\d \((99|100) days\) - Apple ID intune-apns@contoso.com \| days_remaining=(99|100);30;7$/);
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/no alert channel is configured/);
});

test.runIf(built)('apns-monitor serve runs as a process: prints its URLs, serves, stops on SIGINT', async () => {
  const { spawn } = await import('node:child_process');
  graph.certificate = apnsCertificate(new Date(Date.now() + 100 * 86_400_000).toISOString());
  const env = { PATH: process.env['PATH'] ?? '', NODE_EXTRA_CA_CERTS: process.env['NODE_EXTRA_CA_CERTS'] ?? '', ...graph.env(), ...storageEnv(), NOTIFY_KEY: 'serve-key-0123456789' };
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

test('serve rejects a bad --port with one line, exit 3', async () => {
  const run = io({}, new Date());
  expect(await main(['serve', '--port', 'http'], run.io)).toBe(3);
  expect(run.err).toEqual(['apns-monitor: --port expects a port number from 0 to 65535, got "http"']);
});
