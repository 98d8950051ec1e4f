import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main';
import { createRuntime } from '../../src/app/runtime';
import { TRUNCATION_MARKER } from '../../src/domain/bound';
import { apnsCertificate } from '../doubles/graphDouble';
import { storageEnv, useDoubles } from '../support/harness';
import { sampleEvents } from '../support/sampleEvents';

/**
 * Faults and bad data, end to end through `apns-monitor check` against Azurite and the loopback
 * Graph/Entra double: a monitor never hangs, never guesses a date, never fails to store what it read.
 */

const { graph } = useDoubles();
beforeEach(() => {
  graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
  graph.certificateScript.length = 0;
  graph.tokenScript.length = 0;
});

const start = new Date('2026-11-01T10:00:00Z');
const hours = (n: number) => new Date(start.getTime() + n * 3_600_000);

function cli(env: Record<string, string>) {
  const run = async (args: string[], now: Date) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      env,
      now: () => now,
      stdout: (t: string) => void out.push(t),
      stderr: (t: string) => void err.push(t),
      runtime: (e: Record<string, string | undefined>) => createRuntime(e, { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } }),
    };
    const code = await main(args, io);
    return { code, out: out.join('\n'), err };
  };
  return {
    line: (now: Date) => run(['check'], now),
    json: async (now: Date) => {
      const r = await run(['check', '--json'], now);
      return { code: r.code, doc: JSON.parse(r.out) as { status: string; error: string | null; alerts: Array<{ kind: string }>; certificate: Record<string, unknown> | null } };
    },
    status: async () => JSON.parse((await run(['status', '--json'], new Date())).out) as Record<string, unknown>,
  };
}

const hang = { status: 0, hang: true };

describe('deadlines: a call that never answers fails the check in time, and two such checks raise monitor_failing', () => {
  test('the certificate GET hangs', async () => {
    graph.certificateScript.push(hang, hang);
    const check = cli({ ...graph.env(), ...storageEnv(), HTTP_TIMEOUT_SECONDS: '1' });
    const first = await check.line(start);
    expect(first.code).toBe(3);
    expect(first.out).toContain('Graph GET /deviceManagement/applePushNotificationCertificate timed out after 1 s');

    const second = await check.json(hours(6));
    expect(second.code).toBe(3);
    expect(second.doc.error).toBe('Graph GET /deviceManagement/applePushNotificationCertificate timed out after 1 s');
    expect(second.doc.alerts.map((a) => a.kind)).toEqual(['monitor_failing']);
    expect(await check.status()).toMatchObject({ status: 'unknown', error: 'Graph GET /deviceManagement/applePushNotificationCertificate timed out after 1 s' });
  });

  test('the Entra token endpoint hangs', async () => {
    // Several: identity may try again within one request; each check builds a new credential.
    graph.tokenScript.push(hang, hang, hang, hang, hang, hang);
    // The push certificate alone: with the token subjects, each read would ask for its own token.
    const check = cli({ ...graph.env(), ...storageEnv(), HTTP_TIMEOUT_SECONDS: '1', WATCH: 'apns' });
    const first = await check.line(start);
    expect(first.code).toBe(3);
    expect(first.out).toContain('Entra token request timed out after 1 s');

    const second = await check.json(hours(6));
    expect(second.code).toBe(3);
    expect(second.doc.error).toMatch(/Entra token request timed out after 1 s/);
    expect(second.doc.alerts.map((a) => a.kind)).toEqual(['monitor_failing']);
  });

  test('a Retry-After beyond the check budget is not waited for: the answer stands and the read fails now', async () => {
    const busy = { status: 503, headers: { 'Retry-After': '150' }, body: { error: { code: 'ServiceUnavailable', message: 'try later' } } };
    graph.certificateScript.push(busy, busy, busy);
    const check = cli({ ...graph.env(), ...storageEnv(), HTTP_TIMEOUT_SECONDS: '1', CHECK_BUDGET_SECONDS: '10' });
    const r = await check.json(start);
    expect(r.code).toBe(3);
    expect(r.doc.error).toMatch(/^Graph answered 503 ServiceUnavailable/);
  });

  test.each([
    [{ HTTP_TIMEOUT_SECONDS: '0' }, /^apns-monitor: Invalid setting HTTP_TIMEOUT_SECONDS="0": expected a whole number from 1 to 120/],
    [{ HTTP_TIMEOUT_SECONDS: '2.5' }, /Invalid setting HTTP_TIMEOUT_SECONDS="2.5"/],
    [{ CHECK_BUDGET_SECONDS: '600' }, /^apns-monitor: Invalid setting CHECK_BUDGET_SECONDS="600": expected a whole number from 10 to 570/],
    [{ HTTP_TIMEOUT_SECONDS: '60', CHECK_BUDGET_SECONDS: '60' }, /^apns-monitor: Invalid setting CHECK_BUDGET_SECONDS="60": expected a number of seconds larger than HTTP_TIMEOUT_SECONDS \(60\)/],
  ])('bad deadline setting %j is refused by name, exit 3', async (bad, pattern) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['check'], { env: { ...graph.env(), ...storageEnv(), ...bad }, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t) });
    expect(code).toBe(3);
    expect([...out, ...err].join('\n')).toMatch(new RegExp(pattern.source.replace(/^\^/, '(^|\\n)'), 'm'));
  });
});

