import { APPLE_PUSH_PORTAL, intuneApplePushPage, type CloudName } from '../../clouds';
import type { OpenIncident } from '../../check/runCheck';
import type { SubjectEntry } from '../../subjects/subjectEntry';
import { DEVICE_CERT_BUCKETS, type DeviceCertBucket, type DeviceCertificateSummary } from '../../subjects/device_certificate/model';
import type { ChannelHealth, ChannelOutcome, Silence } from '../operatorModel';
import type { StatusDocument } from '../statusDocument';
import { capital, count, definitionList, esc, plural, thousands, timeHtml, words } from './format';
import type { Tone } from './palette';
import { SEVERITY_LABEL, STATUS_RANK, pill, statusPill } from './status';

/** The page's sections, each from one part of the status document; an absent part renders nothing. */

export interface SectionContext {
  zone: string | null;
  /** The `code` query parameter the page was opened with, for the links and the form (already URL-encoded). */
  keyQuery: string;
}

const SUBJECT_TITLE: Record<string, string> = { apns: 'Push certificate', vpp_token: 'VPP token', ade_token: 'ADE token', device_certificate: 'Device certificates' };
const subjectTitle = (s: string) => SUBJECT_TITLE[s] ?? capital(words(s));

/** With the key the page was opened with, so a link or form reaches a function-level route. */
function withKey(path: string, ctx: SectionContext, more = ''): string {
  const q = [more, ctx.keyQuery].filter((p) => p !== '').join('&');
  return esc(q === '' ? path : `${path}?${q}`);
}

export function daysText(days: number): string {
  if (days >= 0) return `${plural(days, 'day')} left`;
  return days === -1 ? 'expired today' : `expired ${plural(-days - 1, 'day')} ago`;
}

export function incidents(open: readonly OpenIncident[], ctx: SectionContext): string {
  if (open.length === 0) return '';
  const items = open.map(
    (i) =>
      `<li>${pill(i.severity === 'info' ? 'info' : i.severity, SEVERITY_LABEL[i.severity])} <strong>${esc(capital(words(i.kind)))}</strong> <span class="muted">${esc(subjectTitle(i.subject))}</span>, open since ${timeHtml(i.openedAt, ctx.zone)}<p>${esc(i.summary)}</p><p class="muted">Acknowledge: <code>apns-monitor ack ${esc(i.id)}</code></p></li>`,
  );
  const heading = open.length === 1 ? 'Open incident' : `${open.length} open incidents`;
  return `<section class="incidents" role="alert" aria-labelledby="incidents-heading" data-testid="incidents">
<h2 id="incidents-heading">${heading}</h2>
<p>The monitor will not show OK until ${open.length === 1 ? 'it is' : 'they are'} resolved or acknowledged.</p>
<ul class="plain">
${items.join('\n')}
</ul>
</section>`;
}

function hasIncident(e: SubjectEntry, open: readonly OpenIncident[]): boolean {
  return open.some((i) => i.subject === e.subject && (e.subject === 'apns' || i.subjectId === null || i.subjectId === e.id));
}

function subjectCard(e: SubjectEntry, incident: boolean, zone: string | null): string {
  const rows: Array<[string, string | null]> = [
    ['Time left', e.daysRemaining === null ? null : esc(daysText(e.daysRemaining))],
    ['Expires', e.expirationDateTime === null ? null : timeHtml(e.expirationDateTime, zone)],
    ['Apple ID', e.appleIdentifier === null ? null : esc(e.appleIdentifier)],
    ['State', e.state === null ? null : esc(e.state)],
    ['Last sync', e.lastSyncDateTime === null ? null : timeHtml(e.lastSyncDateTime, zone)],
  ];
  // A long error (a list of permission names) gets the card's whole width, not the value column.
  const problem = e.error === null ? '' : `<p class="problem"><strong>Problem:</strong> ${esc(e.error)}</p>`;
  return `<li class="card edge-${e.status}" data-testid="credential" data-subject="${esc(e.subject)}"><p class="kind">${esc(subjectTitle(e.subject))}</p><h3>${esc(e.name ?? e.id ?? 'Unknown')}</h3><p>${statusPill(e.status)}${incident ? ` ${pill('critical', 'Open incident')}` : ''}</p>${definitionList(rows)}${problem}</li>`;
}

