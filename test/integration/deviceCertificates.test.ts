import { HttpRequest, InvocationContext } from '@azure/functions';
import { beforeEach, describe, expect, test } from 'vitest';
import { makeDeviceCertificatesHandler } from '../../src/app/deviceCertificatesHandler';
import { makeStatusHandlers } from '../../src/app/statusHandlers';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { main } from '../../src/cli/main';
import type { AlertEvent } from '../../src/domain/alertEvent';
import type { StatusDocument } from '../../src/status/statusDocument';
import type { ListDocument } from '../../src/subjects/device_certificate/list';
import { apnsCertificate } from '../doubles/graphDouble';
import { certificateFleetTruth, generateCertificateStates, type CertificateFleetOptions } from '../doubles/deviceCertificates';
import { storageEnv, useDoubles } from '../support/harness';

/**
 * Issue 12 end to end: device certificates through the CLI, the status, metrics and list functions,
 * Azurite and the loopback Graph double (its managedAllDeviceCertificateState route, paged), with
 * alerts delivered to the webhook receiver.
 */

const { graph, hook } = useDoubles();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = new Date('2027-02-01T08:00:00Z');
const later = (ms: number) => new Date(T.getTime() + ms);
const PATH = '/beta/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates';
const FLEET: CertificateFleetOptions = { count: 3000, now: T, supersededShare: 0.1, expiringShare: 0.04, expiredShare: 0.01, revokeFailed: 1, seed: 12 };

beforeEach(() => {
  hook.received.length = 0;
  hook.script.length = 0;
  graph.certificate = apnsCertificate(later(200 * DAY).toISOString());
  graph.deviceCertificateStates = generateCertificateStates(FLEET);
  graph.deviceCertificateStatesScript.length = 0;
  graph.deviceCertificatePageScript.clear();
  graph.deviceCertificatePageSize = null;
});

function setup(extra: Record<string, string> = {}) {
  const env = { ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso', WATCH: 'apns,device_certificate', PUBLIC_BASE_URL: 'https://monitor.contoso.example', WEBHOOK_URL: hook.url('/devices'), WEBHOOK_SECRET: 'devices-webhook-secret-value', ...extra };
  const make = (e: Record<string, string | undefined>) => createRuntime(e, { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 }, deviceCertificatePageSize: 400 });
  const run = async (args: string[], now: Date) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { env, now: () => now, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), runtime: make });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const runtime = (): Runtime => make(env);
  const context = () => new InvocationContext({ functionName: 'test', logHandler: () => undefined });
  const list = async (now: Date, query: Record<string, string> = {}) => {
    const res = await makeDeviceCertificatesHandler(runtime, () => now)(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/device-certificates', query }));
    return { status: res.status ?? 200, body: String(res.body ?? ''), json: res.jsonBody as ListDocument & { error?: string; field?: string }, headers: (res.headers ?? {}) as Record<string, string> };
  };
  const view = async (name: 'status' | 'metrics', now: Date) => {
    const rt = runtime();
    const res = await makeStatusHandlers(() => rt, () => now)[name](new HttpRequest({ method: 'GET', url: `http://127.0.0.1/api/${name}` }), context());
    return { status: res.status ?? 200, body: String(res.body ?? ''), json: res.jsonBody as StatusDocument };
  };
  return { env, run, list, view, runtime };
}

const deviceAlerts = () => hook.events<AlertEvent>().filter((e) => e.subject === 'device_certificate');
const pageRequests = () => graph.requests.filter((r) => r.path.startsWith(PATH)).length;

