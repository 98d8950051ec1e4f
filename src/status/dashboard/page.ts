import { createHash } from 'node:crypto';
import type { CloudName } from '../../clouds';
import type { HistoryEntry } from '../../storage/records';
import type { StatusDocument } from '../statusDocument';
import { renderChart, type ChartPoint } from './chart';
import { esc, plural, timeHtml } from './format';
import { SCRIPT } from './script';
import * as sections from './sections';
import { icon, STATUS_LABEL, STATUS_TONE } from './status';
import { STYLE } from './style';
import { renderTimeline } from './timeline';

/**
 * The dashboard: one self-contained page (inline CSS and script allowed by hash, server-drawn SVG,
 * no CDN), so it renders on an air-gapped network and on a phone, and reads without its script.
 * It is built as a list of parts joined once: no string grows by repeated concatenation.
 */

export interface DashboardInput {
  doc: StatusDocument | null;
  /** Newest first, as listHistory returns it. Only the newest DASHBOARD_HISTORY_ROWS are read. */
  history: readonly HistoryEntry[];
  thresholds: readonly number[];
  cloud: CloudName;
  generatedAt: Date;
  /** DISPLAY_TIMEZONE: what times read in when the viewer's browser runs no script. */
  timeZone?: string | null;
  /** The function key the page was opened with (`?code=`), carried by its links and its form. */
  key?: string | null;
}

/**
 * The page shows a window of history bounded by row count, so its cost does not grow with the age
 * of the deployment: 500 rows are some four months of six-hourly checks and their alerts.
 */
export const DASHBOARD_HISTORY_ROWS = 500;
/** The table under the chart lists the newest checks only. */
const TABLE_ROWS = 100;
export const REFRESH_SECONDS = 300;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Only this page's own style and script may run; it may post only to itself and fetch only from itself. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  'img-src data:',
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function dashboardHeaders(): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}

type CheckEntry = Extract<HistoryEntry, { type: 'check' }>;

function statusBlock(doc: StatusDocument | null, zone: string | null): string {
  if (doc === null) {
    return `<div class="status tone-neutral" role="status" data-testid="status-block">
<h1 data-testid="status">No check yet</h1>
<p>No check has been recorded yet: the timer has not run. Run <code>apns-monitor check</code> or wait for the schedule.</p>
</div>`;
  }
  const tone = STATUS_TONE[doc.status];
  const d = doc.daysRemaining;
  const daysLine =
    d === null
      ? ''
      : d >= 0
        ? `<p class="days"><strong data-testid="days">${d}</strong> ${d === 1 ? 'day' : 'days'} left</p>`
        : `<p class="days">Expired${d === -1 ? ' today' : ` <strong data-testid="days">${-d - 1}</strong> ${-d - 1 === 1 ? 'day' : 'days'} ago`}: ${d + 30 >= 0 ? `${esc(plural(d + 30, 'day'))} left to renew` : 'it can no longer be renewed'}</p>`;
  // The headline is the worst of every credential and incident; the days below are the push certificate's.
  const apns = doc.subjects.find((e) => e.subject === 'apns');
  const why = doc.subjects.length > 1 && apns !== undefined && apns.status !== doc.status ? `<p>The worst of ${doc.subjects.length} watched credentials and their open incidents. The push certificate:</p>` : '';
  return `<div class="status tone-${tone}" role="status" data-testid="status-block">
<h1>${icon(tone)} <span data-testid="status">${esc(STATUS_LABEL[doc.status])}</span></h1>
${why}${daysLine}
${doc.certificate === null ? '' : `<p>Expires <strong>${timeHtml(doc.certificate.expirationDateTime, zone)}</strong></p>`}
</div>`;
}

