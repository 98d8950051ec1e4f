import { isObject } from '../parse';
import { DEVICE_CERT_BUCKETS, type AtRiskCertificate, type DeviceCertBucket, type DeviceCertificateSummary, type IssuerAtRisk } from './model';
import { certText, expiryOf, normaliseThumbprint, revokeFailed, supersessionKey, wholeDaysLeft } from './parse';

/**
 * One scan of every device certificate, page by page. What is kept while pages arrive: the latest
 * expiry per supersession key (a number to a number), and the candidates: certificates expired or
 * within the largest threshold, or whose revocation failed. A renewal can come pages after the
 * certificate it replaces, so supersession is settled in `finish`, once every page is in.
 */

/** A kept certificate: the list's row, plus what the rules need. */
export interface ScannedCertificate extends AtRiskCertificate {
  expiryMs: number;
  revokeFailed: boolean;
  /** Not superseded, and expired or within the largest threshold: in the list and the counts. */
  atRisk: boolean;
}

export interface ScanResult {
  scanned: number;
  superseded: number;
  /** Certificates without a usable expiry or thumbprint: unknown, never expired. */
  unreadable: number;
  /** The first unreadable one, named (bounded), for the summary. */
  unreadableExample: string | null;
  /** At-risk and revocation-failed certificates, one per thumbprint, earliest expiry first. */
  certificates: ScannedCertificate[];
  summary: DeviceCertificateSummary;
}

/** Issuers shown by name; the rest are summed, so a tenant with a thousand CAs stays a bounded document. */
export const MAX_ISSUERS = 50;
export const OTHER_ISSUERS = '(other issuers)';

interface Candidate {
  key: number;
  expiryMs: number;
  thumbprint: string;
  revokeFailed: boolean;
  /** Cleaned strings, made only for candidates. */
  deviceName: string;
  userPrincipalName: string;
  subjectName: string;
  issuerName: string;
  serialNumber: string;
}

/** Expiry in whole seconds beside the number of certificates at that expiry: both fit one double. */
const COUNT_SLOTS = 1024;

export class DeviceCertificateScan {
  private readonly latest = new Map<number, number>();
  private readonly candidates: Candidate[] = [];
  private readonly nowMs: number;
  private scanned = 0;
  private readable = 0;
  private unreadable = 0;
  private unreadableExample: string | null = null;

  /** `windowDays`: the largest threshold; certificates further out are counted, not kept. */
  constructor(
    private readonly now: Date,
    private readonly windowDays: number,
  ) {
    this.nowMs = now.getTime();
  }

  /** One page's `value` items: read and let go (nothing here keeps a reference to the page). */
  addPage(items: readonly unknown[]): void {
    for (const raw of items) this.add(raw);
  }

  private add(raw: unknown): void {
    this.scanned += 1;
    if (!isObject(raw)) return this.markUnreadable('an item that is not an object');
    const expiry = expiryOf(raw);
    const thumbprint = normaliseThumbprint(raw['certificateThumbprint']);
    if (typeof expiry !== 'number' || thumbprint === null) {
      const why = typeof expiry !== 'number' ? expiry.error : 'no certificateThumbprint';
      return this.markUnreadable(`the certificate of ${certText(raw['managedDeviceDisplayName']) || 'an unnamed device'}: ${why}`);
    }
    this.readable += 1;
    const key = supersessionKey(raw);
    const seconds = Math.floor(expiry / 1000);
    const held = this.latest.get(key);
    if (held === undefined) this.latest.set(key, seconds * COUNT_SLOTS + 1);
    else {
      const heldSeconds = Math.floor(held / COUNT_SLOTS);
      if (seconds > heldSeconds) this.latest.set(key, seconds * COUNT_SLOTS + 1);
      else if (seconds === heldSeconds && held % COUNT_SLOTS < COUNT_SLOTS - 1) this.latest.set(key, held + 1);
    }
    const failed = revokeFailed(raw);
    const days = wholeDaysLeft(expiry, this.nowMs);
    if (!failed && expiry > this.nowMs && days > this.windowDays) return;
    this.candidates.push({
      key,
      expiryMs: expiry,
      thumbprint,
      revokeFailed: failed,
      deviceName: certText(raw['managedDeviceDisplayName']),
      userPrincipalName: certText(raw['userPrincipalName']),
      subjectName: certText(raw['certificateSubjectName']),
      issuerName: certText(raw['certificateIssuerName']),
      serialNumber: certText(raw['certificateSerialNumber']),
    });
  }

  private markUnreadable(why: string): void {
    this.unreadable += 1;
    this.unreadableExample ??= why;
  }