describe('a fleet of 3,000 certificates, paged', () => {
  test('paging, supersession, aggregated alerts, exactly once across two checks; status, metrics and the list agree with the fleet', async () => {
    const truth = certificateFleetTruth(FLEET);
    const { run, view, list } = setup();
    const before = pageRequests();
    const first = await run(['check', '--json'], T);
    expect(first.err).not.toMatch(/error/i);
    // 3,000 at 400 a page ($top honoured by the double): 8 pages, each followed by its nextLink.
    expect(pageRequests() - before).toBe(8);
    expect(graph.requests.filter((r) => r.path.startsWith(PATH))[0]!.path).toMatch(/\$select=managedDeviceDisplayName,userPrincipalName,certificateSubjectName,certificateIssuerName,certificateExpirationDateTime,certificateThumbprint,certificateSerialNumber,certificateRevokeStatus&\$top=400$/);

    const alerts = deviceAlerts();
    // Each certificate counts toward the tightest threshold it has crossed (first look: no back-fill).
    const expiring = alerts.filter((a) => a.kind === 'expiring');
    expect(expiring.map((a) => [a.thresholdDays, a.count])).toEqual([
      [30, truth.buckets['15-30']],
      [14, truth.buckets['8-14']],
      [7, truth.buckets['2-7']],
      [1, truth.buckets['0-1']],
    ]);
    for (const a of expiring) {
      expect(a).toMatchObject({ subjectId: null, totalAtRisk: truth.expiring, listUrl: `https://monitor.contoso.example/api/device-certificates?withinDays=${a.thresholdDays}&format=csv` });
      expect(a.sample!.length).toBe(Math.min(10, a.count!));
      expect(a.groups!.reduce((n, g) => n + g.count, 0)).toBe(a.count);
    }
    expect(alerts.filter((a) => a.kind === 'expired').map((a) => a.count)).toEqual([truth.expired]);
    expect(alerts.filter((a) => a.kind === 'revocation_failed').map((a) => a.count)).toEqual([truth.revokeFailed]);

    const result = JSON.parse(first.out) as { subjects: Array<{ subject: string; status: string }> };
    // 1% expired (stale devices) is a warning: not the systemic share that makes the subject critical.
    expect(result.subjects.find((e) => e.subject === 'device_certificate')!.status).toBe('warning');
    expect(alerts.filter((a) => a.kind === 'expired').map((a) => a.severity)).toEqual(['warning']);

    const status = await view('status', later(HOUR));
    const d = status.json.deviceCertificates!;
    expect(d).toMatchObject({ scanned: truth.count, superseded: truth.superseded, totalAtRisk: truth.expiring, expired: truth.expired, revocationFailed: truth.revokeFailed, lastError: null });
    expect(d.buckets).toEqual(truth.buckets);
    expect(Object.fromEntries(d.issuers.map((i) => [i.issuerName, i.count]))).toEqual(truth.atRiskByIssuer);

    const metrics = await view('metrics', later(HOUR));
    for (const [issuer, n] of Object.entries(truth.atRiskByIssuer)) {
      const series = [...metrics.body.matchAll(new RegExp(`^device_certificates_at_risk\\{tenant="Contoso",bucket="[^"]+",issuer="${issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\} (\\d+)$`, 'gm'))];
      expect(series.reduce((s, m) => s + Number(m[1]), 0)).toBe(n);
    }

    const all = await list(later(HOUR));
    expect(all.status).toBe(200);
    expect(all.json.count).toBe(truth.expiring + truth.expired);
    const superseded = new Set(truth.supersededThumbprints);
    expect(all.json.certificates.filter((c) => superseded.has(c.thumbprint))).toEqual([]);
    const expiries = all.json.certificates.map((c) => c.expirationDateTime);
    expect(expiries).toEqual([...expiries].sort());

    // The second check (a minute later: no certificate crosses a day) sees the same tenant: nothing is
    // raised again (the expired summary is once per UTC day), and the list stays as it was.
    hook.received.length = 0;
    const second = await run(['check'], later(60_000));
    expect(second.code).toBe(1);
    expect(deviceAlerts()).toEqual([]);
    expect((await list(later(HOUR))).json.certificates).toEqual(all.json.certificates);
  });

  test('a renewal pages later supersedes; throttled pages (429 + Retry-After) are waited for within the budget', async () => {
    const old = { managedDeviceDisplayName: 'iPhone Ana', userPrincipalName: 'ana@contoso.com', certificateSubjectName: 'CN=ana', certificateIssuerName: 'CN=Contoso SCEP CA', certificateThumbprint: 'AA01', certificateSerialNumber: '01', certificateRevokeStatus: 'none', certificateExpirationDateTime: later(3 * DAY).toISOString() };
    const filler = Array.from({ length: 5 }, (_, i) => ({ ...old, managedDeviceDisplayName: `Far ${i}`, certificateThumbprint: `FF0${i}`, certificateExpirationDateTime: later(300 * DAY).toISOString() }));
    graph.deviceCertificateStates = [old, ...filler, { ...old, certificateThumbprint: 'AA02', certificateExpirationDateTime: later(368 * DAY).toISOString() }];
    graph.deviceCertificatePageSize = 2;
    graph.deviceCertificatePageScript.set(1, { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TooManyRequests', message: 'throttled' } } });
    const { run, list } = setup();
    const r = await run(['check', '--json'], T);
    expect(r.code).toBe(0);
    expect(deviceAlerts()).toEqual([]);
    // Four pages, one of them twice.
    expect(pageRequests()).toBeGreaterThanOrEqual(5);
    expect((await list(T)).json.count).toBe(0);
  });
});

describe('races', () => {
  test('two checks of the same moment at once: each alert is raised once, the list is whole', async () => {
    const truth = certificateFleetTruth(FLEET);
    const { run, list } = setup();
    const [a, b] = await Promise.all([run(['check'], T), run(['check'], T)]);
    expect([a.code, b.code]).toEqual([1, 1]);
    const alerts = deviceAlerts();
    expect(alerts.filter((e) => e.kind === 'expiring').map((e) => e.thresholdDays)).toEqual([30, 14, 7, 1]);
    expect(new Set(alerts.map((e) => e.id)).size).toBe(alerts.length);
    expect((await list(later(1000))).json.count).toBe(truth.expiring + truth.expired);
  });
});

describe('partial scans are not truths', () => {
  test('a page that fails mid-scan leaves the snapshot and the list, raises nothing from the incomplete set; twice raises monitor_failing for this subject only; a good scan recovers', async () => {
    // Minutes apart, so no certificate crosses a day meanwhile: only the scans' own outcome is news.
    const { run, view, list } = setup();
    await run(['check'], T);
    const before = await list(later(1000));
    const summary = (await view('status', later(1000))).json.deviceCertificates!;
    hook.received.length = 0;

    // Page 3 of 8 fails (500 is not retried): everything after it, and the renewals it holds, unseen.
    graph.deviceCertificatePageScript.set(2, { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } });
    const failed = await run(['check', '--json'], later(60_000));
    const doc = JSON.parse(failed.out) as { subjects: Array<{ subject: string; status: string; error: string | null }> };
    const entry = doc.subjects.find((e) => e.subject === 'device_certificate')!;
    expect(entry.status).toBe('unknown');
    expect(entry.error).toMatch(/deviceConfigurationsAllManagedDeviceCertificateStates: page 3: Graph answered 500/);
    expect(doc.subjects.find((e) => e.subject === 'apns')!.status).toBe('ok');
    expect(deviceAlerts()).toEqual([]);
    const thumbprints = (l: { json: ListDocument }) => l.json.certificates.map((c) => `${c.thumbprint} ${c.expirationDateTime}`);
    expect(thumbprints(await list(later(61_000)))).toEqual(thumbprints(before));
    const kept = (await view('status', later(61_000))).json.deviceCertificates!;
    expect(kept).toEqual({ ...summary, lastError: entry.error });

    graph.deviceCertificatePageScript.set(5, { status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } });
    await run(['check'], later(120_000));
    expect(hook.events<AlertEvent>().map((e) => `${e.subject}:${e.kind}`)).toEqual(['device_certificate:monitor_failing']);
    const status = await view('status', later(121_000));
    expect(status.json.openIncidents.map((i) => `${i.subject}:${i.kind}`)).toEqual(['device_certificate:monitor_failing']);
    // A person can acknowledge it like any other incident.
    const ack = await run(['ack', status.json.openIncidents[0]!.id, '--by', 'tester'], later(122_000));
    expect(ack.code).toBe(0);
    expect((await view('status', later(123_000))).json.openIncidents).toEqual([]);

    hook.received.length = 0;
    await run(['check'], later(180_000));
    expect(deviceAlerts().map((e) => e.kind)).toEqual(['monitor_recovered']);
  });
});