function chartSection(window: readonly HistoryEntry[], thresholds: readonly number[], zone: string | null): string {
  const checks: CheckEntry[] = [];
  const renewals: number[] = [];
  for (const h of window) {
    if (h.type === 'check') checks.push(h);
    else if (h.type === 'renewal') renewals.push(Date.parse(h.at));
    else if (h.type === 'alert' && h.alert.kind === 'renewed' && h.alert.subject === 'apns') renewals.push(Date.parse(h.alert.occurredAt));
  }
  const points: ChartPoint[] = [];
  for (let i = checks.length - 1; i >= 0; i--) {
    const c = checks[i]!.check;
    const t = Date.parse(c.checkedAt);
    if (c.daysRemaining !== null && !Number.isNaN(t)) points.push({ t, days: c.daysRemaining });
  }
  const rows = checks.slice(0, TABLE_ROWS).map((c) => `<tr><td>${timeHtml(c.check.checkedAt, zone)}</td><td>${esc(STATUS_LABEL[c.check.status] ?? c.check.status)}</td><td class="num">${c.check.daysRemaining ?? '–'}</td></tr>`);
  return `<section aria-labelledby="chart-heading">
<h2 id="chart-heading">Days remaining</h2>
${renderChart({ points, thresholds, renewals })}
<ul class="legend" aria-hidden="true"><li><span class="swatch sw-series"></span>days left at each check</li><li><span class="swatch sw-threshold"></span>alert thresholds</li><li><span class="swatch sw-expiry"></span>expiry</li><li><span class="swatch sw-renewal"></span>renewal</li></ul>
<details><summary>The same data as a table${checks.length > TABLE_ROWS ? ` (the newest ${TABLE_ROWS} checks)` : ''}</summary>
<table><thead><tr><th scope="col">Checked</th><th scope="col">Status</th><th scope="col" class="num">Days left</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></details>
</section>`;
}

/** A key is echoed into links only when it looks like one: anything else is dropped, not escaped into a URL. */
function keyQuery(key: string | null | undefined): string {
  return key != null && /^[A-Za-z0-9_\-=.~%/+]{1,256}$/.test(key) ? `code=${encodeURIComponent(key)}` : '';
}

export function renderDashboard(input: DashboardInput): string {
  const { doc } = input;
  const zone = input.timeZone ?? null;
  const window = input.history.length > DASHBOARD_HISTORY_ROWS ? input.history.slice(0, DASHBOARD_HISTORY_ROWS) : input.history;
  const ctx: sections.SectionContext = { zone, keyQuery: keyQuery(input.key) };
  const tenant = doc?.tenant ?? null;
  const d = doc?.daysRemaining ?? null;
  const title = `APNs certificate: ${doc === null ? 'no check yet' : STATUS_LABEL[doc.status]}${d !== null && d >= 0 ? `, ${plural(d, 'day')} left` : ''}${tenant === null ? '' : ` (${tenant})`}`;
  const generated = input.generatedAt.toISOString();
  const parts: string[] = [
    `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<meta name="color-scheme" content="light dark">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="eyebrow">Apple MDM push certificate${tenant === null ? '' : ` · ${esc(tenant)}`} · rendered ${timeHtml(generated, zone)}, refreshed every ${REFRESH_SECONDS / 60} minutes · <span id="zone">Times in ${zone === null ? 'UTC' : `${esc(zone)} (and UTC)`}.</span></p>`,
    statusBlock(doc, zone),
  ];
  if (doc !== null) {
    parts.push(sections.incidents(doc.openIncidents, ctx));
    if (doc.stale) {
      parts.push(`<p class="notice stale" data-testid="stale"><strong>Stale:</strong> the last good check was ${doc.lastGoodCheckAt === null ? 'never' : timeHtml(doc.lastGoodCheckAt, zone)}. The monitor may not be running or cannot read Graph.</p>`);
    }
    parts.push(sections.credentialCards(doc, ctx));
  }
  parts.push(chartSection(window, input.thresholds, zone));
  parts.push(`<section aria-labelledby="alerts-heading">
<h2 id="alerts-heading">Alerts</h2>
${renderTimeline(window, zone)}
</section>`);
  if (doc !== null) {
    parts.push(sections.deliveryFailures(doc, ctx));
    parts.push(sections.silences(doc.silences, doc.subjects, ctx));
  }
  parts.push(sections.channels(doc?.channels, ctx));
  if (doc !== null) parts.push(sections.deviceCertificates(doc.deviceCertificates, ctx));
  parts.push(sections.renewing(doc, input.cloud));
  if (doc !== null) parts.push(sections.details(doc, ctx));
  parts.push(`<footer>Rendered ${timeHtml(generated, zone)} by apns-expiry-monitor. This page reloads itself every ${REFRESH_SECONDS / 60} minutes.</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`);
  return parts.filter((p) => p !== '').join('\n');
}
