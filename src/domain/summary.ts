import { day, plural } from '../render/words';
import type { PreviousValues } from './alertEvent';

/** Human sentences for alerts. Pure text, so every channel and the CLI say the same thing. */

export const GRACE_DAYS = 30;
const RENEW_ADVICE =
  'Renew the existing certificate in Apple\'s Push Certificates Portal with the same Apple ID, then upload it in Intune; never create a new certificate. ' +
  '`apns-monitor renew csr` downloads the request to upload there, and `apns-monitor renew upload` checks the renewed file (same topic, same Apple ID) before it reaches Intune.';

export { day } from '../render/words';

function who(tenant: string | null): string {
  return tenant === null ? 'The Apple MDM push certificate' : `The Apple MDM push certificate of ${tenant}`;
}

function appleId(id: string | null): string {
  return id === null ? 'the Apple ID that created it' : `the Apple ID ${id}`;
}

export function expiringSummary(tenant: string | null, days: number, expiry: string, apple: string | null): string {
  const left = days === 0 ? 'in less than a day' : `in ${plural(days, 'day')}`;
  return `${who(tenant)} expires ${left} (${day(expiry)} UTC). Sign in with ${appleId(apple)}. ${RENEW_ADVICE}`;
}

export function expiredSummary(tenant: string | null, expiry: string, graceEnds: string, graceDays: number, apple: string | null): string {
  if (graceDays >= 0) {
    return (
      `${who(tenant)} EXPIRED on ${day(expiry)}: enrolled iPhones, iPads and Macs no longer take management. ` +
      `Apple still allows renewal until ${day(graceEnds)} (${plural(graceDays, 'day')} left); after that every device must re-enroll. ` +
      `Sign in with ${appleId(apple)}. ${RENEW_ADVICE}`
    );
  }
  return (
    `${who(tenant)} EXPIRED on ${day(expiry)} and Apple's renewal grace period ended on ${day(graceEnds)}: ` +
    'it can no longer be renewed. Create a new push certificate and re-enroll every Apple device.'
  );
}

export function renewedSummary(tenant: string | null, previousExpiry: string | null, expiry: string): string {
  return `${who(tenant)} was renewed: it now expires on ${day(expiry)} UTC (previously ${day(previousExpiry)}).`;
}

export function topicChangedSummary(tenant: string | null, previous: PreviousValues, topic: string | null): string {
  return (
    `${who(tenant)} now has a different topic (${topic ?? 'none'}, was ${previous.topicIdentifier ?? 'none'}): ` +
    'a new certificate was created instead of renewing the existing one. Devices enrolled under the old topic no longer answer and must re-enroll. ' +
    'If the old certificate can still be renewed, renew it with its original Apple ID and upload it again to restore them.'
  );
}

export function appleIdChangedSummary(tenant: string | null, previous: PreviousValues, apple: string | null): string {
  return (
    `The Apple ID recorded on ${who(tenant).replace(/^The /, 'the ')} changed from ${previous.appleIdentifier ?? 'none'} to ${apple ?? 'none'}. ` +
    'A renewal must be made with the Apple ID that created the certificate; check that the right account was used and that its mailbox is monitored.'
  );
}

export function uploadFailedSummary(tenant: string | null, status: string | null, reason: string | null): string {
  return `Intune reports that the last upload of ${who(tenant).replace(/^The /, 'the ')} failed (status: ${status ?? 'unknown'}; reason: ${reason ?? 'none given'}). The previous certificate stays in force until it expires: upload the renewal again.`;
}

export function removedSummary(tenant: string | null, seen: { topicIdentifier: string | null; expirationDateTime: string; appleIdentifier: string | null }): string {
  return (
    `${who(tenant)} is GONE: Intune answers that no push certificate is configured, although one (topic ${seen.topicIdentifier ?? 'unknown'}, ` +
    `expiring ${day(seen.expirationDateTime)}) was there before. Apple devices cannot be managed or enrolled until it is back. ` +
    `Upload a renewal of that same certificate (same topic, ${appleId(seen.appleIdentifier)}); a new certificate would force every device to re-enroll.`
  );
}

export function monitorFailingSummary(tenant: string | null, failures: number, error: string): string {
  return `The monitor could not read ${who(tenant).replace(/^The /, 'the ')} in ${failures} consecutive checks, so its expiry is not being watched: ${error}`;
}

export function monitorRecoveredSummary(tenant: string | null): string {
  return `The monitor reads ${who(tenant).replace(/^The /, 'the ')} again.`;
}
