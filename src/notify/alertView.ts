import type { CloudName } from '../clouds';
import { CHANNEL_FAILING_ADVICE } from '../render/channelText';
import type { AlertEvent } from '../domain/alertEvent';
import type { Severity } from '../domain/status';
import { alertTitle, countdown, credentialLine, linksFor, renewalStepsFor, type Countdown, type Link } from '../render/alertText';
import { clip as clipTo, plural } from '../render/words';
import { deviceCertificateFacts } from '../render/deviceCertText';

/**
 * What a person should see for an alert, independent of the channel: the Teams card and the email
 * render this same view, so they always state the same facts.
 */

export type Tone = 'attention' | 'warning' | 'good' | 'accent';

export interface AlertView {
  /** At most 80 characters: the card's heading, the mail's subject after its [SEVERITY]. */
  title: string;
  severity: Severity;
  tone: Tone;
  /** The credential in full: "VPP token "Contoso Ltd" of Contoso". */
  credential: string;
  /** Days left, printed large; null when days are not the news. */
  countdown: Countdown | null;
  summary: string;
  /** Bold guidance: what must (or must never) happen now. */
  advice: string | null;
  /** The renewal as numbered steps (`code` spans are commands); empty when none is asked for. */
  steps: string[];
  facts: Array<{ title: string; value: string }>;
  /** Exactly two: the Intune page, Apple's portal. */
  links: Link[];
  /** For mail headers and footers; the Teams card shows no raw ids. */
  alertId: string;
}

export interface ViewOptions {
  cloud: CloudName;
  timeZone: string | null;
}

const MAX_TEXT = 1500;

function clip(text: string, max = MAX_TEXT): string {
  return clipTo(text, max);
}

export function utcText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function zonedText(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' })
    .format(new Date(iso))
    .replace(/(\d{2})\/(\d{2})\/(\d{4}),?/, '$3-$2-$1');
}

function tone(e: AlertEvent): Tone {
  if (e.severity === 'critical') return 'attention';
  if (e.severity === 'warning') return 'warning';
  return e.kind === 'renewed' || e.kind === 'monitor_recovered' || e.kind === 'channel_recovered' ? 'good' : 'accent';
}

/** One bold line: the rule a hurried reader must not miss. The steps (if any) say how. */
function advice(e: AlertEvent): string | null {
  if (e.kind === 'channel_failing') return CHANNEL_FAILING_ADVICE;
  if (e.subject !== 'apns' || e.kind === 'channel_recovered') return null;
  const appleId = e.appleIdentifier ?? 'the Apple ID that created it';
  const never = 'Never create a new certificate: its topic changes and every device must re-enroll.';
  switch (e.kind) {
    case 'expiring':
    case 'upload_failed':
      return `Renew the existing certificate with the same Apple ID (${appleId}). ${never}`;
    case 'expired':
      return e.graceDaysRemaining !== null && e.graceDaysRemaining < 0
        ? 'The renewal grace period is over: create a new push certificate in Intune and re-enroll every Apple device.'
        : `Renew the existing certificate with the same Apple ID (${appleId}) before the grace period ends. ${never}`;
    case 'removed':
      return `Upload this same certificate (same topic) to Intune again; if its file is not at hand, renew it in Apple's Push Certificates Portal with the same Apple ID (${appleId}) and upload that. ${never}`;
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
  if (e.expirationDateTime !== null) {
    add('Expires (UTC)', utcText(e.expirationDateTime));
    if (options.timeZone !== null && !Number.isNaN(Date.parse(e.expirationDateTime))) add(`Expires (${options.timeZone})`, zonedText(e.expirationDateTime, options.timeZone));
  }
  if (e.graceEndsDateTime !== null) add('Renewable until', utcText(e.graceEndsDateTime));
  add('Apple ID', e.appleIdentifier);
  add('Topic', e.topicIdentifier);
  add('Serial number', e.certificateSerialNumber);
  add('State', e.state ?? null);
  const lastSync = e.lastSyncDateTime ?? null;
  if (lastSync !== null) add('Last sync (UTC)', utcText(lastSync));
  const syncError = e.syncErrorCode ?? null;
  if (syncError !== null) add('Sync error code', String(syncError));
  if (e.thresholdDays !== null) add('Threshold', plural(e.thresholdDays, 'day'));
  if (e.previous !== null) {
    // `?? null`: an event stored before absent values were defaulted may lack one.
    const previous = { appleIdentifier: e.previous.appleIdentifier ?? null, topicIdentifier: e.previous.topicIdentifier ?? null, expirationDateTime: e.previous.expirationDateTime ?? null };
    if (previous.appleIdentifier !== e.appleIdentifier) add('Previous Apple ID', previous.appleIdentifier);
    if (previous.topicIdentifier !== e.topicIdentifier) add('Previous topic', previous.topicIdentifier);
    if (previous.expirationDateTime !== null && previous.expirationDateTime !== e.expirationDateTime) add('Previous expiry (UTC)', utcText(previous.expirationDateTime));
  }
  // Device certificates (issue 12): how many, which issuers, which devices, and where the list is.
  for (const f of deviceCertificateFacts(e)) add(f.title, f.value);
  add('Error', e.error);
  return {
    title: alertTitle(e),
    severity: e.severity,
    tone: tone(e),
    credential: clip(credentialLine(e)),
    countdown: countdown(e),
    summary: clip(e.summary),
    advice: advice(e),
    steps: renewalStepsFor(e).map((s) => clip(s)),
    facts,
    links: linksFor(e, options.cloud),
    alertId: e.id,
  };
}

/**
 * The same view with every text cut to `max` characters, for channels with a hard size limit: an
 * alert that arrives shortened beats one that never arrives.
 */
export function shortenView(view: AlertView, max: number): AlertView {
  return {
    ...view,
    credential: clip(view.credential, max),
    summary: clip(view.summary, max),
    advice: view.advice === null ? null : clip(view.advice, max),
    steps: view.steps.map((s) => clip(s, max)),
    facts: view.facts.map((f) => ({ title: f.title, value: clip(f.value, max) })),
  };
}
