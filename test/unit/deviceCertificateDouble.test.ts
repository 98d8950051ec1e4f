import { describe, expect, test } from 'vitest';
import {
  certificateFleetTruth,
  certificatePageCount,
  certificateStateAt,
  certificateStatePage,
  DEFAULT_ISSUERS,
  generateCertificateStates,
  REVOKE_STATUSES,
  type CertificateFleetOptions,
  type ManagedAllDeviceCertificateState,
} from '../doubles/deviceCertificates';
import { parseGraphDateTime } from '../../src/domain/graphDate';

const now = new Date('2027-03-01T12:00:00.000Z');
const DAY = 86_400_000;
const fleet: CertificateFleetOptions = { count: 5000, now, supersededShare: 0.05, expiringShare: 0.04, expiredShare: 0.01, revokeFailed: 3, seed: 7 };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function key(s: ManagedAllDeviceCertificateState): string {
  return [s.managedDeviceDisplayName, s.userPrincipalName, s.certificateSubjectName, s.certificateIssuerName].join('\u0000');
}

/**
 * The issue's rule, computed here from the objects alone (not from the generator's layout): superseded when
 * another certificate of the same device, user, subject and issuer expires later.
 */
function oracle(states: readonly ManagedAllDeviceCertificateState[]) {
  const latest = new Map<string, number>();
  for (const s of states) latest.set(key(s), Math.max(latest.get(key(s)) ?? -Infinity, Date.parse(s.certificateExpirationDateTime)));
  let superseded = 0;
  let expiring = 0;
  let expired = 0;
  const buckets = { expired: 0, '0-1': 0, '2-7': 0, '8-14': 0, '15-30': 0, '31+': 0 };
  for (const s of states) {
    const ms = Date.parse(s.certificateExpirationDateTime);
    if (ms < latest.get(key(s))!) {
      superseded++;
      continue;
    }
    const days = Math.floor((ms - now.getTime()) / DAY);
    if (days > 30) continue;
    if (days < 0) expired++;
    else expiring++;
    buckets[days < 0 ? 'expired' : days <= 1 ? '0-1' : days <= 7 ? '2-7' : days <= 14 ? '8-14' : '15-30']++;
  }
  return { superseded, expiring, expired, buckets };
}