function deviceTone(d: DeviceCertificateSummary): { tone: Tone; label: string } {
  if (d.lastError !== null && d.scannedAt === null) return { tone: 'neutral', label: 'Scan failed' };
  if (d.expired > 0) return { tone: 'expired', label: `${d.expired} expired` };
  if (d.buckets['0-1'] > 0 || d.buckets['2-7'] > 0) return { tone: 'critical', label: `${d.totalAtRisk} at risk` };
  if (d.totalAtRisk > 0) return { tone: 'warning', label: `${d.totalAtRisk} at risk` };
  return { tone: 'ok', label: 'None at risk' };
}

/** One card per watched credential, those with open incidents first, then worst first. */
export function credentialCards(doc: StatusDocument, ctx: SectionContext): string {
  const open = doc.openIncidents;
  // Device certificates have a card of their own below (from deviceCertificates) once a scan is stored.
  const cards = doc.subjects
    .filter((e) => e.subject !== 'device_certificate' || doc.deviceCertificates === undefined || doc.deviceCertificates === null)
    .map((e, i) => ({ e, i, incident: hasIncident(e, open) }))
    .sort((a, b) => Number(b.incident) - Number(a.incident) || STATUS_RANK[a.e.status] - STATUS_RANK[b.e.status] || a.i - b.i)
    .map(({ e, incident }) => subjectCard(e, incident, ctx.zone));
  const d = doc.deviceCertificates;
  if (d !== undefined && d !== null) {
    const { tone, label } = deviceTone(d);
    cards.push(
      `<li class="card edge-tone-${tone}" data-testid="credential" data-subject="device_certificate"><p class="kind">Device certificates</p><h3>Certificates on managed devices</h3><p>${pill(tone, label)}</p>${definitionList([
        ['Expired', esc(thousands(d.expired))],
        ['At risk', esc(thousands(d.totalAtRisk))],
        ['Earliest expiry', d.earliestExpirationDateTime === null ? null : timeHtml(d.earliestExpirationDateTime, ctx.zone)],
        ['Last scan', d.scannedAt === null ? 'never' : timeHtml(d.scannedAt, ctx.zone)],
      ])}<p><a href="#devices-heading">Details below</a></p></li>`,
    );
  }
  if (cards.length === 0) return '';
  return `<section aria-labelledby="credentials-heading" data-testid="credentials">
<h2 id="credentials-heading">Watched credentials</h2>
<ul class="cards">
${cards.join('\n')}
</ul>
</section>`;
}

export function silences(list: readonly Silence[] | undefined, subjects: readonly SubjectEntry[], ctx: SectionContext): string {
  if (list === undefined) return '';
  // A token is named as people know it; its id only when the monitor no longer sees it.
  const name = (s: Silence) => (s.subjectId === null ? '' : ` ${esc(subjects.find((e) => e.subject === s.subject && e.id === s.subjectId)?.name ?? s.subjectId)}`);
  const items = list.map(
    (s) =>
      `<li data-testid="silence"><strong>${esc(subjectTitle(s.subject))}${name(s)}</strong>: ${s.kind === null ? 'every alert' : `${esc(words(s.kind))} alerts`} until ${timeHtml(s.until, ctx.zone)}<p>${esc(s.reason)}</p><p class="muted">${s.createdBy === null ? 'Added' : `Added by ${esc(s.createdBy)}`} ${timeHtml(s.createdAt, ctx.zone)}. Remove: <code>apns-monitor silence remove ${esc(s.id)}</code></p></li>`,
  );
  return `<section aria-labelledby="silences-heading" data-testid="silences">
<h2 id="silences-heading">${list.length === 0 ? 'Silences' : list.length === 1 ? '1 active silence' : `${list.length} active silences`}</h2>
${list.length === 0 ? '<p>No silence is in force: every alert is delivered.</p>' : `<p>Matching alerts are recorded but not delivered; an alert that opens a critical incident is always delivered.</p>\n<ul class="plain">\n${items.join('\n')}\n</ul>`}
</section>`;
}

const OUTCOME: Record<ChannelOutcome, { tone: Tone; label: string }> = {
  delivered: { tone: 'ok', label: 'Delivered' },
  retrying: { tone: 'warning', label: 'Retrying' },
  failed: { tone: 'critical', label: 'Failed' },
};

