import { day, plural } from './words';

/**
 * Human sentences for VPP and ADE token alerts, and the one source of their renewal advice: every
 * channel, the CLI and the dashboard say the same thing about the same token.
 */

export type TokenSubjectKind = 'vpp_token' | 'ade_token';

export const CREDENTIAL_NAMES: Record<TokenSubjectKind, string> = {
  vpp_token: 'Apps and Books (VPP) token',
  ade_token: 'Automated Device Enrollment (ADE) token',
};

const CONSEQUENCE: Record<TokenSubjectKind, string> = {
  vpp_token: 'Apps and books licensed through it can no longer be assigned, installed or updated.',
  ade_token: 'New and reset devices assigned to it no longer enroll automatically, and Intune stops syncing them with Apple.',
};

/** Who to sign in as: the Apple ID (Managed Apple ID) the token was made with. */
function signInAs(appleId: string | null): string {
  return appleId === null ? 'the Managed Apple ID that created the token' : `the Managed Apple ID ${appleId}`;
}

/** How to renew the token in place: renewing keeps every assignment; a new token or MDM server loses them. */
export function renewalAdvice(subject: TokenSubjectKind, appleId: string | null): string {
  if (subject === 'vpp_token') {
    return (
      `Sign in to Apple Business Manager (or Apple School Manager) with ${signInAs(appleId)}, download a new content token for the same location ` +
      '(Preferences › Payments and Billing), then upload it on this token in Intune (Tenant administration › Connectors and tokens › Apple VPP tokens › Edit). ' +
      'Do not add it as a new token: app assignments stay with the existing one.'
    );
  }
  return (
    'In Intune (Devices › Enrollment › Apple › Enrollment program tokens) open this token and download the public key; ' +
    `in Apple Business Manager, signed in with ${signInAs(appleId)}, open the same MDM server, upload the public key and download a new server token; ` +
    'then renew the token in Intune with that file. Never create a new MDM server: devices assigned to the old one would lose their enrollment profile.'
  );
}

/**
 * The same renewal as numbered steps, for cards and mail that show them as a list (the summary keeps
 * the one-paragraph form above).
 */
export function renewalSteps(subject: TokenSubjectKind, appleId: string | null): string[] {
  if (subject === 'vpp_token') {
    return [
      `Sign in to Apple Business Manager (or Apple School Manager) with ${signInAs(appleId)}.`,
      'Download a new content token for the same location (Preferences › Payments and Billing).',
      'In Intune, open Tenant administration › Connectors and tokens › Apple VPP tokens, choose this token › Edit and upload the new file. Do not add it as a new token: app assignments stay with the existing one.',
    ];
  }
  return [
    'In Intune, open Devices › Enrollment › Apple › Enrollment program tokens, open this token and download the public key.',
    `In Apple Business Manager, signed in with ${signInAs(appleId)}, open the same MDM server, upload the public key and download a new server token.`,
    'Back in Intune, renew the token with that file. Never create a new MDM server: devices assigned to the old one would lose their enrollment profile.',
  ];
}

export interface TokenRef {
  subject: TokenSubjectKind;
  name: string;
  tenant: string | null;
}

function who(t: TokenRef): string {
  return `The ${CREDENTIAL_NAMES[t.subject]} "${t.name}"${t.tenant === null ? '' : ` of ${t.tenant}`}`;
}

function whom(t: TokenRef): string {
  return who(t).replace(/^The /, 'the ');
}

export function tokenExpiringSummary(t: TokenRef, days: number, expiry: string, appleId: string | null): string {
  const left = days === 0 ? 'in less than a day' : `in ${plural(days, 'day')}`;
  return `${who(t)} expires ${left} (${day(expiry)} UTC). ${renewalAdvice(t.subject, appleId)}`;
}

export function tokenExpiredSummary(t: TokenRef, expiry: string, appleId: string | null): string {
  return `${who(t)} EXPIRED on ${day(expiry)}. ${CONSEQUENCE[t.subject]} ${renewalAdvice(t.subject, appleId)}`;
}

export function tokenRenewedSummary(t: TokenRef, previousExpiry: string | null, expiry: string): string {
  return `${who(t)} was renewed: it now expires on ${day(expiry)} UTC (previously ${day(previousExpiry)}).`;
}

