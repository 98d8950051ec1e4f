import { APPLE_PUSH_PORTAL, CLOUDS, intuneApplePushPage, type CloudName } from '../clouds';
import type { AlertEvent } from '../domain/alertEvent';
import { renewalAdvice, tokenHeadline } from '../render/tokenText';
import { CHANNEL_FAILING_ADVICE, channelFailingHeadline, channelRecoveredHeadline } from '../render/channelText';

/**
 * What a person should see for an alert, independent of the channel: the Teams card and the email
 * render this same view, so they always state the same facts.
 */

export type Tone = 'attention' | 'warning' | 'good' | 'accent';

export interface AlertView {
  headline: string;
  tone: Tone;
  summary: string;
  /** Bold guidance: how to renew, or what must happen now. */
  advice: string | null;
  facts: Array<{ title: string; value: string }>;
  links: Array<{ title: string; url: string }>;
}

export interface ViewOptions {
  cloud: CloudName;
  timeZone: string | null;
}

const MAX_TEXT = 1500;

function clip(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function days(n: number): string {
  return `${n} day${Math.abs(n) === 1 ? '' : 's'}`;
}

export function utcText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function zonedText(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' })
    .format(new Date(iso))
    .replace(/(\d{2})\/(\d{2})\/(\d{4}),?/, '$3-$2-$1');
}

function headline(e: AlertEvent): string {
  if (e.subject !== 'apns' && e.kind !== 'channel_failing' && e.kind !== 'channel_recovered') {
    const token = tokenHeadline(e.kind, { subject: e.subject, name: e.subjectName ?? null }, { daysRemaining: e.daysRemaining, state: e.state ?? null });
    return e.tenant === null ? token : `${e.tenant}: ${token}`;
  }
  const expired = e.graceDaysRemaining !== null && e.graceDaysRemaining >= 0 ? `, ${days(e.graceDaysRemaining)} left to renew` : ', renewal no longer possible';
  const text: Record<AlertEvent['kind'], string> = {
    expiring: e.daysRemaining === 0 ? 'Apple push certificate expires in less than a day' : `Apple push certificate expires in ${days(e.daysRemaining ?? 0)}`,
    expired: `Apple push certificate EXPIRED${expired}`,
    renewed: 'Apple push certificate renewed',
    topic_changed: 'Apple push certificate replaced: devices must re-enroll',
    apple_id_changed: 'Apple ID of the push certificate changed',
    upload_failed: 'Apple push certificate upload failed',
    removed: 'Apple push certificate REMOVED from Intune',
    // Token kinds: only tokens raise these (see above); listed so every kind has a headline.
    token_invalid: 'Apple token not valid',
    sync_failed: 'Apple token sync failed',
    sync_stale: 'Apple token not synced',
    sync_recovered: 'Apple token syncs again',
    monitor_failing: 'The APNs monitor cannot read the certificate',
    monitor_recovered: 'The APNs monitor reads the certificate again',
    // About the monitor's own channels: named by the channel (subjectName), never by its address.
    channel_failing: channelFailingHeadline(e.subjectName ?? 'notification'),
    channel_recovered: channelRecoveredHeadline(e.subjectName ?? 'notification'),
    test: 'APNs monitor test message',
  };
  return e.tenant === null ? text[e.kind] : `${e.tenant}: ${text[e.kind]}`;
}

function tone(e: AlertEvent): Tone {
  if (e.severity === 'critical') return 'attention';
  if (e.severity === 'warning') return 'warning';
  return e.kind === 'renewed' || e.kind === 'monitor_recovered' || e.kind === 'channel_recovered' ? 'good' : 'accent';
}

function advice(e: AlertEvent): string | null {
  if (e.kind === 'channel_failing') return CHANNEL_FAILING_ADVICE;
  if (e.kind === 'channel_recovered') return null;
  if (e.subject !== 'apns') {
    return e.kind === 'expiring' || e.kind === 'expired' || e.kind === 'token_invalid' ? renewalAdvice(e.subject, e.appleIdentifier) : null;
  }
  const appleId = e.appleIdentifier ?? 'the Apple ID that created it';
  const renew = `Renew the existing certificate with the same Apple ID (${appleId}): sign in to Apple's Push Certificates Portal, choose Renew on this certificate, then upload the renewed file in Intune. Never create a new certificate: its topic changes and every device must re-enroll.`;
  switch (e.kind) {
    case 'expiring':
    case 'upload_failed':
      return renew;
    case 'expired':
      return e.graceDaysRemaining !== null && e.graceDaysRemaining < 0 ? 'The renewal grace period is over: create a new push certificate in Intune and re-enroll every Apple device.' : renew;
    case 'removed':
      return `Upload this same certificate (same topic) to Intune again; if its file is not at hand, renew it in Apple's Push Certificates Portal with the same Apple ID (${appleId}) and upload that. Never create a new certificate: its topic changes and every device must re-enroll.`;
    case 'topic_changed':
      return 'A new certificate was created instead of renewing. If the old certificate is still renewable, renew it with its original Apple ID and upload it again; otherwise every device enrolled under the old topic must re-enroll.';
    case 'monitor_failing':
      return 'Until the monitor reads the certificate again, nobody is warned before it expires.';
    default:
      return null;
  }
}

export function alertView(e: AlertEvent, options: ViewOptions): AlertView {
  const facts: Array<{ title: string; value: string }> = [];
  const add = (title: string, value: string | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') facts.push({ title, value: clip(value) });
  };
  add('Tenant', e.tenant);
  add('Severity', e.severity);
  if (e.daysRemaining !== null && e.daysRemaining >= 0) add('Days left', String(e.daysRemaining));
  if (e.daysRemaining !== null && e.daysRemaining < 0) {
    // Floored days left of -1 means expired within the last day.
    const elapsed = -e.daysRemaining - 1;
    add('Expired', elapsed === 0 ? 'less than a day ago' : `${days(elapsed)} ago`);
  }
  if (e.expirationDateTime !== null) {
    add('Expires (UTC)', utcText(e.expirationDateTime));
    if (options.timeZone !== null && !Number.isNaN(Date.parse(e.expirationDateTime))) add(`Expires (${options.timeZone})`, zonedText(e.expirationDateTime, options.timeZone));
  }
  if (e.graceEndsDateTime !== null) add('Renewable until', utcText(e.graceEndsDateTime));
  add('Apple ID', e.appleIdentifier);
  add('Topic', e.topicIdentifier);
  add('Serial number', e.certificateSerialNumber);
  if (e.thresholdDays !== null) add('Threshold', days(e.thresholdDays));
  if (e.previous !== null) {
    // `?? null`: an event stored before absent values were defaulted may lack one.
    const previous = { appleIdentifier: e.previous.appleIdentifier ?? null, topicIdentifier: e.previous.topicIdentifier ?? null, expirationDateTime: e.previous.expirationDateTime ?? null };
    if (previous.appleIdentifier !== e.appleIdentifier) add('Previous Apple ID', previous.appleIdentifier);
    if (previous.topicIdentifier !== e.topicIdentifier) add('Previous topic', previous.topicIdentifier);
    if (previous.expirationDateTime !== null && previous.expirationDateTime !== e.expirationDateTime) add('Previous expiry (UTC)', utcText(previous.expirationDateTime));
  }
  add('Error', e.error);
  add('Alert ID', e.id);
  return {
    headline: clip(headline(e)),
    tone: tone(e),
    summary: clip(e.summary),
    advice: advice(e),
    facts,
    links: linksFor(e, options.cloud),
  };
}

const APPLE_BUSINESS_MANAGER = 'https://business.apple.com';
const APPLE_SCHOOL_MANAGER = 'https://school.apple.com';

/** Where each credential is renewed: in Intune, and at Apple. */
function linksFor(e: AlertEvent, cloud: CloudName): Array<{ title: string; url: string }> {
  // An alert about a channel has nothing to renew.
  if (e.kind === 'channel_failing' || e.kind === 'channel_recovered') return [];
  const apple = [
    { title: 'Apple Business Manager', url: APPLE_BUSINESS_MANAGER },
    { title: 'Apple School Manager', url: APPLE_SCHOOL_MANAGER },
  ];
  switch (e.subject) {
    case 'vpp_token':
      // No stable deep link to the token list: the admin center's home, with the path to follow.
      return [{ title: 'Intune: Tenant administration › Connectors and tokens › Apple VPP tokens', url: CLOUDS[cloud].intuneAdminCenter }, ...apple];
    case 'ade_token':
      return [{ title: 'Intune: Devices › Enrollment › Apple › Enrollment program tokens', url: intuneApplePushPage(cloud) }, ...apple];
    case 'apns':
      return [
        { title: 'Intune: Devices › Enrollment › Apple › MDM Push certificate', url: intuneApplePushPage(cloud) },
        { title: 'Apple Push Certificates Portal', url: APPLE_PUSH_PORTAL },
      ];
  }
}

/**
 * The same view with every text cut to `max` characters, for channels with a hard size limit: an
 * alert that arrives shortened beats one that never arrives.
 */
export function shortenView(view: AlertView, max: number): AlertView {
  return {
    ...view,
    headline: clip(view.headline, max),
    summary: clip(view.summary, max),
    advice: view.advice === null ? null : clip(view.advice, max),
    facts: view.facts.map((f) => ({ title: f.title, value: clip(f.value, max) })),
  };
}