function channelCard(c: ChannelHealth, zone: string | null): string {
  const outcome = c.lastOutcome === null ? { tone: 'neutral' as Tone, label: 'Not tried yet' } : OUTCOME[c.lastOutcome];
  const failing = c.failingSince !== null;
  const rows: Array<[string, string | null]> = [
    ['Last attempt', c.lastAttemptAt === null ? 'none yet' : timeHtml(c.lastAttemptAt, zone)],
    ['Last delivered', c.lastDeliveredAt === null ? 'never' : timeHtml(c.lastDeliveredAt, zone)],
    ['Failing since', c.failingSince === null ? null : timeHtml(c.failingSince, zone)],
    ['Failed in a row', c.consecutiveFailures === 0 ? null : `${c.consecutiveFailures} ${c.consecutiveFailures === 1 ? 'delivery' : 'deliveries'}`],
  ];
  const error = c.lastError === null ? '' : `<p class="problem"><strong>Last error:</strong> ${esc(c.lastError)}</p>`;
  return `<li class="card edge-tone-${failing ? 'critical' : outcome.tone}" data-testid="channel" data-channel="${esc(c.channel)}"><h3>${esc(capital(c.channel))}</h3><p>${failing ? pill('critical', 'Failing') : pill(outcome.tone, outcome.label)}</p>${definitionList(rows)}${error}</li>`;
}

/** Each channel's record, and the button that proves a channel works before an alert depends on it. */
export function channels(list: readonly ChannelHealth[] | undefined, ctx: SectionContext): string {
  const cards = list === undefined || list.length === 0 ? '' : `<ul class="cards">\n${list.map((c) => channelCard(c, ctx.zone)).join('\n')}\n</ul>`;
  return `<section aria-labelledby="channels-heading" data-testid="channels">
<h2 id="channels-heading">Notification channels</h2>
${list !== undefined && list.length === 0 ? '<p>No channel is configured: alerts are recorded here and in the log only.</p>' : ''}${cards}
<form id="test-alert" class="test-alert" method="post" action="${withKey('test-alert', ctx)}" data-testid="test-alert">
<button type="submit">Send a test alert</button>
<span class="muted">Every configured channel receives a message marked as a test; each one's outcome is shown here.</span>
</form>
<div id="test-alert-result" class="test-result" role="status" aria-live="polite" data-testid="test-alert-result"></div>
</section>`;
}

const BUCKET_LABEL: Record<DeviceCertBucket, string> = {
  expired: 'Expired',
  '0-1': '0–1 days',
  '2-7': '2–7 days',
  '8-14': '8–14 days',
  '15-30': '15–30 days',
  '31+': '31 days or more',
};

export function deviceCertificates(d: DeviceCertificateSummary | null | undefined, ctx: SectionContext): string {
  if (d === undefined || d === null) return '';
  const buckets = DEVICE_CERT_BUCKETS.filter((b) => b !== '31+' || d.buckets['31+'] > 0);
  const most = Math.max(1, ...buckets.map((b) => d.buckets[b]));
  const rows = buckets.map(
    (b) =>
      `<tr data-bucket="${b}"><th scope="row">${BUCKET_LABEL[b]}</th><td class="num">${thousands(d.buckets[b])}</td><td class="bar-cell" aria-hidden="true"><svg class="bar${b === 'expired' || b === '0-1' ? ' bar-critical' : ''}" viewBox="0 0 100 10" preserveAspectRatio="none"><rect width="${Math.max(d.buckets[b] === 0 ? 0 : 1, Math.round((d.buckets[b] / most) * 100))}" height="10"/></svg></td></tr>`,
  );
  const issuers = d.issuers.slice(0, 5).map((i) => `<li><span class="wrap">${esc(i.issuerName)}</span>: ${esc(count(i.count, 'certificate'))}, the first expiring ${timeHtml(i.earliestExpirationDateTime, ctx.zone)}</li>`);
  return `<section aria-labelledby="devices-heading" data-testid="device-certificates">
<h2 id="devices-heading">Device certificates</h2>
<p>${d.scannedAt === null ? 'No scan has completed yet.' : `Last scan ${timeHtml(d.scannedAt, ctx.zone)}: ${esc(count(d.scanned, 'certificate'))} read, ${esc(count(d.superseded, 'certificate'))} superseded by a newer one.`}</p>
${d.lastError === null ? '' : `<p class="notice">${pill('neutral', 'Scan failed')} ${esc(d.lastError)} The figures below are from the last complete scan.</p>`}
<table class="buckets"><caption>Certificates not superseded, by days left</caption><thead><tr><th scope="col">Days left</th><th scope="col" class="num">Certificates</th><th scope="col"><span class="visually-hidden">Share</span></th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<p>${d.revocationFailed === 0 ? 'No revocation has failed.' : `${pill('critical', 'Revocation failed')} ${esc(count(d.revocationFailed, 'certificate'))} could not be revoked.`}</p>
${issuers.length === 0 ? '' : `<h3>Issuers with the most at risk</h3>\n<ul>\n${issuers.join('\n')}\n</ul>`}
<p class="links">The list: <a href="${withKey('device-certificates', ctx, 'format=csv')}" data-testid="device-list-csv">CSV</a><a href="${withKey('device-certificates', ctx, 'format=json')}">JSON</a></p>
</section>`;
}

