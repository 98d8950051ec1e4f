import { plural } from '../../src/render/words';
import { partOf, readMail } from './mimeReader';

/**
 * The demo's inbox: what each channel received, shown as a person would see it. The Teams card is
 * approximated in HTML (title, facts, the large days, buttons as links), an email shows its HTML part in
 * a sandboxed frame, a webhook post its event and the JSON. Newest first; each message at most about
 * a screen, the long rest folded in <details>. One self-contained page: no script, no CDN.
 */

export type InboxChannel = 'teams' | 'email' | 'webhook';

export interface InboxItem {
  channel: InboxChannel;
  at: Date;
  /** Where it was posted (webhook and Teams) or the sending mailbox (email). */
  target: string;
  /** The raw body: JSON for Teams and webhooks, the MIME message for email. */
  body: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: Json | undefined): string {
  return typeof v === 'string' ? v : '';
}

function list(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : [];
}

/** Only web links become links: a card or event cannot put a javascript: URL on the page. */
function safeUrl(url: string): string | null {
  return /^https?:\/\//i.test(url) ? url : null;
}

function parseJson(body: string): Json | undefined {
  try {
    return JSON.parse(body) as Json;
  } catch {
    return undefined;
  }
}

// ---- Teams: an approximation of the Adaptive Card ----

function runHtml(run: JsonObject): string {
  const classes = ['run'];
  if (run['size'] !== undefined) classes.push(`size-${str(run['size']).toLowerCase()}`);
  if (run['weight'] !== undefined) classes.push(`weight-${str(run['weight']).toLowerCase()}`);
  if (run['color'] !== undefined) classes.push(`color-${str(run['color']).toLowerCase()}`);
  if (run['isSubtle'] === true) classes.push('subtle');
  if (run['italic'] === true) classes.push('italic');
  const text = esc(str(run['text']));
  return run['fontType'] === 'Monospace' ? `<code class="${classes.join(' ')}">${text}</code>` : `<span class="${classes.join(' ')}">${text}</span>`;
}

function columnFlex(width: Json | undefined): string {
  if (typeof width === 'number') return `flex:${width} 1 0`;
  if (width === 'auto') return 'flex:0 0 auto';
  return 'flex:1 1 0';
}

function elementHtml(el: Json): string {
  if (!isObject(el)) return '';
  switch (el['type']) {
    case 'Container':
      return `<div class="ac-container ac-style-${esc(str(el['style']) || 'default')}">${list(el['items']).map(elementHtml).join('')}</div>`;
    case 'RichTextBlock':
      return `<p class="ac-p">${list(el['inlines']).map((r) => (isObject(r) ? runHtml(r) : esc(str(r)))).join('')}</p>`;
    case 'TextBlock':
      return `<p class="ac-p">${runHtml(el)}</p>`;
    case 'ColumnSet':
      return `<div class="ac-columns">${list(el['columns'])
        .map((c) => (isObject(c) ? `<div class="ac-column" style="${columnFlex(c['width'])}">${list(c['items']).map(elementHtml).join('')}</div>` : ''))
        .join('')}</div>`;
    case 'FactSet':
      return `<table class="ac-facts">${list(el['facts'])
        .map((f) => (isObject(f) ? `<tr><th>${esc(str(f['title']))}</th><td>${esc(str(f['value']))}</td></tr>` : ''))
        .join('')}</table>`;
    default:
      return `<p class="ac-p subtle">[${esc(str(el['type']) || 'element')} not shown]</p>`;
  }
}

function actionsHtml(actions: Json[]): string {
  const links = actions.filter(isObject).map((a) => {
    const url = safeUrl(str(a['url']));
    return url === null ? `<span class="button">${esc(str(a['title']))}</span>` : `<a class="button" href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(str(a['title']))}</a>`;
  });
  return links.length === 0 ? '' : `<p class="ac-actions">${links.join(' ')}</p>`;
}

/** Characters of card text shown before the rest folds away: about what a phone shows in one screen with the title and the buttons. */
const CARD_TEXT_SHOWN = 320;

function textLength(el: Json): number {
  if (typeof el === 'string') return el.length;
  if (Array.isArray(el)) return el.reduce<number>((n, x) => n + textLength(x), 0);
  if (!isObject(el)) return 0;
  return Object.entries(el).reduce<number>((n, [k, v]) => n + (k === 'text' || k === 'value' || k === 'title' ? str(v).length : typeof v === 'object' ? textLength(v) : 0), 0);
}