describe('deadlines', () => {
  test('a page that never answers is cut at HTTP_TIMEOUT_SECONDS: the scan fails naming the call, the push certificate is still recorded', async () => {
    graph.deviceCertificatePageScript.set(1, { status: 200, hang: true });
    const { run } = setup({ HTTP_TIMEOUT_SECONDS: '1', CHECK_BUDGET_SECONDS: '20' });
    const r = await run(['check', '--json'], T);
    const doc = JSON.parse(r.out) as { subjects: Array<{ subject: string; status: string; error: string | null }> };
    expect(doc.subjects.find((e) => e.subject === 'device_certificate')).toMatchObject({ status: 'unknown', error: expect.stringMatching(/page 2: .*timed out after 1 s/) });
    expect(doc.subjects.find((e) => e.subject === 'apns')!.status).toBe('ok');
  });
});

describe('page size', () => {
  test('a page of 1,000 certificates with long subject names (over 1 MiB) is read whole; a page past the device-certificate cap is refused, naming it', async () => {
    // X.500 subjects of ~1,200 characters: 1,000 of them make a page of well over 1 MiB (the other calls' cap).
    const longName = (i: number) => `CN=device-${i}, ${Array.from({ length: 60 }, (_, k) => `OU=Organisational Unit ${k}`).join(', ')}, O=Contoso, C=US`;
    graph.deviceCertificateStates = generateCertificateStates({ ...FLEET, count: 1000 }).map((c, i) => ({ ...c, certificateSubjectName: longName(i) }));
    const { env } = setup();
    const make = (e: Record<string, string | undefined>) => createRuntime(e, { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } });
    const out: string[] = [];
    await main(['check', '--json'], { env, now: () => T, stdout: (t) => void out.push(t), stderr: () => undefined, runtime: make });
    const doc = JSON.parse(out.join('\n')) as { subjects: Array<{ subject: string; status: string; error: string | null }> };
    const entry = doc.subjects.find((e) => e.subject === 'device_certificate')!;
    expect(entry.error).toBeNull();
    expect(entry.status).not.toBe('unknown');

    // Still cut off: a page past 16 MiB fails the scan (previous snapshot kept), naming the limit.
    graph.deviceCertificatePageScript.set(0, { status: 200, body: { value: [{ certificateSubjectName: 'x'.repeat(17 * 1024 * 1024) }] } });
    const out2: string[] = [];
    await main(['check', '--json'], { env, now: () => later(HOUR), stdout: (t) => void out2.push(t), stderr: () => undefined, runtime: make });
    const doc2 = JSON.parse(out2.join('\n')) as { subjects: Array<{ subject: string; status: string; error: string | null }> };
    expect(doc2.subjects.find((e) => e.subject === 'device_certificate')).toMatchObject({ status: 'unknown', error: expect.stringMatching(/larger than 16 MiB/) });
  });
});

