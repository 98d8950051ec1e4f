import { describe, expect, test } from 'vitest';
import { DeviceCertificateScan, MAX_ISSUERS, OTHER_ISSUERS, type ScanResult } from '../../src/subjects/device_certificate/scan';
import { decideDeviceCertificates, INITIAL_DEVICE_CERT_STATE, needsRows, type DeviceCertDecision, type DeviceCertState, type StoredListRow } from '../../src/subjects/device_certificate/rules';
import { supersessionKey } from '../../src/subjects/device_certificate/parse';
import { deviceCertEntry } from '../../src/subjects/device_certificate/status';

/** Scan, supersession and the aggregated rules, pure (the end-to-end tests run them against Graph and Azurite). */

const DAY = 86_400_000;
const T = new Date('2027-03-01T12:00:00Z');
const at = (days: number, from = T) => new Date(from.getTime() + days * DAY).toISOString();
const POLICY = { thresholdDays: [30, 14, 7, 1], criticalDays: 7, warningDays: 30 };

let serial = 0;
function cert(device: string, expiresInDays: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  serial += 1;
  return {
    id: `id-${serial}`,
    managedDeviceDisplayName: device,
    userPrincipalName: `${device.toLowerCase()}@contoso.com`,
    certificateSubjectName: `CN=${device}`,
    certificateIssuerName: 'CN=Contoso Issuing CA',
    certificateExpirationDateTime: at(expiresInDays),
    certificateThumbprint: `${serial.toString(16).padStart(8, '0')}ABCDEF`,
    certificateSerialNumber: `SN${serial}`,
    certificateRevokeStatus: 'none',
    ...extra,
  };
}

function scan(pages: Array<Array<unknown>>, now = T, window = 30): ScanResult {
  const s = new DeviceCertificateScan(now, window);
  for (const p of pages) s.addPage(p);
  return s.finish();
}

const ctx = (now = T) => ({ now, policy: POLICY, tenant: 'Contoso', listUrl: (d: number) => `https://monitor.example/api/device-certificates?withinDays=${d}&format=csv`, newEpoch: 'e0e0e0e0' });

/** What the store would hold after the decision commits. */
function apply(stored: Map<string, StoredListRow>, d: DeviceCertDecision): Map<string, StoredListRow> {
  const next = new Map(stored);
  for (const r of d.rows?.upsert ?? []) next.set(r.thumbprint, r);
  for (const t of d.rows?.remove ?? []) next.delete(t);
  return next;
}

/** Runs checks in sequence as the runner does: rows read only when the digest says so. */
function checks(): (pages: Array<Array<unknown>>, now: Date) => DeviceCertDecision {
  let state: DeviceCertState = INITIAL_DEVICE_CERT_STATE;
  let rows = new Map<string, StoredListRow>();
  return (pages, now) => {
    const result = scan(pages, now);
    const d = decideDeviceCertificates(state, { kind: 'complete', result }, needsRows(state, result, now, POLICY) ? rows : null, ctx(now));
    rows = apply(rows, d);
    state = d.next;
    return d;
  };
}