export function tokenRemovedSummary(t: TokenRef, lastExpiry: string | null): string {
  return (
    `${who(t)} is GONE from Intune, although it was there before (expiring ${day(lastExpiry)}). ${CONSEQUENCE[t.subject]} ` +
    'If it was deleted by mistake, upload a renewed copy of that same token rather than creating a new one; if it was retired on purpose, acknowledge this alert.'
  );
}

export function tokenAppleIdChangedSummary(t: TokenRef, previous: string | null, current: string | null): string {
  return (
    `The Apple ID recorded on ${whom(t)} changed from ${previous ?? 'none'} to ${current ?? 'none'}. ` +
    'A renewal must be made with the account that owns the token; check that the right account was used and that its mailbox is monitored.'
  );
}

export function tokenInvalidSummary(t: TokenRef, state: string): string {
  return (
    `Intune reports ${whom(t)} as "${state}" instead of valid. ${CONSEQUENCE[t.subject]} ` +
    (state === 'assignedToExternalMDM'
      ? 'Another MDM has claimed this location: reclaim it for Intune in Apple Business Manager, or remove the token if that move was intended.'
      : renewalAdvice(t.subject, null))
  );
}

export function tokenSyncFailedSummary(t: TokenRef, failure: string): string {
  return `The last sync of ${whom(t)} with Apple failed (${failure}). Until a sync succeeds, changes made in Apple Business Manager do not reach Intune; start a manual sync on the token in Intune and check the account in Apple Business Manager.`;
}

export function tokenSyncStaleSummary(t: TokenRef, lastSync: string | null, hours: number): string {
  const since = lastSync === null ? 'has never synced' : `last synced on ${day(lastSync)}`;
  return `${who(t)} ${since}: no successful sync with Apple for more than ${plural(hours, 'hour')}. Start a manual sync on the token in Intune; if it keeps failing, renew the token.`;
}

export function tokenSyncRecoveredSummary(t: TokenRef, lastSync: string | null): string {
  return `${who(t)} syncs with Apple again${lastSync === null ? '' : ` (last sync ${day(lastSync)})`}.`;
}

export function subjectFailingSummary(subject: TokenSubjectKind, tenant: string | null, failures: number, error: string): string {
  return `The monitor could not read the ${CREDENTIAL_NAMES[subject]}s${tenant === null ? '' : ` of ${tenant}`} in ${failures} consecutive checks, so they are not being watched: ${error}`;
}

export function subjectRecoveredSummary(subject: TokenSubjectKind, tenant: string | null): string {
  return `The monitor reads the ${CREDENTIAL_NAMES[subject]}s${tenant === null ? '' : ` of ${tenant}`} again.`;
}

/** A short headline for a token alert, for card titles and mail subjects. */
export function tokenHeadline(kind: string, t: { subject: TokenSubjectKind; name: string | null }, facts: { daysRemaining: number | null; state: string | null }): string {
  const name = `${CREDENTIAL_NAMES[t.subject]}${t.name === null ? '' : ` "${t.name}"`}`;
  switch (kind) {
    case 'expiring':
      return facts.daysRemaining === 0 ? `${name} expires in less than a day` : `${name} expires in ${plural(facts.daysRemaining ?? 0, 'day')}`;
    case 'expired':
      return `${name} EXPIRED`;
    case 'renewed':
      return `${name} renewed`;
    case 'removed':
      return `${name} REMOVED from Intune`;
    case 'apple_id_changed':
      return `Apple ID of the ${name} changed`;
    case 'token_invalid':
      return `${name} is ${facts.state ?? 'not valid'}`;
    case 'sync_failed':
      return `${name}: sync with Apple failed`;
    case 'sync_stale':
      return `${name}: no sync with Apple`;
    case 'sync_recovered':
      return `${name} syncs again`;
    case 'monitor_failing':
      return `The monitor cannot read the ${CREDENTIAL_NAMES[t.subject]}s`;
    case 'monitor_recovered':
      return `The monitor reads the ${CREDENTIAL_NAMES[t.subject]}s again`;
    default:
      return name;
  }
}