/** How many of the card's first elements to show: the title block always, then while the text is short. */
function shownCount(body: Json[]): number {
  let shown = Math.min(1, body.length);
  let text = 0;
  // A short element still takes a line or two: it counts as at least a line's worth of text.
  const cost = (el: Json) => Math.max(textLength(el), 80);
  while (shown < body.length && text + cost(body[shown]!) <= CARD_TEXT_SHOWN) text += cost(body[shown++]!);
  return shown;
}

function teamsHtml(item: InboxItem): { title: string | null; html: string } {
  const payload = parseJson(item.body);
  const card = isObject(payload) ? list(payload['attachments']).filter(isObject)[0]?.['content'] : undefined;
  if (!isObject(card)) return { title: 'Teams post (not an Adaptive Card)', html: `<pre>${esc(item.body)}</pre>` };
  const body = list(card['body']);
  const count = shownCount(body);
  const shown = body.slice(0, count).map(elementHtml).join('');
  const rest = body.slice(count);
  const folded = rest.length === 0 ? '' : `<details><summary>The whole card (${rest.length} more ${rest.length === 1 ? 'part' : 'parts'})</summary>${rest.map(elementHtml).join('')}</details>`;
  // The card shows its own title: no heading above it.
  return { title: null, html: `<div class="ac-card">${shown}${folded}${actionsHtml(list(card['actions']))}</div>` };
}

// ---- Email: the HTML part, sandboxed ----

function emailHtml(item: InboxItem): { title: string; html: string } {
  let mail;
  try {
    mail = readMail(item.body);
  } catch (error) {
    return { title: 'Email (unreadable MIME)', html: `<p>${esc(error instanceof Error ? error.message : String(error))}</p><pre>${esc(item.body)}</pre>` };
  }
  const subject = mail.headers.get('subject') ?? '(no subject)';
  const head = ['from', 'to', 'date', 'message-id', 'x-apns-monitor-alert-id'].map((h) => `<dt>${esc(h)}</dt><dd>${esc(mail.headers.get(h) ?? '—')}</dd>`).join('');
  const who = `From ${mail.headers.get('from') ?? '—'} to ${mail.headers.get('to') ?? '—'}`;
  const html = partOf(mail, 'text/html')?.body;
  const text = partOf(mail, 'text/plain')?.body;
  // sandbox="" : no script, no same-origin, no forms, no top navigation; links open nowhere.
  const frame = html === undefined ? '<p>(no HTML part)</p>' : `<iframe class="mail" sandbox="" loading="lazy" title="${esc(subject)}" srcdoc="${esc(html)}"></iframe>`;
  const plain = text === undefined ? '' : `<details><summary>Plain-text part</summary><pre>${esc(text)}</pre></details>`;
  return { title: subject, html: `<details class="mail-headers"><summary>${esc(who)}</summary><dl class="headers">${head}</dl></details>${frame}${plain}` };
}

// ---- Webhook: the event and its JSON ----

function webhookHtml(item: InboxItem): { title: string; html: string } {
  const event = parseJson(item.body);
  if (!isObject(event)) return { title: 'Webhook post (not JSON)', html: `<pre>${esc(item.body)}</pre>` };
  const pretty = JSON.stringify(event, null, 2);
  const lines = pretty.split('\n').length;
  const facts = ['severity', 'subject', 'kind', 'id']
    .filter((k) => typeof event[k] === 'string')
    .map((k) => `<dt>${esc(k)}</dt><dd>${esc(str(event[k]))}</dd>`)
    .join('');
  return {
    title: `${str(event['severity']).toUpperCase()} ${str(event['subject'])} ${str(event['kind'])}`.trim() || 'Webhook post',
    html: `<dl class="headers">${facts}</dl><p>${esc(str(event['summary']))}</p><details><summary>Event JSON (${lines} lines)</summary><pre>${esc(pretty)}</pre></details>`,
  };
}

const RENDER: Record<InboxChannel, (item: InboxItem) => { title: string | null; html: string }> = { teams: teamsHtml, email: emailHtml, webhook: webhookHtml };
const LABEL: Record<InboxChannel, string> = { teams: 'Teams', email: 'Email', webhook: 'Webhook' };

function itemHtml(item: InboxItem): string {
  const { title, html } = RENDER[item.channel](item);
  return `<article class="message channel-${item.channel}" data-channel="${item.channel}">
<header><span class="badge">${LABEL[item.channel]}</span> <time datetime="${item.at.toISOString()}">${esc(item.at.toISOString().replace('T', ' ').slice(0, 19))} UTC</time> <span class="target">${esc(item.target)}</span>${title === null ? '' : `<h2>${esc(title)}</h2>`}</header>
${html}
</article>`;
}