describe('the scan', () => {
  test('a renewal supersedes the old certificate whether it comes before or after it in the pages', () => {
    const old = cert('iPhone-1', 3);
    const renewed = { ...cert('iPhone-1', 400), certificateThumbprint: 'FFFF0001' };
    for (const pages of [[[old], [renewed]], [[renewed], [old]]]) {
      const r = scan(pages);
      expect(r.superseded).toBe(1);
      expect(r.summary.totalAtRisk).toBe(0);
      expect(r.certificates).toEqual([]);
    }
  });

  test('another user, subject or issuer on the same device is not a renewal', () => {
    const a = cert('iPad-7', 5);
    const others = [{ ...a, certificateThumbprint: 'B1', userPrincipalName: 'bob@contoso.com', certificateExpirationDateTime: at(300) }, { ...a, certificateThumbprint: 'B2', certificateSubjectName: 'CN=other', certificateExpirationDateTime: at(300) }, { ...a, certificateThumbprint: 'B3', certificateIssuerName: 'CN=Other CA', certificateExpirationDateTime: at(300) }];
    const r = scan([[a, ...others]]);
    expect(r.superseded).toBe(0);
    expect(r.certificates.map((c) => c.thumbprint)).toEqual([a['certificateThumbprint']]);
    expect(supersessionKey({ managedDeviceDisplayName: 'ab', userPrincipalName: 'c' })).not.toBe(supersessionKey({ managedDeviceDisplayName: 'a', userPrincipalName: 'bc' }));
  });

  test('unreadable certificates are counted and named, never expired', () => {
    const r = scan([[cert('Mac-1', 2, { certificateExpirationDateTime: '0001-01-01T00:00:00Z' }), cert('Mac-2', 2, { certificateThumbprint: '' }), 'not an object', cert('Mac-3', -3)]]);
    expect(r.scanned).toBe(4);
    expect(r.unreadable).toBe(3);
    expect(r.unreadableExample).toMatch(/Mac-1.*certificateExpirationDateTime "0001-01-01T00:00:00Z" is no date/);
    expect(r.summary.expired).toBe(1);
    expect(r.certificates.map((c) => c.deviceName)).toEqual(['Mac-3']);
  });

  test('disjoint buckets by floored days; beyond the window counted as scanned only; the same thumbprint twice is one certificate', () => {
    const twice = cert('Dup', 10);
    const r = scan([[cert('a', -1), cert('b', 0.5), cert('c', 1.9), cert('d', 2), cert('e', 7.9), cert('f', 8), cert('g', 30.9), cert('h', 31), twice, { ...twice, id: 'other-profile' }]]);
    expect(r.summary.buckets).toEqual({ expired: 1, '0-1': 2, '2-7': 2, '8-14': 2, '15-30': 1, '31+': 0 });
    expect(r.summary.totalAtRisk).toBe(7);
    expect(r.summary.expired).toBe(1);
    expect(r.scanned).toBe(10);
    expect(r.certificates.map((c) => c.deviceName)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'Dup', 'g']);
  });

  test('strings are cleaned and bounded; issuers beyond 50 are summed', () => {
    const long = 'x'.repeat(5000);
    const r = scan([Array.from({ length: 60 }, (_, i) => cert(`d${i}\u0007`, 3, { certificateIssuerName: `CA ${String(i).padStart(2, '0')}`, certificateSubjectName: long }))]);
    expect(r.certificates[0]!.deviceName).toMatch(/^d\d+ $/);
    expect(r.certificates[0]!.subjectName.length).toBeLessThanOrEqual(256);
    expect(r.summary.issuers).toHaveLength(MAX_ISSUERS + 1);
    expect(r.summary.issuers.at(-1)).toMatchObject({ issuerName: OTHER_ISSUERS, count: 10 });
    expect(r.summary.byBucketAndIssuer.reduce((n, c) => n + c.count, 0)).toBe(60);
  });
});

