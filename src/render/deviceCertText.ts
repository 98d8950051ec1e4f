import { CLOUDS, type CloudName } from '../clouds';
import type { AlertEvent, CertificateGroup, CertificateSample } from '../domain/alertEvent';
import { day, plural } from './words';

/**
 * The words of device-certificate alerts (issue 12), in one place: summaries, titles, the facts a
 * person acts on (how many, which issuers, which devices, where the list is) and the steps. Every
 * channel calls these, so Teams, email and the webhook's summary say the same thing.
 */

export const DEVICE_CERT_CREDENTIAL = 'Certificates Intune deployed to managed devices (SCEP, PKCS, Cloud PKI)';

const thousands = (n: number) => n.toLocaleString('en-US');

function certificates(n: number): string {
  return `${thousands(n)} device certificate${n === 1 ? '' : 's'}`;
}

function of(tenant: string | null): string {
  return tenant === null || tenant === '' ? '' : ` of ${tenant}`;
}

function sampleLine(s: CertificateSample): string {
  const who = s.userPrincipalName === '' ? s.deviceName || 'unnamed device' : `${s.deviceName || 'unnamed device'} (${s.userPrincipalName})`;
  return `${who}, ${s.subjectName || 'no subject'}, expires ${day(s.expirationDateTime)}`;
}

function groupLine(g: CertificateGroup): string {
  return `${g.issuerName || 'no issuer'}: ${thousands(g.count)}, first ${day(g.earliestExpirationDateTime)}`;
}

const WHERE = 'The list: `apns-monitor device-certs` or GET /api/device-certificates.';

export interface ExpiringFacts {
  tenant: string | null;
  thresholdDays: number;
  count: number;
  totalAtRisk: number;
  earliestExpirationDateTime: string;
  earliestDays: number;
}

export function deviceCertExpiringSummary(f: ExpiringFacts): string {
  const left = f.earliestDays <= 0 ? 'less than a day' : plural(f.earliestDays, 'day');
  return (
    `${certificates(f.count)}${of(f.tenant)} now expire within ${plural(f.thresholdDays, 'day')} and have not been renewed ` +
    `(the first in ${left}, ${day(f.earliestExpirationDateTime)} UTC); ${thousands(f.totalAtRisk)} in all are at risk. ` +
    `Devices that do not renew lose the Wi-Fi, VPN or email access the certificate gives. ${WHERE}`
  );
}

export function deviceCertExpiredSummary(tenant: string | null, count: number, earliest: string | null): string {
  return (
    `${certificates(count)}${of(tenant)} have EXPIRED and no renewed certificate replaces them${earliest === null ? '' : ` (the oldest expired ${day(earliest)})`}. ` +
    `Their devices have lost the access the certificate gave until Intune issues a new one. ${WHERE}`
  );
}

export function deviceCertRevocationSummary(tenant: string | null, count: number): string {
  return (
    `Intune could not revoke ${certificates(count)}${of(tenant)} (certificateRevokeStatus failed): they stay valid at the CA although Intune meant to retire them. ` +
    'Check the certificate connector and the issuing CA, then revoke them there. ' +
    WHERE
  );
}

export function deviceCertFailingSummary(tenant: string | null, failures: number, error: string): string {
  return `The monitor could not read the device certificates${of(tenant)} (${plural(failures, 'check')} in a row): ${error}. Until it can, nobody is warned before they expire; the last complete scan stays on record.`;
}

export function deviceCertRecoveredSummary(tenant: string | null): string {
  return `The monitor reads the device certificates${of(tenant)} again.`;
}

/** Titles: "312 device certificates expire within 7 days". */
export function deviceCertTitle(e: AlertEvent): string | null {
  const n = e.count ?? null;
  switch (e.kind) {
    case 'expiring':
      return n === null ? null : `${certificates(n)} expire within ${plural(e.thresholdDays ?? 0, 'day')}`;
    case 'expired':
      return n === null ? null : `${certificates(n)} EXPIRED`;
    case 'revocation_failed':
      return n === null ? null : `Revocation failed for ${certificates(n)}`;
    default:
      return null;
  }
}

/** The facts a person acts on, in the order they read them. */
export function deviceCertificateFacts(e: AlertEvent): Array<{ title: string; value: string }> {
  if (e.subject !== 'device_certificate') return [];
  const facts: Array<{ title: string; value: string }> = [];
  if (e.count !== undefined && e.count !== null) facts.push({ title: 'Certificates in this alert', value: thousands(e.count) });
  if (e.totalAtRisk !== undefined && e.totalAtRisk !== null) facts.push({ title: 'At risk in all', value: thousands(e.totalAtRisk) });
  if (e.earliestExpirationDateTime !== undefined && e.earliestExpirationDateTime !== null) facts.push({ title: 'Earliest expiry', value: `${day(e.earliestExpirationDateTime)} UTC` });
  if (e.groups !== undefined && e.groups !== null && e.groups.length > 0) facts.push({ title: 'By issuer', value: e.groups.map(groupLine).join('; ') });
  if (e.sample !== undefined && e.sample !== null && e.sample.length > 0) {
    const more = (e.count ?? e.sample.length) - e.sample.length;
    facts.push({ title: 'Devices', value: `${e.sample.map(sampleLine).join('; ')}${more > 0 ? `; and ${thousands(more)} more` : ''}` });
  }
  if (e.listUrl !== undefined && e.listUrl !== null) facts.push({ title: 'Full list', value: e.listUrl });
  return facts;
}

/** What to do, as steps: the renewal happens on the devices, so the list comes first. */
export function deviceCertSteps(e: AlertEvent): string[] {
  if (e.kind !== 'expiring' && e.kind !== 'expired') return [];
  return [
    'Open the list (`apns-monitor device-certs --within-days N`, or the link below) to see each device, user and certificate.',
    'Ask the users to unlock their devices and keep them online: an iPhone that stays locked through the renewal window does not renew its certificate. In Intune, a device sync starts the renewal at once.',
    'If certificates still do not renew, check the certificate connector (Tenant administration › Connectors and tokens › Certificate connectors) and the issuing CA, and the renewal threshold of the SCEP/PKCS profile.',
  ];
}

/** The list first (when the app knows its address), then Intune. */
export function deviceCertLinks(e: AlertEvent, cloud: CloudName): Array<{ title: string; url: string }> {
  const intune = { title: 'Open in Intune', url: CLOUDS[cloud].intuneAdminCenter };
  return e.listUrl === undefined || e.listUrl === null ? [intune] : [{ title: 'Open the list', url: e.listUrl }, intune];
}