const CSS = `
:root{color-scheme:light dark;--bg:#f5f5f5;--fg:#1b1b1b;--card:#fff;--muted:#595959;--line:#d1d1d1;--link:#0f548c;--btn:#0f548c;--btnfg:#fff;--code:#eee;
--attention:#a4262c;--attention-bg:#fdf3f4;--warning:#7a4a00;--warning-bg:#fff8e6;--good:#0e700e;--good-bg:#f1faf1;--accent:#0f548c;--emphasis-bg:#ebf3fc}
@media (prefers-color-scheme:dark){:root{--bg:#141414;--fg:#e6e6e6;--card:#1f1f1f;--muted:#b3b3b3;--line:#3d3d3d;--link:#8ec5ff;--btn:#2b6cb0;--btnfg:#fff;--code:#2b2b2b;
--attention:#ff9a9f;--attention-bg:#3a1d1f;--warning:#ffd27a;--warning-bg:#3a2e12;--good:#8fd98f;--good-bg:#1b331b;--accent:#8ec5ff;--emphasis-bg:#1b2a3a}}
*{box-sizing:border-box}body{margin:0;padding:1rem;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:52rem;margin:0 auto}h1{font-size:1.4rem;margin:.2rem 0}a{color:var(--link)}
.summary{color:var(--muted);margin:0 0 1rem}
.message{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.8rem 1rem;margin:0 0 1rem;overflow-wrap:anywhere}
.message header{margin-bottom:.5rem}.message h2{font-size:1.05rem;margin:.3rem 0 0}
.badge{display:inline-block;font-size:.75rem;font-weight:700;text-transform:uppercase;letter-spacing:.04em;padding:.1rem .45rem;border-radius:4px;border:1px solid currentColor}
.channel-teams .badge{color:#6264a7}.channel-email .badge{color:var(--good)}.channel-webhook .badge{color:var(--warning)}
@media (prefers-color-scheme:dark){.channel-teams .badge{color:#a6a7dc}}
time,.target{color:var(--muted);font-size:.85rem}
dl.headers{display:grid;grid-template-columns:max-content 1fr;gap:0 .8rem;margin:.3rem 0 .6rem;font-size:.9rem}dl.headers dt{color:var(--muted)}dl.headers dd{margin:0}.mail-headers summary{color:var(--muted);font-size:.9rem}
pre{white-space:pre-wrap;background:var(--code);padding:.6rem;border-radius:6px;max-height:60vh;overflow:auto;font-size:.85rem}
details{margin:.4rem 0}summary{cursor:pointer;color:var(--link)}
iframe.mail{width:100%;height:24rem;max-height:60vh;border:1px solid var(--line);border-radius:6px;background:#fff}
.ac-card{border:1px solid var(--line);border-radius:6px;overflow:hidden}
.ac-card>*:not(.ac-container){margin-left:.8rem;margin-right:.8rem}
.ac-container{padding:.6rem .8rem}.ac-style-attention{background:var(--attention-bg)}.ac-style-warning{background:var(--warning-bg)}.ac-style-good{background:var(--good-bg)}.ac-style-emphasis{background:var(--emphasis-bg)}
.ac-p{margin:.4rem 0}.ac-columns{display:flex;gap:.8rem;align-items:center}.ac-column{min-width:0}
.ac-facts th{text-align:left;padding-right:1rem;vertical-align:top}
.size-large{font-size:1.25rem}.size-extralarge{font-size:2.6rem;line-height:1}.size-medium{font-size:1.05rem}.weight-bolder{font-weight:700}
.color-attention{color:var(--attention)}.color-warning{color:var(--warning)}.color-good{color:var(--good)}.color-accent{color:var(--accent)}
.subtle{color:var(--muted)}.italic{font-style:italic}code{background:var(--code);padding:0 .25rem;border-radius:3px;font-family:ui-monospace,Consolas,monospace}
.ac-actions{margin:.6rem .8rem .8rem}.button{display:inline-block;margin:0 .4rem .4rem 0;padding:.35rem .8rem;border-radius:4px;background:var(--btn);color:var(--btnfg);text-decoration:none}
`;

/** The whole page, newest first. */
export function renderInboxPage(items: readonly InboxItem[]): string {
  const sorted = items.map((item, i) => ({ item, i })).sort((a, b) => b.item.at.getTime() - a.item.at.getTime() || b.i - a.i);
  const counts = (['teams', 'email', 'webhook'] as const).map((c) => `${items.filter((i) => i.channel === c).length} ${LABEL[c]}`).join(' · ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inbox: ${plural(items.length, 'message')}</title><style>${CSS}</style></head>
<body><main>
<h1>What the channels received</h1>
<p class="summary">${plural(items.length, 'message')}, newest first: ${counts}. Teams cards are approximated; emails show their HTML part as sent.</p>
${sorted.map(({ item }) => itemHtml(item)).join('\n')}
</main></body></html>`;
}
