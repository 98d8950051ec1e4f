import { parseGraphDateTime } from '../../domain/graphDate';
import { graphText } from '../../domain/bound';
import { quote, type Json } from '../parse';

/**
 * One `managedAllDeviceCertificateState` as the scan needs it. The hot path (every one of 200,000
 * certificates) only dates the expiry and hashes the supersession key from the raw strings; the
 * cleaned, bounded strings are made only for the few certificates the monitor keeps.
 */

export const DEVICE_CERTIFICATES_PATH = '/deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates';
/** The endpoint exists on beta only. */
export const DEVICE_CERTIFICATES_VERSION = 'beta' as const;
export const DEVICE_CERTIFICATE_PERMISSION = 'DeviceManagementConfiguration.Read.All';

/** Only what the list and the rules use: key usages, issuance dates and the like stay in Graph. */
export const DEVICE_CERTIFICATE_FIELDS = [
  'managedDeviceDisplayName',
  'userPrincipalName',
  'certificateSubjectName',
  'certificateIssuerName',
  'certificateExpirationDateTime',
  'certificateThumbprint',
  'certificateSerialNumber',
  'certificateRevokeStatus',
] as const;

/** Kept strings are one clean line of at most this many characters (an X.500 name can be long). */
export const MAX_CERT_TEXT = 256;

const DAY_MS = 86_400_000;

/** A string field as the list keeps it: clean and bounded; absent, blank or not a string is ''. */
export function certText(v: unknown): string {
  return typeof v === 'string' && v.trim() !== '' ? graphText(v.trim(), MAX_CERT_TEXT) : '';
}

/**
 * Thumbprints are hex, written by Intune in either case and sometimes with spaces: one certificate has
 * one thumbprint however it is written. Anything longer than a SHA-512 hex digest is not a thumbprint.
 */
export function normaliseThumbprint(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const t = v.replace(/[\s:]/g, '').toUpperCase();
  return t === '' || t.length > 128 ? null : graphText(t, 128);
}

/** Expiry in epoch ms, or an error naming the value: a certificate without a usable expiry is unreadable, never expired. */
export function expiryOf(raw: Json): number | { error: string } {
  const iso = parseGraphDateTime(raw['certificateExpirationDateTime']);
  if (iso === null) return { error: `certificateExpirationDateTime ${quote(raw['certificateExpirationDateTime'])} is no date` };
  return Date.parse(iso);
}

/**
 * The supersession key: the same device (display name and user) with the same subject from the same
 * issuer. Hashed to a number so 200,000 keys stay a few MiB and no page's strings are retained. Two
 * independent 32-bit hashes make 53 bits: with 200,000 keys a collision has odds of about 1 in 200,000
 * (and would only make one certificate look renewed while a later one exists for the other key).
 */
export function supersessionKey(raw: Json): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  const fields = [raw['managedDeviceDisplayName'], raw['userPrincipalName'], raw['certificateSubjectName'], raw['certificateIssuerName']];
  for (const field of fields) {
    const s = typeof field === 'string' ? field.trim() : '';
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    // A separator, so ("ab","c") and ("a","bc") differ.
    h1 = Math.imul(h1 ^ 0x1f, 0x01000193);
    h2 = Math.imul(h2 ^ 0x1f, 0x5bd1e995);
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) >>> 11);
}

/** Whole days left, floored, as for the push certificate (one minute past expiry is -1). */
export function wholeDaysLeft(expiryMs: number, nowMs: number): number {
  return Math.floor((expiryMs - nowMs) / DAY_MS);
}

export function revokeFailed(raw: Json): boolean {
  const s = raw['certificateRevokeStatus'];
  return typeof s === 'string' && s.trim().toLowerCase() === 'failed';
}
