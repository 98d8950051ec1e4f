import { APPLE_PUSH_PORTAL, CLOUDS, intuneApplePushPage, type CloudName } from '../clouds';
import type { AlertEvent, AlertKind, SubjectKind } from '../domain/alertEvent';
import { CREDENTIAL_NAMES, renewalSteps } from './tokenText';
import { channelFailingHeadline, channelLabel, channelRecoveredHeadline } from './channelText';
import { clip, plural, unitWord } from './words';
import { DEVICE_CERT_CREDENTIAL, deviceCertLinks, deviceCertSteps, deviceCertTitle } from './deviceCertText';

/**
 * The words of an alert message that do not depend on the channel: its title (card heading and mail
 * subject), the credential it is about, the large countdown, the renewal steps and the two links.
 *
 * Two tables drive them: one entry per subject kind (what the credential is called, where it is renewed)
 * and one per alert kind (its title, whether it counts days, whether it asks for a renewal). A new
 * subject or kind is one entry in each, and every channel follows.
 */

/** A title fits a Teams card heading and a mail subject line that an inbox does not cut. */
export const MAX_TITLE = 80;
/** Teams shows longer button titles cut off (and on phones wraps them badly). */
export const MAX_BUTTON_TITLE = 40;
/** Names and tenants inside titles are cut shorter, so the verb ("expires in 3 days") always shows. */
const NAME_IN_TITLE = 36;

export interface Link {
  title: string;
  url: string;
}

interface SubjectText {
  /** In titles: "APNs certificate", `VPP token "Contoso"`. */
  label(name: string | null): string;
  /** The whole set, for monitor alerts: "the APNs certificate", "the VPP tokens". */
  collective: string;
  /** The credential in full, for the line under the title. */
  credential(name: string | null): string;
  /** The renewal, as steps; empty when it cannot be renewed (any more). */
  steps(e: AlertEvent): string[];
  intune(cloud: CloudName): string;
  apple: Link;
}

const APPLE_BUSINESS_MANAGER: Link = { title: 'Open Apple Business Manager', url: 'https://business.apple.com' };

function named(base: string, name: string | null, max = Infinity): string {
  return name === null || name === '' ? base : `${base} "${clip(name, max)}"`;
}

function apnsSteps(e: AlertEvent): string[] {
  if (e.kind === 'expired' && (e.graceDaysRemaining === null || e.graceDaysRemaining < 0)) return [];
  const appleId = e.appleIdentifier === null ? 'the Apple ID that created it' : `the Apple ID ${e.appleIdentifier}`;
  const topic = e.topicIdentifier === null ? 'this certificate' : `the certificate with topic ${e.topicIdentifier}`;
  return [
    'Run `apns-monitor renew csr` to download Intune\'s signing request (or download it in Intune: Devices › Enrollment › Apple › MDM Push certificate).',
    `Sign in to Apple's Push Certificates Portal with ${appleId}, choose Renew on ${topic} (never Create a Certificate), upload the request and download the renewed .pem file.`,
    'Run `apns-monitor renew upload FILE.pem`: it checks that the file keeps the same topic and Apple ID, then uploads it to Intune.',
  ];
}

