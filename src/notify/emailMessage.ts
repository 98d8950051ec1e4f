import { createHash } from 'node:crypto';
import { codeSpans, SEVERITY_WORD } from '../render/alertText';
import type { AlertView, Tone } from './alertView';
import { mailHeader } from './mailHeaders';

/** The alert as an email: the same view as the Teams card, as plain text and as HTML. */

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const COLOR: Record<Tone, { fg: string; bg: string }> = {
  attention: { fg: '#a4262c', bg: '#fdf3f4' },
  warning: { fg: '#7a4a00', bg: '#fff8e6' },
  good: { fg: '#0e700e', bg: '#f1faf1' },
  accent: { fg: '#0f548c', bg: '#ebf3fc' },
};

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const HTML_SPECIAL = /[&<>"']/;

export function escapeHtml(text: string): string {
  // Most texts (dates, figures, names) have nothing to escape: the dashboard escapes thousands per page.
  return HTML_SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c) : text;
}

/** Escaped HTML of a text, its `code` spans as <code>. */
function inlineHtml(text: string): string {
  return codeSpans(text)
    .map((s) => (s.code ? `<code style="font-family:Consolas,Menlo,monospace;background:#f0f0f0;padding:0 3px">${escapeHtml(s.text)}</code>` : escapeHtml(s.text)))
    .join('');
}

/**
 * `[CRITICAL] Contoso: APNs certificate expires in 3 days`: the severity first, in capitals and
 * brackets, so an inbox sorted or filtered by subject groups what is urgent.
 */
export function mailSubject(view: AlertView): string {
  return `[${view.severity.toUpperCase()}] ${view.title}`;
}

function textPart(view: AlertView): string {
  const width = Math.max(0, ...view.facts.map((f) => f.title.length)) + 2;
  return [
    view.title,
    `${SEVERITY_WORD[view.severity]} · ${view.credential}`,
    '',
    ...(view.countdown === null ? [] : [`${view.countdown.value} ${view.countdown.caption}`, '']),
    view.summary,
    ...(view.advice === null ? [] : ['', view.advice]),
    ...(view.steps.length === 0 ? [] : ['', 'How to renew:', ...view.steps.map((s, i) => `${i + 1}. ${s}`)]),
    ...(view.facts.length === 0 ? [] : ['', ...view.facts.map((f) => `${`${f.title}:`.padEnd(width)}${f.value}`)]),
    '',
    ...view.links.map((l) => `${l.title}: ${l.url}`),
    '',
    '-- ',
    `Alert ${view.alertId}, sent by apns-expiry-monitor.`,
  ].join('\n');
}

function htmlPart(view: AlertView, subject: string): string {
  const c = COLOR[view.tone];
  const countdown =
    view.countdown === null
      ? ''
      : `<p style="margin:16px 0"><span style="font-size:40px;font-weight:700;line-height:1;color:${c.fg};vertical-align:middle">${escapeHtml(view.countdown.value)}</span> <span style="font-size:16px;vertical-align:middle">${escapeHtml(view.countdown.caption)}</span></p>\n`;
  const steps =
    view.steps.length === 0
      ? ''
      : `<h2 style="font-size:16px;margin:16px 0 4px">How to renew</h2>\n<ol style="margin:0;padding-left:24px">\n${view.steps.map((s) => `<li style="margin:0 0 6px">${inlineHtml(s)}</li>`).join('\n')}\n</ol>\n`;
  const rows = view.facts
    .map((f) => `<tr><th align="left" style="padding:4px 16px 4px 0;vertical-align:top;white-space:nowrap">${escapeHtml(f.title)}</th><td style="padding:4px 0;word-break:break-word">${escapeHtml(f.value)}</td></tr>`)
    .join('\n');
  const facts = rows === '' ? '' : `<table role="presentation" style="border-collapse:collapse;margin-top:16px">\n${rows}\n</table>\n`;
  const buttons = view.links
    .map((l) => `<a href="${escapeHtml(l.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:8px 14px;border-radius:4px;background:#0f548c;color:#ffffff;text-decoration:none">${escapeHtml(l.title)}</a>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:16px;font-family:'Segoe UI',Arial,sans-serif;font-size:14px;color:#1b1b1b;background:#ffffff;line-height:1.45">
<div style="max-width:640px">
<div style="border-left:6px solid ${c.fg};background:${c.bg};padding:10px 16px">
<h1 style="margin:0;font-size:20px;color:${c.fg}">${escapeHtml(view.title)}</h1>
<p style="margin:4px 0 0;color:#424242">${escapeHtml(`${SEVERITY_WORD[view.severity]} · ${view.credential}`)}</p>
</div>
${countdown}<p>${inlineHtml(view.summary)}</p>
${view.advice === null ? '' : `<p><strong>${inlineHtml(view.advice)}</strong></p>\n`}${steps}${facts}<p style="margin-top:16px">
${buttons}
</p>
<p style="color:#616161;font-size:12px">Alert ${escapeHtml(view.alertId)}, sent by apns-expiry-monitor.</p>
</div>
</body></html>`;
}

export function buildEmail(view: AlertView): EmailContent {
  const subject = mailSubject(view);
  return { subject, text: textPart(view), html: htmlPart(view, subject) };
}

function base64Lines(text: string): string {
  return (Buffer.from(text, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

export interface MailEnvelope {
  from: string;
  to: readonly string[];
  alertId: string;
  /** When the message is written: its Date header. */
  date: Date;
}

/** RFC 5322 date-time: `Fri, 05 Mar 2027 00:00:00 +0000`. */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * The Message-ID of one alert to one set of recipients. It is derived, not random: a delivery retried
 * after a lost answer sends the same Message-ID, so the receiving mailbox can drop the copy; another
 * alert occurrence, sender or recipient list gets another one. The alert id itself may hold characters a
 * msg-id cannot, so it goes in hashed.
 */
export function messageId(envelope: Pick<MailEnvelope, 'from' | 'to' | 'alertId'>): string {
  const hash = createHash('sha256').update(JSON.stringify([envelope.alertId, envelope.from, [...envelope.to]])).digest('hex').slice(0, 32);
  const domain = /@([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$/.exec(envelope.from)?.[1] ?? 'apns-expiry-monitor.invalid';
  return `<apns-monitor.${hash}@${domain}>`;
}

/**
 * A multipart/alternative MIME message, for Graph sendMail's MIME form (the request body is this
 * message, base64, sent as text/plain): one mail carries both the plain-text and the HTML version,
 * which the JSON form cannot (its `body` is one or the other). Headers are folded at 78 characters,
 * non-ASCII text in RFC 2047 encoded words (see mailHeaders.ts).
 */
export function buildMime(content: EmailContent, envelope: MailEnvelope): string {
  const boundary = `apns-${createHash('sha256').update(envelope.alertId).digest('hex').slice(0, 24)}`;
  return [
    ...(envelope.from.includes('@') ? [mailHeader('From', envelope.from, 'addresses')] : []),
    mailHeader('To', envelope.to.join(', '), 'addresses'),
    mailHeader('Subject', content.subject),
    mailHeader('Date', rfc5322Date(envelope.date), 'addresses'),
    mailHeader('Message-ID', messageId(envelope), 'addresses'),
    'MIME-Version: 1.0',
    mailHeader('X-Apns-Monitor-Alert-Id', envelope.alertId),
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(content.text),
    `--${boundary}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(content.html),
    `--${boundary}--`,
    '',
  ].join('\r\n');
}