describe('the check budget', () => {
  test('a scan still running when CHECK_BUDGET_SECONDS ends is a partial scan: no alerts from it, the last snapshot and list kept', async () => {
    const { run, list, view } = setup({ HTTP_TIMEOUT_SECONDS: '9', CHECK_BUDGET_SECONDS: '10' });
    await run(['check'], T);
    const before = (await list(later(1000))).json.certificates.map((c) => c.thumbprint);
    const summary = (await view('status', later(1000))).json.deviceCertificates!;
    hook.received.length = 0;
    // Page 2 is throttled for 4 s (waited for: it ends within the budget), page 3 never answers: the
    // budget (10 s) ends before page 3's HTTP deadline (9 s after it was asked for).
    graph.deviceCertificatePageScript.set(1, { status: 429, body: { error: { code: 'TooManyRequests', message: 'slow down' } }, headers: { 'retry-after': '4' } });
    graph.deviceCertificatePageScript.set(2, { status: 200, hang: true });
    const r = await run(['check', '--json'], later(DAY));
    const doc = JSON.parse(r.out) as { subjects: Array<{ subject: string; status: string; error: string | null }> };
    expect(doc.subjects.find((e) => e.subject === 'device_certificate')).toMatchObject({ status: 'unknown', error: expect.stringMatching(/longer than the check's budget of 10 s \(CHECK_BUDGET_SECONDS\)/) });
    expect(doc.subjects.find((e) => e.subject === 'apns')!.status).toBe('ok');
    expect(deviceAlerts()).toEqual([]);
    expect((await list(later(DAY + 1000))).json.certificates.map((c) => c.thumbprint)).toEqual(before);
    expect((await view('status', later(DAY + 1000))).json.deviceCertificates).toMatchObject({ scannedAt: summary.scannedAt, scanned: summary.scanned, expired: summary.expired });
  }, 30_000);
});

describe('permissions', () => {
  test('403 names DeviceManagementConfiguration.Read.All; the push certificate keeps being checked and alerted', async () => {
    graph.certificate = apnsCertificate(later(10 * DAY).toISOString());
    const forbidden = { status: 403, body: { error: { code: 'Forbidden', message: 'Application is not authorized to perform this operation.' } } };
    graph.deviceCertificateStatesScript.push(forbidden, forbidden);
    const { run, list } = setup();
    const r = await run(['check', '--json'], T);
    const doc = JSON.parse(r.out) as { subjects: Array<{ subject: string; status: string; error: string | null }> };
    const entry = doc.subjects.find((e) => e.subject === 'device_certificate')!;
    expect(entry).toMatchObject({ status: 'unknown' });
    expect(entry.error).toMatch(/403 Forbidden: the app lacks the Graph application permission DeviceManagementConfiguration\.Read\.All/);
    expect(doc.subjects.find((e) => e.subject === 'apns')!.status).toBe('warning');
    expect(hook.events<AlertEvent>().map((e) => `${e.subject}:${e.kind}`)).toEqual(['apns:expiring']);
    const l = await list(T);
    expect(l.status).toBe(503);
    expect(l.json.error).toMatch(/DeviceManagementConfiguration\.Read\.All/);
    await run(['check'], later(6 * HOUR));
    expect(hook.events<AlertEvent>().map((e) => `${e.subject}:${e.kind}`)).toEqual(['apns:expiring', 'device_certificate:monitor_failing']);
  });
});

describe('the list', () => {
  const hostile = {
    managedDeviceDisplayName: "=cmd|' /C calc'!A0",
    userPrincipalName: '@evil.example',
    certificateSubjectName: 'CN=Doe, Jane "JD"',
    certificateIssuerName: '+Contoso CA',
    certificateThumbprint: 'BADC0DE1',
    certificateSerialNumber: '-42',
    certificateRevokeStatus: 'none',
    certificateExpirationDateTime: later(2.5 * DAY).toISOString(),
  };
  const plain = { ...hostile, managedDeviceDisplayName: 'iPad 7', userPrincipalName: 'bo@contoso.com', certificateSubjectName: 'CN=bo', certificateIssuerName: 'CN=Contoso CA', certificateThumbprint: 'C0FFEE01', certificateSerialNumber: '99', certificateExpirationDateTime: later(20.5 * DAY).toISOString() };

  test('CSV (RFC 4180, CRLF, formula cells neutralised) and JSON, sorted by expiry, from the route and the CLI; bad parameters are refused by name', async () => {
    graph.deviceCertificateStates = [plain, hostile];
    const { run, list } = setup();
    await run(['check'], T);
    const requests = graph.requests.length;

    const csv = await list(later(HOUR), { format: 'csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('Device name,User,Certificate subject,Issuer,Expires (UTC),Days remaining,Thumbprint,Serial number');
    expect(lines[1]).toBe(`'=cmd|' /C calc'!A0,'@evil.example,"CN=Doe, Jane ""JD""",'+Contoso CA,${hostile.certificateExpirationDateTime},2,BADC0DE1,'-42`);
    expect(lines[2]).toMatch(/^iPad 7,bo@contoso.com,CN=bo,CN=Contoso CA,.*,20,C0FFEE01,99$/);
    expect(lines[3]).toBe('');
    expect(csv.body).not.toMatch(/[^\r]\n/);

    const json = await list(later(HOUR));
    expect(json.json.certificates.map((c) => [c.deviceName, c.daysRemaining])).toEqual([
      [hostile.managedDeviceDisplayName, 2],
      ['iPad 7', 20],
    ]);
    expect((await list(later(HOUR), { withinDays: '7' })).json.certificates.map((c) => c.thumbprint)).toEqual(['BADC0DE1']);
    for (const [query, field] of [[{ withinDays: '31' }, 'withinDays'], [{ withinDays: 'soon' }, 'withinDays'], [{ format: 'xml' }, 'format']] as const) {
      const bad = await list(later(HOUR), query);
      expect(bad.status).toBe(400);
      expect(bad.json.field).toBe(field);
    }

    const table = await run(['device-certs'], later(HOUR));
    expect(table.code).toBe(0);
    expect(table.out.split('\n')[0]).toBe('2 device certificates expiring within 30 days or expired, soonest first:');
    const cliCsv = await run(['device-certs', '--csv', '--within-days', '7'], later(HOUR));
    expect(cliCsv.out.split('\r\n')).toHaveLength(2);
    expect(cliCsv.out).toContain("'=cmd|' /C calc'!A0");
    const cliJson = JSON.parse((await run(['device-certs', '--json'], later(HOUR))).out) as ListDocument;
    expect(cliJson.certificates).toEqual(json.json.certificates);
    expect((await run(['device-certs', '--within-days', '99'], later(HOUR))).code).toBe(2);
    // The list never calls Graph.
    expect(graph.requests.length).toBe(requests);
  });

  test('not watched: the route and the CLI say how to watch it', async () => {
    const { run, list } = setup({ WATCH: 'apns' });
    await run(['check'], T);
    const r = await list(T);
    expect(r.status).toBe(404);
    expect(r.json.error).toMatch(/add device_certificate to WATCH/);
    const cli = await run(['device-certs'], T);
    expect(cli.code).toBe(3);
    expect(cli.err).toMatch(/add device_certificate to WATCH/);
  });
});