describe('strict dates: a certificate that cannot be dated is unknown, never expired', () => {
  test("Graph's empty DateTimeOffset 0001-01-01T00:00:00Z: UNKNOWN, exit 3, no expired alert; twice raises monitor_failing", async () => {
    const check = cli({ ...graph.env(), ...storageEnv() });
    expect((await check.line(start)).code).toBe(0); // 65 days left: ok
    graph.certificate = apnsCertificate('0001-01-01T00:00:00Z');
    const first = await check.json(hours(6));
    expect(first.code).toBe(3);
    expect(first.doc.status).toBe('unknown');
    expect(first.doc.error).toBe('Graph answered an expirationDateTime that is not a date: "0001-01-01T00:00:00Z"');
    expect(first.doc.alerts).toEqual([]);
    const second = await check.json(hours(12));
    expect(second.code).toBe(3);
    expect(second.doc.alerts.map((a) => a.kind)).toEqual(['monitor_failing']);
  });

  test('"2" is not the year 2001', async () => {
    graph.certificate = apnsCertificate('2');
    const line = await cli({ ...graph.env(), ...storageEnv() }).line(start);
    expect(line.code).toBe(3);
    expect(line.out).toContain('Graph answered an expirationDateTime that is not a date: "2"');
  });
});

describe('size: what is read and what is stored is bounded', () => {
  test('a 40,000-character failure reason is stored truncated, and the check succeeds', async () => {
    const reason = 'R'.repeat(40_000);
    graph.certificate = apnsCertificate('2027-06-05T10:00:00Z', { certificateUploadFailureReason: reason, certificateUploadStatus: 'failed' });
    const check = cli({ ...graph.env(), ...storageEnv() });
    const r = await check.json(start);
    expect(r.doc.error).toBeNull();
    expect(r.doc.alerts.map((a) => a.kind)).toContain('upload_failed');
    const stored = (await check.status())['certificate'] as { certificateUploadFailureReason: string };
    expect(stored.certificateUploadFailureReason.length).toBeLessThanOrEqual(4000);
    expect(stored.certificateUploadFailureReason.startsWith('RRRR')).toBe(true);
    expect(stored.certificateUploadFailureReason.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  test('a huge Graph body is cut off past 1 MiB, without reading the rest', async () => {
    graph.certificateScript.push({ status: 200, streamBytes: 64 * 1024 * 1024 });
    const r = await cli({ ...graph.env(), ...storageEnv() }).json(start);
    expect(r.code).toBe(3);
    expect(r.doc.error).toBe('Graph answered a body larger than 1 MiB for GET /deviceManagement/applePushNotificationCertificate');
    expect(graph.streamedBodies.at(-1)?.completed).toBe(false);
  });
});

describe('deadlines on every delivery call', () => {
  const silent = createServer(() => undefined); // takes the request, never answers
  let silentUrl = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  const event = sampleEvents()[0]!;

  test('Teams and webhook posts give up after HTTP_TIMEOUT_SECONDS and stay pending', async () => {
    const runtime = createRuntime({ ...graph.env(), ...storageEnv(), HTTP_TIMEOUT_SECONDS: '1', TEAMS_WEBHOOK_URL: `${silentUrl}/teams`, WEBHOOK_URL: `${silentUrl}/hook`, WEBHOOK_SECRET: 'w'.repeat(32), NOTIFY_URL: 'inprocess' });
    const outcomes = await Promise.all(runtime.channels.map((c) => c.notify(event)));
    expect(outcomes).toEqual([
      { result: 'retry-later', reason: 'teams unreachable: timed out after 1 s', retryAfterSeconds: null },
      { result: 'retry-later', reason: 'webhook unreachable: timed out after 1 s', retryAfterSeconds: null },
    ]);
  });

  test('Graph sendMail gives up after HTTP_TIMEOUT_SECONDS', async () => {
    graph.sendMailScript.push(hang);
    const runtime = createRuntime({ ...graph.env(), ...storageEnv(), HTTP_TIMEOUT_SECONDS: '1', EMAIL_FROM: 'monitor@contoso.com', EMAIL_TO: 'ops@contoso.com', NOTIFY_URL: 'inprocess' });
    expect(await runtime.channels[0]!.notify(event)).toEqual({
      result: 'retry-later',
      reason: 'email: Graph POST /users/monitor%40contoso.com/sendMail timed out after 1 s',
      retryAfterSeconds: null,
    });
  });

  test('the notify forwarder gives up after four times HTTP_TIMEOUT_SECONDS', async () => {
    const runtime = createRuntime({ ...graph.env(), ...storageEnv(), HTTP_TIMEOUT_SECONDS: '1', NOTIFY_URL: `${silentUrl}/api/notify`, NOTIFY_KEY: 'k'.repeat(20) });
    expect(await runtime.notifiers[0]!.notify(event)).toEqual({ result: 'retry-later', reason: 'notify function unreachable: timed out after 4 s', retryAfterSeconds: null });
  });
});