export const SUBJECT_TEXT: Record<SubjectKind, SubjectText> = {
  apns: {
    label: () => 'APNs certificate',
    collective: 'the APNs certificate',
    credential: () => 'Apple MDM push certificate (APNs)',
    steps: apnsSteps,
    intune: intuneApplePushPage,
    apple: { title: 'Open Apple Push Certificates Portal', url: APPLE_PUSH_PORTAL },
  },
  vpp_token: {
    label: (name) => named('VPP token', name, NAME_IN_TITLE),
    collective: 'the VPP tokens',
    credential: (name) => named(CREDENTIAL_NAMES.vpp_token, name),
    steps: (e) => renewalSteps('vpp_token', e.appleIdentifier),
    // No stable deep link to the token list: the admin center's home; the steps name the path.
    intune: (cloud) => CLOUDS[cloud].intuneAdminCenter,
    apple: APPLE_BUSINESS_MANAGER,
  },
  ade_token: {
    label: (name) => named('ADE token', name, NAME_IN_TITLE),
    collective: 'the ADE tokens',
    credential: (name) => named(CREDENTIAL_NAMES.ade_token, name),
    steps: (e) => renewalSteps('ade_token', e.appleIdentifier),
    intune: intuneApplePushPage,
    apple: APPLE_BUSINESS_MANAGER,
  },
  // Issue 12: one subject for every certificate on every device; linksFor gives it the list instead of Apple.
  device_certificate: {
    label: () => 'Device certificates',
    collective: 'the device certificates',
    credential: () => DEVICE_CERT_CREDENTIAL,
    steps: deviceCertSteps,
    intune: (cloud) => CLOUDS[cloud].intuneAdminCenter,
    apple: { title: 'Open in Intune', url: CLOUDS.global.intuneAdminCenter },
  },
};

interface KindText {
  /** The title after "Tenant: ", given the credential's label. */
  title(label: string, e: AlertEvent, subject: SubjectText): string;
  /** Days left (or since expiry) is the news: shown large. */
  countdown: boolean;
  /** The alert asks for a renewal: the card and mail list the steps. */
  renewal: boolean;
}

function expiresIn(days: number | null): string {
  return days === 0 ? 'expires in less than a day' : `expires in ${plural(days ?? 0, 'day')}`;
}

function expiredTitle(label: string, e: AlertEvent): string {
  if (e.subject === 'apns' && e.graceDaysRemaining !== null) {
    return e.graceDaysRemaining >= 0 ? `${label} EXPIRED, ${plural(e.graceDaysRemaining, 'day')} left to renew` : `${label} EXPIRED, renewal no longer possible`;
  }
  return `${label} EXPIRED`;
}

export const KIND_TEXT: Record<AlertKind, KindText> = {
  expiring: { title: (l, e) => `${l} ${expiresIn(e.daysRemaining)}`, countdown: true, renewal: true },
  expired: { title: expiredTitle, countdown: true, renewal: true },
  renewed: { title: (l) => `${l} renewed`, countdown: true, renewal: false },
  topic_changed: { title: (l) => `${l} replaced: devices must re-enroll`, countdown: false, renewal: false },
  apple_id_changed: { title: (l) => `Apple ID of the ${l} changed`, countdown: false, renewal: false },
  upload_failed: { title: (l) => `${l} upload failed`, countdown: true, renewal: true },
  removed: { title: (l) => `${l} REMOVED from Intune`, countdown: false, renewal: false },
  token_invalid: { title: (l, e) => `${l} is ${clip(e.state ?? 'not valid', NAME_IN_TITLE)}`, countdown: false, renewal: true },
  sync_failed: { title: (l) => `${l}: sync with Apple failed`, countdown: false, renewal: false },
  sync_stale: { title: (l) => `${l}: no sync with Apple`, countdown: false, renewal: false },
  sync_recovered: { title: (l) => `${l} syncs again`, countdown: false, renewal: false },
  revocation_failed: { title: (l) => `${l}: revocation failed`, countdown: false, renewal: false },
  monitor_failing: { title: (_l, _e, s) => `Monitor cannot read ${s.collective}`, countdown: false, renewal: false },
  monitor_recovered: { title: (_l, _e, s) => `Monitor reads ${s.collective} again`, countdown: false, renewal: false },
  // About the monitor's own channels: named by the channel (subjectName), never by its address.
  channel_failing: { title: (_l, e) => channelFailingHeadline(e.subjectName ?? 'notification'), countdown: false, renewal: false },
  channel_recovered: { title: (_l, e) => channelRecoveredHeadline(e.subjectName ?? 'notification'), countdown: false, renewal: false },
  test: { title: () => 'Test message from the APNs monitor', countdown: false, renewal: false },
};