describe('the aggregated alerts', () => {
  test('2,000 certificates expiring the same day make one alert per threshold, with count, total, groups and sample', () => {
    const run = checks();
    const many = Array.from({ length: 2000 }, (_, i) => cert(`dev-${String(i).padStart(4, '0')}`, 20, { certificateIssuerName: i % 3 === 0 ? 'CN=CA A' : 'CN=CA B' }));
    const d = run([many.slice(0, 1000), many.slice(1000)], T);
    expect(d.alerts.map((a) => `${a.kind}:${a.thresholdDays}`)).toEqual(['expiring:30']);
    const a = d.alerts[0]!;
    expect(a).toMatchObject({ subject: 'device_certificate', subjectId: null, count: 2000, totalAtRisk: 2000, severity: 'warning', earliestExpirationDateTime: at(20) });
    expect(a.groups).toEqual([
      { issuerName: 'CN=CA B', count: 1333, earliestExpirationDateTime: at(20) },
      { issuerName: 'CN=CA A', count: 667, earliestExpirationDateTime: at(20) },
    ]);
    expect(a.sample).toHaveLength(10);
    expect(a.sample![0]).toEqual({ deviceName: 'dev-0000', userPrincipalName: 'dev-0000@contoso.com', subjectName: 'CN=dev-0000', expirationDateTime: at(20) });
    expect(a.listUrl).toBe('https://monitor.example/api/device-certificates?withinDays=30&format=csv');
    expect(a.summary).toMatch(/^2,000 device certificates of Contoso now expire within 30 days/);
    // The same tenant a day later: nothing new crossed, nothing raised.
    expect(run([many], new Date(T.getTime() + DAY)).alerts).toEqual([]);
    // Seven days later every one crosses 14: again one alert.
    expect(run([many], new Date(T.getTime() + 7 * DAY)).alerts.map((x) => `${x.kind}:${x.thresholdDays}:${x.count}`)).toEqual(['expiring:14:2000']);
  });

  test('no back-fill: first seen at 5 days counts for 7 only; expired certificates are not in expiring counts; critical at or below CRITICAL_DAYS', () => {
    const run = checks();
    const d = run([[cert('five', 5.5), cert('twenty', 20), cert('gone', -2)]], T);
    expect(d.alerts.map((a) => `${a.kind}:${a.thresholdDays}:${a.count}:${a.severity}`)).toEqual(['expiring:30:1:warning', 'expiring:7:1:critical', 'expired:null:1:critical']);
    expect(d.alerts[1]!.subjectName).toBe('five');
    expect(d.alerts[0]!.totalAtRisk).toBe(2);
  });

  test('expired: one summary per UTC calendar day, from complete scans only', () => {
    const run = checks();
    const pages = [[cert('old', -10)]];
    expect(run(pages, new Date('2027-03-01T01:00:00Z')).alerts.map((a) => a.kind)).toEqual(['expired']);
    expect(run(pages, new Date('2027-03-01T23:00:00Z')).alerts).toEqual([]);
    expect(run(pages, new Date('2027-03-02T00:30:00Z')).alerts.map((a) => a.kind)).toEqual(['expired']);
  });

  test('revocation failed: one warning for the newly failed, never again for the same certificate, counted in the summary', () => {
    const run = checks();
    const failed = cert('revoked-phone', 300, { certificateRevokeStatus: 'failed' });
    const d = run([[failed]], T);
    expect(d.alerts.map((a) => `${a.kind}:${a.count}`)).toEqual(['revocation_failed:1']);
    expect(d.next.summary!.revocationFailed).toBe(1);
    const again = run([[failed, cert('second', 200, { certificateRevokeStatus: 'Failed' })]], new Date(T.getTime() + DAY));
    expect(again.alerts.map((a) => `${a.kind}:${a.count}:${a.subjectName}`)).toEqual(['revocation_failed:1:second']);
  });

  test('a failed scan raises nothing about certificates, keeps the summary with the error; two in a row raise monitor_failing once; a good scan recovers', () => {
    const good = scan([[cert('a', 3)]]);
    let d = decideDeviceCertificates(INITIAL_DEVICE_CERT_STATE, { kind: 'complete', result: good }, new Map(), ctx());
    const summary = d.next.summary!;
    const failed = { kind: 'failed' as const, error: 'GET /beta/deviceManagement/…: page 3 failed', httpStatus: 503 };
    d = decideDeviceCertificates(d.next, failed, null, ctx());
    expect(d.alerts).toEqual([]);
    expect(d.rows).toBeNull();
    expect(d.next.summary).toEqual({ ...summary, lastError: failed.error });
    d = decideDeviceCertificates(d.next, failed, null, ctx());
    expect(d.alerts.map((a) => a.kind)).toEqual(['monitor_failing']);
    expect(d.next.incidents.map((i) => i.kind)).toEqual(['monitor_failing']);
    expect(decideDeviceCertificates(d.next, failed, null, ctx()).alerts).toEqual([]);
    d = decideDeviceCertificates(d.next, { kind: 'complete', result: good }, null, ctx());
    expect(d.alerts.map((a) => a.kind)).toEqual(['monitor_recovered']);
    expect(d.next.incidents).toEqual([]);
  });

  test('rows written by a run whose commit never happened do not count as alerted', () => {
    const result = scan([[cert('x', 5)]]);
    const first = decideDeviceCertificates(INITIAL_DEVICE_CERT_STATE, { kind: 'complete', result }, new Map(), ctx());
    expect(first.alerts.map((a) => a.thresholdDays)).toEqual([7]);
    // The rows went in, the state commit did not: the retry from the old state alerts again and rewrites nothing.
    const rows = apply(new Map(), first);
    const retry = decideDeviceCertificates(INITIAL_DEVICE_CERT_STATE, { kind: 'complete', result }, rows, ctx());
    expect(retry.alerts.map((a) => a.thresholdDays)).toEqual([7]);
    expect(retry.rows!.upsert).toEqual([]);
    // Once committed, the same rows hold: nothing is due.
    expect(decideDeviceCertificates(retry.next, { kind: 'complete', result }, rows, ctx()).alerts).toEqual([]);
  });

  test('an unchanged tenant needs no rows; a crossed threshold, a new or a dropped certificate does', () => {
    const r1 = scan([[cert('x', 20)]]);
    const d = decideDeviceCertificates(INITIAL_DEVICE_CERT_STATE, { kind: 'complete', result: r1 }, new Map(), ctx());
    expect(needsRows(d.next, r1, T, POLICY)).toBe(false);
    expect(needsRows(d.next, scan([[cert('x', 20)]], new Date(T.getTime() + 7 * DAY)), new Date(T.getTime() + 7 * DAY), POLICY)).toBe(true);
    expect(needsRows(d.next, scan([[]]), T, POLICY)).toBe(true);
  });

  test('a certificate no longer at risk (renewed) is removed from the list', () => {
    const run = checks();
    const old = cert('phone', 10);
    run([[old]], T);
    const d = run([[old, { ...cert('phone', 375), certificateThumbprint: 'NEW1' }]], new Date(T.getTime() + 1000));
    expect(d.rows!.remove).toEqual([old['certificateThumbprint']]);
    expect(d.alerts).toEqual([]);
  });
});