export function deliveryFailures(doc: StatusDocument, ctx: SectionContext): string {
  const failures = doc.deliveryFailures;
  if (failures.length === 0) return '';
  return `<section aria-labelledby="delivery-heading" data-testid="delivery-failures">
<h2 id="delivery-heading">${failures.length === 1 ? 'An alert a channel refused' : `${failures.length} alerts a channel refused`}</h2>
<ul>
${failures.map((f) => `<li>${timeHtml(f.at, ctx.zone)} <strong>${esc(f.channel)}</strong> refused ${esc(words(f.kind))} (<code>${esc(f.alertId)}</code>): ${esc(f.detail ?? 'no detail')}</li>`).join('\n')}
</ul>
<p>Fix the channel's setting: a corrected target receives the alert on the next check.</p>
</section>`;
}

export function renewing(doc: StatusDocument | null, cloud: CloudName): string {
  return `<section aria-labelledby="renew-heading">
<h2 id="renew-heading">Renewing</h2>
<p>Apple ID to sign in with:</p>
<p class="apple-id" data-testid="apple-id">${esc(doc?.certificate?.appleIdentifier ?? 'unknown')}</p>
<p>Renew the existing certificate with this same Apple ID in Apple's Push Certificates Portal, then upload the renewed file in Intune. Never create a new certificate: its topic changes and every device must re-enroll.</p>
<p>Or with the renewal assistant: <code>apns-monitor renew csr</code> writes the signing request to upload in the portal (choose <strong>Renew</strong>), and <code>apns-monitor renew upload MDM_Certificate.pem</code> refuses a file with another topic or Apple ID before it reaches Intune.</p>
<p class="links"><a href="${esc(APPLE_PUSH_PORTAL)}" rel="noopener noreferrer">Apple Push Certificates Portal</a><a href="${esc(intuneApplePushPage(cloud))}" rel="noopener noreferrer">Intune: Devices › Enrollment › Apple</a></p>
</section>`;
}

export function details(doc: StatusDocument, ctx: SectionContext): string {
  const cert = doc.certificate;
  const z = ctx.zone;
  return `<section aria-labelledby="details-heading">
<h2 id="details-heading">Certificate and monitor</h2>
${definitionList([
  ['Topic', cert?.topicIdentifier == null ? null : esc(cert.topicIdentifier)],
  ['Serial number', cert?.certificateSerialNumber == null ? null : esc(cert.certificateSerialNumber)],
  ['Last modified', cert?.lastModifiedDateTime == null ? null : timeHtml(cert.lastModifiedDateTime, z)],
  ['Upload status', cert?.certificateUploadStatus == null ? null : esc(cert.certificateUploadStatus)],
  ['Upload failure', cert?.certificateUploadFailureReason == null ? null : esc(cert.certificateUploadFailureReason)],
  ['Last check', timeHtml(doc.checkedAt, z)],
  ['Last good check', doc.lastGoodCheckAt === null ? null : timeHtml(doc.lastGoodCheckAt, z)],
  ['Last error', doc.lastError === null ? null : esc(doc.lastError)],
  ['Next alert threshold', doc.nextThresholdDays === null ? null : esc(plural(doc.nextThresholdDays, 'day'))],
])}
</section>`;
}
