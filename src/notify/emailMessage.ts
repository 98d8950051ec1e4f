import { createHash } from 'node:crypto';
import type { AlertEvent } from '../domain/alertEvent';
import type { AlertView, Tone } from './alertView';

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

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

export function buildEmail(view: AlertView, event: AlertEvent): EmailContent {
  const subject = `[APNs ${event.severity.toUpperCase()}] ${view.headline}`.replace(/[\r\n]+/g, ' ');
  const width = Math.max(...view.facts.map((f) => f.title.length)) + 2;
  const text = [
    view.headline,
    '',
    view.summary,
    ...(view.advice === null ? [] : ['', view.advice]),
    '',
    ...view.facts.map((f) => `${`${f.title}:`.padEnd(width)}${f.value}`),
    '',
    ...view.links.map((l) => `${l.title}: ${l.url}`),
    '',
    '-- ',
    'Sent by apns-expiry-monitor.',
  ].join('\n');
  const c = COLOR[view.tone];
  const rows = view.facts
    .map((f) => `<tr><th align="left" style="padding:4px 16px 4px 0;vertical-align:top;white-space:nowrap">${escapeHtml(f.title)}</th><td style="padding:4px 0;word-break:break-all">${escapeHtml(f.value)}</td></tr>`)
    .join('\n');
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:'Segoe UI',Arial,sans-serif;font-size:14px;color:#1b1b1b;line-height:1.4">
<div style="border-left:6px solid ${c.fg};background:${c.bg};padding:10px 16px">
<h1 style="margin:0;font-size:20px;color:${c.fg}">${escapeHtml(view.headline)}</h1>
</div>
<p>${escapeHtml(view.summary)}</p>
${view.advice === null ? '' : `<p><strong>${escapeHtml(view.advice)}</strong></p>\n`}<table role="presentation" style="border-collapse:collapse">
${rows}
</table>
<p>${view.links.map((l) => `<a href="${escapeHtml(l.url)}" style="color:#0f548c">${escapeHtml(l.title)}</a>`).join(' &middot; ')}</p>
<p style="color:#616161;font-size:12px">Sent by apns-expiry-monitor.</p>
</body></html>`;
  return { subject, text, html };
}

function base64Lines(text: string): string {
  return (Buffer.from(text, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

function encodedWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/**
 * A multipart/alternative MIME message, for Graph sendMail's MIME form: one mail carries both the
 * plain-text and the HTML version (the JSON form can carry only one body).
 */
export function buildMime(content: EmailContent, from: string, to: readonly string[], alertId: string): string {
  const boundary = `apns-${createHash('sha256').update(alertId).digest('hex').slice(0, 24)}`;
  return [
    ...(from.includes('@') ? [`From: ${from}`] : []),
    `To: ${to.join(', ')}`,
    `Subject: ${encodedWord(content.subject)}`,
    'MIME-Version: 1.0',
    `X-Apns-Monitor-Alert-Id: ${alertId}`,
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