  /** Settles supersession and counts. The scan is complete: call once, after the last page. */
  finish(): ScanResult {
    let atMax = 0;
    for (const held of this.latest.values()) atMax += held % COUNT_SLOTS;
    const byThumbprint = new Map<string, ScannedCertificate>();
    for (const c of this.candidates) {
      const latestSeconds = Math.floor(this.latest.get(c.key)! / COUNT_SLOTS);
      const superseded = Math.floor(c.expiryMs / 1000) < latestSeconds;
      const atRisk = !superseded && (c.expiryMs <= this.nowMs || wholeDaysLeft(c.expiryMs, this.nowMs) <= this.windowDays);
      if (!atRisk && !c.revokeFailed) continue;
      const cert: ScannedCertificate = {
        deviceName: c.deviceName,
        userPrincipalName: c.userPrincipalName,
        subjectName: c.subjectName,
        issuerName: c.issuerName,
        expirationDateTime: new Date(c.expiryMs).toISOString(),
        thumbprint: c.thumbprint,
        serialNumber: c.serialNumber,
        expiryMs: c.expiryMs,
        revokeFailed: c.revokeFailed,
        atRisk,
      };
      // The same certificate reported twice (two profiles) is one certificate.
      const seen = byThumbprint.get(c.thumbprint);
      if (seen === undefined) byThumbprint.set(c.thumbprint, cert);
      else byThumbprint.set(c.thumbprint, { ...seen, atRisk: seen.atRisk || atRisk, revokeFailed: seen.revokeFailed || c.revokeFailed });
    }
    this.candidates.length = 0;
    const certificates = [...byThumbprint.values()].sort(byExpiry);
    return {
      scanned: this.scanned,
      superseded: this.readable - atMax,
      unreadable: this.unreadable,
      unreadableExample: this.unreadableExample,
      certificates,
      summary: summarise(certificates, this.now, this.scanned, this.readable - atMax),
    };
  }
}

export function byExpiry(a: AtRiskCertificate, b: AtRiskCertificate): number {
  return a.expirationDateTime < b.expirationDateTime ? -1 : a.expirationDateTime > b.expirationDateTime ? 1 : a.deviceName < b.deviceName ? -1 : a.deviceName > b.deviceName ? 1 : 0;
}

/** The disjoint bucket of a certificate by whole days left (floored). */
export function bucketOf(expiryMs: number, nowMs: number): DeviceCertBucket {
  if (expiryMs <= nowMs) return 'expired';
  const days = wholeDaysLeft(expiryMs, nowMs);
  if (days <= 1) return '0-1';
  if (days <= 7) return '2-7';
  if (days <= 14) return '8-14';
  if (days <= 30) return '15-30';
  return '31+';
}

export function emptyBuckets(): Record<DeviceCertBucket, number> {
  return Object.fromEntries(DEVICE_CERT_BUCKETS.map((b) => [b, 0])) as Record<DeviceCertBucket, number>;
}

/** Counts of the at-risk certificates (sorted by expiry), per bucket and issuer, bounded in issuers. */
export function summarise(certificates: readonly ScannedCertificate[], now: Date, scanned: number, superseded: number): DeviceCertificateSummary {
  const nowMs = now.getTime();
  const buckets = emptyBuckets();
  const issuers = new Map<string, IssuerAtRisk>();
  const cells = new Map<string, number>();
  let totalAtRisk = 0;
  let expired = 0;
  let revocationFailed = 0;
  let earliest: string | null = null;
  let upcoming: string | null = null;
  for (const c of certificates) {
    if (c.revokeFailed) revocationFailed += 1;
    if (!c.atRisk) continue;
    const bucket = bucketOf(c.expiryMs, nowMs);
    buckets[bucket] += 1;
    if (bucket === 'expired') expired += 1;
    else totalAtRisk += 1;
    earliest ??= c.expirationDateTime;
    if (bucket !== 'expired') upcoming ??= c.expirationDateTime;
    const issuer = issuers.get(c.issuerName);
    if (issuer === undefined) issuers.set(c.issuerName, { issuerName: c.issuerName, count: 1, earliestExpirationDateTime: c.expirationDateTime });
    else issuer.count += 1;
    const cell = `${bucket}\u0000${c.issuerName}`;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
  }
  const ranked = [...issuers.values()].sort((a, b) => b.count - a.count || (a.earliestExpirationDateTime < b.earliestExpirationDateTime ? -1 : 1));
  const named = ranked.slice(0, MAX_ISSUERS);
  const rest = ranked.slice(MAX_ISSUERS);
  const kept = new Set(named.map((i) => i.issuerName));
  const issuerList = rest.length === 0 ? named : [...named, { issuerName: OTHER_ISSUERS, count: rest.reduce((n, i) => n + i.count, 0), earliestExpirationDateTime: rest.map((i) => i.earliestExpirationDateTime).sort()[0]! }];
  const byCell = new Map<string, number>();
  for (const [cell, count] of cells) {
    const [bucket, issuerName] = cell.split('\u0000') as [DeviceCertBucket, string];
    const name = kept.has(issuerName) ? issuerName : OTHER_ISSUERS;
    const k = `${bucket}\u0000${name}`;
    byCell.set(k, (byCell.get(k) ?? 0) + count);
  }
  const byBucketAndIssuer = [...byCell].map(([cell, count]) => {
    const [bucket, issuerName] = cell.split('\u0000') as [DeviceCertBucket, string];
    return { bucket, issuerName, count };
  });
  byBucketAndIssuer.sort((a, b) => DEVICE_CERT_BUCKETS.indexOf(a.bucket) - DEVICE_CERT_BUCKETS.indexOf(b.bucket) || (a.issuerName < b.issuerName ? -1 : a.issuerName > b.issuerName ? 1 : 0));
  return {
    scannedAt: now.toISOString(),
    scanned,
    superseded,
    totalAtRisk,
    expired,
    revocationFailed,
    earliestExpirationDateTime: earliest,
    earliestUpcomingExpirationDateTime: upcoming,
    buckets,
    issuers: issuerList,
    byBucketAndIssuer,
    lastError: null,
  };
}