describe('the subject status (a stale device never makes the tenant critical)', () => {
  const fleet = (expired: number, healthy: number, extra: Array<Record<string, unknown>> = []) => [
    [...Array.from({ length: expired }, (_, i) => cert(`stale-${i}`, -3)), ...Array.from({ length: healthy }, (_, i) => cert(`ok-${i}`, 200)), ...extra],
  ];
  const entryOf = (pages: Array<Array<unknown>>) => {
    const d = checks()(pages, T);
    return { d, entry: deviceCertEntry(d.next, T, POLICY) };
  };

  test('a few expired certificates (stale devices) are a warning, reported by a warning daily summary; the entry shows the next expiry to come', () => {
    const { d, entry } = entryOf(fleet(3, 97, [cert('soon', 20)]));
    expect(d.next.summary).toMatchObject({ expired: 3, totalAtRisk: 1 });
    expect(entry.status).toBe('warning');
    expect(entry.daysRemaining).toBe(20);
    expect(d.alerts.filter((a) => a.kind === 'expired').map((a) => `${a.count}:${a.severity}`)).toEqual(['3:warning']);
  });

  test('expired certificates with nothing else due are still a warning, never ok', () => {
    expect(entryOf(fleet(1, 99)).entry.status).toBe('warning');
  });

  test('one certificate within CRITICAL_DAYS is a warning for the subject (its alert is still critical)', () => {
    const { d, entry } = entryOf(fleet(0, 99, [cert('soon', 2.5)]));
    expect(entry.status).toBe('warning');
    expect(d.alerts.find((a) => a.kind === 'expiring')!.severity).toBe('critical');
  });

  test('10% or more of the live certificates expired unrenewed (a CA or connector that stopped renewing) is critical, and so is its daily summary', () => {
    const { d, entry } = entryOf(fleet(10, 90));
    expect(entry.status).toBe('critical');
    expect(d.alerts.filter((a) => a.kind === 'expired').map((a) => a.severity)).toEqual(['critical']);
  });

  test('nothing at risk is ok; a failed revocation alone is a warning', () => {
    expect(entryOf(fleet(0, 10)).entry.status).toBe('ok');
    expect(entryOf(fleet(0, 10, [cert('revoked', 200, { certificateRevokeStatus: 'failed' })])).entry.status).toBe('warning');
  });
});