describe('the device certificate double', () => {
  const states = generateCertificateStates(fleet);

  test('Graph-shaped: every listed field, GUID ids, 40-hex thumbprints, hex serials, ISO dates with Z, documented revoke statuses', () => {
    expect(states).toHaveLength(5000);
    for (const s of states) {
      expect(Object.keys(s).sort()).toEqual(
        [
          '@odata.type',
          'id',
          'certificateRevokeStatus',
          'certificateRevokeStatusLastChangeDateTime',
          'managedDeviceDisplayName',
          'userPrincipalName',
          'certificateExpirationDateTime',
          'certificateIssuerName',
          'certificateThumbprint',
          'certificateSerialNumber',
          'certificateSubjectName',
          'certificateKeyUsages',
          'certificateExtendedKeyUsages',
          'certificateIssuanceDateTime',
        ].sort(),
      );
      expect(s.id).toMatch(GUID);
      expect(s.certificateThumbprint).toMatch(/^[0-9A-F]{40}$/);
      expect(s.certificateSerialNumber).toMatch(/^[0-9A-F]+$/);
      expect(s.certificateExpirationDateTime).toMatch(/Z$/);
      expect(parseGraphDateTime(s.certificateExpirationDateTime)).not.toBeNull();
      expect(parseGraphDateTime(s.certificateIssuanceDateTime)).not.toBeNull();
      expect(Date.parse(s.certificateIssuanceDateTime)).toBeLessThan(Date.parse(s.certificateExpirationDateTime));
      expect(REVOKE_STATUSES).toContain(s.certificateRevokeStatus);
      // "none" carries Graph's empty date, which the strict reader treats as no date.
      if (s.certificateRevokeStatus === 'none') expect(parseGraphDateTime(s.certificateRevokeStatusLastChangeDateTime)).toBeNull();
      else expect(parseGraphDateTime(s.certificateRevokeStatusLastChangeDateTime)).not.toBeNull();
    }
  });

  test('identities are unique: ids, thumbprints and serial numbers', () => {
    expect(new Set(states.map((s) => s.id)).size).toBe(5000);
    expect(new Set(states.map((s) => s.certificateThumbprint)).size).toBe(5000);
    expect(new Set(states.map((s) => s.certificateSerialNumber)).size).toBe(5000);
  });

  test('deterministic from the seed, and a different seed gives a different fleet', () => {
    expect(generateCertificateStates(fleet)).toEqual(states);
    const other = generateCertificateStates({ ...fleet, seed: 8 });
    expect(other.map((s) => s.certificateThumbprint)).not.toEqual(states.map((s) => s.certificateThumbprint));
  });

  test('the counts asked for, checked against the supersession rule computed from the objects alone', () => {
    const truth = certificateFleetTruth(fleet);
    const seen = oracle(states);
    expect(truth.superseded).toBe(250);
    expect(seen).toEqual({ superseded: truth.superseded, expiring: truth.expiring, expired: truth.expired, buckets: truth.buckets });
    // Exactly the singles asked for are at risk: renewed copies are a year further out than their old copy.
    expect(truth.expiring).toBe(200);
    expect(truth.expired).toBe(50);
    expect(truth.buckets['31+']).toBe(0);
    expect(states.filter((s) => s.certificateRevokeStatus === 'failed')).toHaveLength(3);
    expect(truth.revokeFailed).toBe(3);
    const superseded = new Set(truth.supersededThumbprints);
    expect(superseded.size).toBe(250);
  });

  test('the expiring certificates are spread over every bucket, and some superseded copies are expiring or expired', () => {
    const truth = certificateFleetTruth(fleet);
    for (const b of ['0-1', '2-7', '8-14', '15-30'] as const) expect(truth.buckets[b]).toBe(50);
    const superseded = states.filter((s) => truth.supersededThumbprints.includes(s.certificateThumbprint));
    const days = superseded.map((s) => Math.floor((Date.parse(s.certificateExpirationDateTime) - now.getTime()) / DAY));
    expect(days.some((d) => d < 0)).toBe(true);
    expect(days.some((d) => d >= 0 && d <= 30)).toBe(true);
  });

  test('three issuers by default, all of them at risk somewhere; custom issuers are used', () => {
    const truth = certificateFleetTruth(fleet);
    expect(new Set(states.map((s) => s.certificateIssuerName))).toEqual(new Set(DEFAULT_ISSUERS));
    expect(Object.keys(truth.atRiskByIssuer).sort()).toEqual([...DEFAULT_ISSUERS].sort());
    expect(Object.values(truth.atRiskByIssuer).reduce((a, b) => a + b, 0)).toBe(250);
    const custom = generateCertificateStates({ count: 50, now, issuers: ['CN=Only CA'] });
    expect(new Set(custom.map((s) => s.certificateIssuerName))).toEqual(new Set(['CN=Only CA']));
  });

  test('supersession pairs come in both page orders, within a page and across pages', () => {
    const pageSize = 100;
    const firstAt = new Map<string, { position: number; ms: number }>();
    let renewalFirst = 0;
    let oldFirst = 0;
    let acrossPages = 0;
    let samePage = 0;
    states.forEach((s, position) => {
      const ms = Date.parse(s.certificateExpirationDateTime);
      const earlier = firstAt.get(key(s));
      if (earlier === undefined) {
        firstAt.set(key(s), { position, ms });
        return;
      }
      if (earlier.ms > ms) renewalFirst++;
      else oldFirst++;
      if (Math.floor(earlier.position / pageSize) === Math.floor(position / pageSize)) samePage++;
      else acrossPages++;
    });
    expect(renewalFirst + oldFirst).toBe(250);
    expect(renewalFirst).toBeGreaterThan(25);
    expect(oldFirst).toBeGreaterThan(25);
    expect(acrossPages).toBeGreaterThan(0);
    expect(samePage + acrossPages).toBe(250);
  });

  test('pages are the fleet cut in order, produced one at a time; the last is short and past the end is empty', () => {
    expect(certificatePageCount(fleet, 1000)).toBe(5);
    const paged = [0, 1, 2, 3, 4].flatMap((i) => certificateStatePage(fleet, i, 1000));
    expect(paged).toEqual(states);
    expect(certificateStatePage({ ...fleet, count: 2500 }, 2, 1000)).toHaveLength(500);
    expect(certificateStatePage(fleet, 5, 1000)).toEqual([]);
    expect(certificateStateAt(fleet, 4321)).toEqual(states[4321]);
  });

  test('200,000 certificates: any page on its own, without building the fleet', () => {
    const big: CertificateFleetOptions = { count: 200_000, now, seed: 3 };
    const last = certificateStatePage(big, 199, 1000);
    expect(last).toHaveLength(1000);
    expect(certificateStatePage(big, 199, 1000)).toEqual(last);
    expect(certificatePageCount(big, 1000)).toBe(200);
    const ids = new Set([...certificateStatePage(big, 0, 1000), ...last].map((s) => s.certificateThumbprint));
    expect(ids.size).toBe(2000);
  });

  test('impossible asks are refused by name', () => {
    expect(() => generateCertificateStates({ count: 10, now, supersededShare: 0.5, expiringShare: 0.5 })).toThrow(/cannot hold/);
    expect(() => generateCertificateStates({ count: 10, now, expiringShare: 2 })).toThrow(/expiringShare/);
    expect(() => generateCertificateStates({ count: -1, now })).toThrow(/count/);
    expect(() => certificateStatePage(fleet, 0, 0)).toThrow(/pageSize/);
    expect(generateCertificateStates({ count: 0, now, revokeFailed: 0 })).toEqual([]);
  });
});

test('display names carry non-ASCII, sign-in names stay ASCII as Entra requires', () => {
  const states = generateCertificateStates({ count: 500, now });
  expect(states.some((s) => /[^\x00-\x7f]/.test(s.managedDeviceDisplayName))).toBe(true);
  expect(states.every((s) => /^[a-z0-9.]+@contoso\.com$/.test(s.userPrincipalName))).toBe(true);
});