/** Alerts about the monitor's own notification channels: no credential to renew, nothing at Apple to open. */
function aboutChannel(e: AlertEvent): boolean {
  return e.kind === 'channel_failing' || e.kind === 'channel_recovered';
}

/** "Contoso: APNs certificate expires in 3 days", at most MAX_TITLE characters, on one line. */
export function alertTitle(e: AlertEvent): string {
  const subject = SUBJECT_TEXT[e.subject];
  // Device-certificate alerts count certificates: "312 device certificates expire within 7 days".
  const text = (e.subject === 'device_certificate' ? deviceCertTitle(e) : null) ?? KIND_TEXT[e.kind].title(subject.label(e.subjectName ?? null), e, subject);
  const line = e.tenant === null || e.tenant === '' ? text : `${clip(e.tenant, NAME_IN_TITLE)}: ${text}`;
  return clip(line.replace(/\s+/g, ' ').trim(), MAX_TITLE);
}

/** The credential in full, with its tenant: "Apple MDM push certificate (APNs) of Contoso". */
export function credentialLine(e: AlertEvent): string {
  const name = aboutChannel(e) ? `The monitor's ${channelLabel(e.subjectName ?? 'notification')} channel` : SUBJECT_TEXT[e.subject].credential(e.subjectName ?? null);
  return e.tenant === null || e.tenant === '' ? name : `${name} of ${e.tenant}`;
}

export interface Countdown {
  /** Printed large: "9", "<1", "27", "EXPIRED". */
  value: string;
  /** Beside it: "days left", "days left to renew". */
  caption: string;
}

export function countdown(e: AlertEvent): Countdown | null {
  const days = e.daysRemaining;
  if (!KIND_TEXT[e.kind].countdown || days === null) return null;
  if (days === 0) return { value: '<1', caption: 'day left' };
  if (days > 0) return { value: String(days), caption: `${unitWord(days, 'day')} left` };
  // Floored days left of -1 means expired within the last day.
  const elapsed = -days - 1;
  const ago = elapsed === 0 ? 'less than a day ago' : `${plural(elapsed, 'day')} ago`;
  if (e.subject === 'apns' && e.graceDaysRemaining !== null && e.graceDaysRemaining >= 0) {
    return { value: String(e.graceDaysRemaining), caption: `${unitWord(e.graceDaysRemaining, 'day')} left to renew (expired ${ago})` };
  }
  return { value: 'EXPIRED', caption: ago };
}

/** The renewal steps this alert asks for; empty when it asks for none. */
export function renewalStepsFor(e: AlertEvent): string[] {
  if (!KIND_TEXT[e.kind].renewal) return [];
  // A VPP location claimed by another MDM is reclaimed, not renewed (the summary says how).
  if (e.kind === 'token_invalid' && e.state === 'assignedToExternalMDM') return [];
  return SUBJECT_TEXT[e.subject].steps(e);
}

/** Two buttons: the credential's page in Intune, and Apple's portal where it is renewed (none for a channel alert). */
export function linksFor(e: AlertEvent, cloud: CloudName): Link[] {
  if (aboutChannel(e)) return [];
  if (e.subject === 'device_certificate') return deviceCertLinks(e, cloud);
  const subject = SUBJECT_TEXT[e.subject];
  return [{ title: 'Open in Intune', url: subject.intune(cloud) }, subject.apple];
}

/** Severity in words, for the line beside the colour: colour alone tells some readers nothing. */
export const SEVERITY_WORD: Record<AlertEvent['severity'], string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

export interface Segment {
  text: string;
  /** A command to type: shown in a fixed-width font. */
  code: boolean;
}

/**
 * A text with its `backtick` spans marked as code: the one piece of markup messages use (for the
 * commands in summaries and steps). Nothing else in a text is read as markup.
 */
export function codeSpans(text: string): Segment[] {
  const out: Segment[] = [];
  const pattern = /`([^`\n]+)`/g;
  let at = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), code: false });
    out.push({ text: m[1]!, code: true });
    at = m.index + m[0].length;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), code: false });
  return out;
}
