import { beforeEach, describe, expect, test } from 'vitest';
import { apnsCertificate } from '../doubles/graphDouble';
import { checkAt, MemoryLogger, storageEnv, testRuntime, useDoubles } from '../support/harness';

const { graph, hook } = useDoubles();
beforeEach(() => {
  graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
  graph.envelope = false;
  graph.certificateScript.length = 0;
  graph.requests.length = 0;
  hook.received.length = 0;
});

const now = new Date('2026-12-26T10:00:00Z'); // 10 days before expiry
const certificateGets = () => graph.requests.filter((r) => r.path.startsWith('/v1.0/deviceManagement/applePushNotificationCertificate'));

describe('reading the certificate through the real identity and Graph client', () => {
  test('asks Graph only for the fields it needs, with a bearer token for the custom host', async () => {
    const r = await checkAt(testRuntime({ ...graph.env(), ...storageEnv() }), now);
    expect(r).toMatchObject({ status: 'warning', daysRemaining: 10, error: null });
    const get = certificateGets()[0]!;
    expect(get.path).toContain('$select=id,appleIdentifier,topicIdentifier,expirationDateTime');
    expect(get.path).not.toMatch(/[,=]certificate(,|$)/);
    expect(get.authorization).toMatch(/^Bearer [0-9a-f-]{36}$/);
  });

  test('accepts the entity inside a value envelope', async () => {
    graph.envelope = true;
    expect((await checkAt(testRuntime({ ...graph.env(), ...storageEnv() }), now)).status).toBe('warning');
  });

  test('uses the beta endpoint when asked', async () => {
    await checkAt(testRuntime({ ...graph.env(), ...storageEnv(), GRAPH_API_VERSION: 'beta' }), now);
    expect(graph.requests.some((r) => r.path.startsWith('/beta/deviceManagement/applePushNotificationCertificate'))).toBe(true);
  });

  test.each([
    ['503 with Retry-After', [{ status: 503, headers: { 'Retry-After': '1' } }]],
    ['429 then 504', [{ status: 429, headers: { 'Retry-After': '0' } }, { status: 504 }]],
    ['a dropped connection', [{ status: 0, drop: true }]],
  ])('survives %s', async (_name, script) => {
    graph.certificateScript.push(...script);
    const r = await checkAt(testRuntime({ ...graph.env(), ...storageEnv() }), now);
    expect(r.status).toBe('warning');
    expect(certificateGets()).toHaveLength(script.length + 1);
  });

  test('a 404 is a tenant without a certificate: not_configured, exit 0, no alert', async () => {
    graph.certificate = null;
    const r = await checkAt(testRuntime({ ...graph.env(), ...storageEnv() }), now);
    expect(r).toMatchObject({ status: 'not_configured', daysRemaining: null, error: null, alerts: [] });
  });

  test('a body without a parseable expirationDateTime is a failed read', async () => {
    graph.certificate = apnsCertificate('not a date');
    const r = await checkAt(testRuntime({ ...graph.env(), ...storageEnv() }), now);
    expect(r.status).toBe('unknown');
    expect(r.error).toMatch(/expirationDateTime/);
  });
});

describe('failures the admin must act on', () => {
  test('a 403 names the missing permission; two in a row raise monitor_failing once', async () => {
    const forbidden = { status: 403, body: { error: { code: 'Forbidden', message: 'Application is not authorized to perform this operation.' } } };
    graph.certificateScript.push(forbidden, forbidden, forbidden);
    const rt = testRuntime({ ...graph.env(), ...storageEnv(), WEBHOOK_URL: hook.url(), WEBHOOK_SECRET: 'x'.repeat(32) });
    const first = await checkAt(rt, now);
    expect(first.status).toBe('unknown');
    expect(first.error).toBe('Graph answered 403 Forbidden: the app lacks the Graph application permission DeviceManagementServiceConfig.Read.All (grant it with admin consent)');
    expect(first.alerts).toEqual([]);
    const second = await checkAt(rt, new Date(now.getTime() + 6 * 3_600_000));
    expect(second.alerts.map((a) => a.kind)).toEqual(['monitor_failing']);
    const third = await checkAt(rt, new Date(now.getTime() + 12 * 3_600_000));
    expect(third.alerts).toEqual([]);
    const recovered = await checkAt(rt, new Date(now.getTime() + 18 * 3_600_000));
    expect(recovered.alerts.map((a) => a.kind)).toEqual(['monitor_recovered', 'expiring']);
    expect(hook.events().map((e) => e['kind'])).toEqual(['monitor_failing', 'monitor_recovered', 'expiring']);
  });

  test('a wrong client secret is an authentication failure that never shows the secret', async () => {
    const wrongSecret = 'this-is-the-wrong-secret-value';
    const log = new MemoryLogger();
    const r = await checkAt(testRuntime({ ...graph.env(), ...storageEnv(), AZURE_CLIENT_SECRET: wrongSecret }), now, log);
    expect(r.status).toBe('unknown');
    expect(r.error).toMatch(/^could not get a Graph token from Entra ID: /);
    expect(JSON.stringify(r) + log.lines.join('\n')).not.toContain(wrongSecret);
  });

  test('an unreachable Graph is a network failure after retries', async () => {
    graph.extraScopes.add('https://127.0.0.1:1/.default');
    const r = await checkAt(testRuntime({ ...graph.env(), ...storageEnv(), GRAPH_ENDPOINT: 'https://127.0.0.1:1' }), now);
    expect(r.status).toBe('unknown');
    expect(r.error).toBe('could not reach Graph at https://127.0.0.1:1: fetch failed (TypeError)');
  });
});
