import { APPLE_PUSH_PORTAL, intuneApplePushPage, type CloudName } from '../clouds';
import type { AlertEvent } from '../domain/alertEvent';
import type { CertificateStatus } from '../domain/status';
import { escapeHtml as esc } from '../notify/emailMessage';
import { utcText } from '../notify/alertView';
import type { HistoryEntry } from '../storage/records';
import { STATUS_COLORS } from './badge';
import type { StatusDocument } from './statusDocument';
import type { SubjectEntry } from '../subjects/subjectEntry';

/**
 * The dashboard: one self-contained page (inline CSS, server-drawn SVG, no script, no CDN), so it
 * renders on an air-gapped network and on a phone.
 */

export interface DashboardInput {
  doc: StatusDocument | null;
  history: HistoryEntry[];
  thresholds: readonly number[];
  cloud: CloudName;
  generatedAt: Date;
}

const LABELS: Record<CertificateStatus, string> = {
  ok: 'OK',
  warning: 'Warning',
  critical: 'Critical',
  expired: 'Expired',
  not_configured: 'Not configured',
  unknown: 'Unknown',
};

interface Point {
  t: number;
  days: number;
}

const W = 720;
const H = 280;
const PAD = { left: 48, right: 16, top: 16, bottom: 36 };

/** Days remaining over the recorded checks, with the thresholds and the expiry line drawn. */
export function renderChart(points: Point[], thresholds: readonly number[]): string {
  const ordered = [...points].sort((a, b) => a.t - b.t);
  const maxDays = Math.max(...ordered.map((p) => p.days), ...thresholds, 1);
  const minDays = Math.min(...ordered.map((p) => p.days), 0);
  const t0 = ordered[0]?.t ?? 0;
  const t1 = ordered[ordered.length - 1]?.t ?? 1;
  const x = (t: number) => PAD.left + (t1 === t0 ? (W - PAD.left - PAD.right) / 2 : ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right));
  const y = (d: number) => PAD.top + ((maxDays - d) / (maxDays - minDays || 1)) * (H - PAD.top - PAD.bottom);
  const f = (n: number) => n.toFixed(1);
  // Labels closer than 14 px to one already drawn (the expiry's first) would overlap: their lines stay.
  const labelled: number[] = [y(0)];
  const lines = [...thresholds]
    .sort((a, b) => a - b)
    .map((t) => {
      const ty = y(t);
      const label = labelled.every((l) => Math.abs(l - ty) >= 14);
      if (label) labelled.push(ty);
      return `<line class="threshold" x1="${PAD.left}" x2="${W - PAD.right}" y1="${f(ty)}" y2="${f(ty)}"/>${label ? `<text class="tick" x="${PAD.left - 6}" y="${f(ty + 4)}" text-anchor="end">${t} d</text>` : ''}`;
    })
    .join('\n');
  const series = ordered.map((p) => `${f(x(p.t))},${f(y(p.days))}`).join(' ');
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const desc =
    ordered.length === 0
      ? 'No check has recorded the days remaining yet.'
      : `${ordered.length} checks from ${day(t0)} to ${day(t1)}; days remaining went from ${ordered[0]!.days} to ${ordered[ordered.length - 1]!.days}. Dashed lines mark the alert thresholds (${thresholds.join(', ')} days); the red line marks expiry.`;
  return `<svg class="chart" data-testid="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMidYMid meet">
<title id="chart-title">Days remaining before the push certificate expires</title>
<desc id="chart-desc">${esc(desc)}</desc>
${lines}
<line class="expiry" x1="${PAD.left}" x2="${W - PAD.right}" y1="${f(y(0))}" y2="${f(y(0))}"/><text class="tick expiry-label" x="${PAD.left - 6}" y="${f(y(0) + 4)}" text-anchor="end">0</text>
${ordered.length === 0 ? '' : `<polyline class="series" data-testid="series" data-points="${ordered.length}" points="${series}"/>`}
${ordered.length === 0 ? '' : `<text class="tick" x="${PAD.left}" y="${H - 10}">${day(t0)}</text><text class="tick" x="${W - PAD.right}" y="${H - 10}" text-anchor="end">${day(t1)}</text>`}
</svg>`;
}

const SEVERITY_LABEL: Record<AlertEvent['severity'], string> = { info: 'Info', warning: 'Warning', critical: 'Critical' };

function timeline(entries: HistoryEntry[]): string {
  const items = entries.flatMap((h) => {
    if (h.type === 'alert') {
      const a = h.alert;
      return [`<li><time datetime="${esc(a.occurredAt)}">${esc(utcText(a.occurredAt))}</time> <span class="sev sev-${a.severity}">${SEVERITY_LABEL[a.severity]}</span> <strong>${esc(a.kind.replace(/_/g, ' '))}</strong><p>${esc(a.summary)}</p></li>`];
    }
    if (h.type === 'ack') {
      const k = h.ack;
      const what = k.kinds.map((kind) => kind.replace(/_/g, ' ')).join(', ');
      return [`<li class="ack"><time datetime="${esc(k.at)}">${esc(utcText(k.at))}</time> <strong>acknowledged</strong> ${esc(what)}${k.by === null ? '' : ` by ${esc(k.by)}`}${k.note === null ? '' : `<p>${esc(k.note)}</p>`}</li>`];
    }
    return [];
  });
  if (items.length === 0) return '<p>No alert has been raised.</p>';
  return `<ol class="timeline" data-testid="timeline">\n${items.join('\n')}\n</ol>`;
}

function incidentBanner(doc: StatusDocument | null): string {
  const open = doc?.openIncidents ?? [];
  if (open.length === 0) return '';
  const items = open
    .map((i) => `<li><span class="sev sev-${i.severity}">${SEVERITY_LABEL[i.severity]}</span> <strong>${esc(i.kind.replace(/_/g, ' '))}</strong> since <time datetime="${esc(i.openedAt)}">${esc(utcText(i.openedAt))}</time><p>${esc(i.summary)}</p><p class="ack-hint">Acknowledge: <code>apns-monitor ack ${esc(i.id)}</code></p></li>`)
    .join('\n');
  return `<section class="incidents" role="alert" aria-labelledby="incidents-heading" data-testid="incidents">
<h2 id="incidents-heading">${open.length === 1 ? 'Open incident' : `${open.length} open incidents`}: the monitor will not show OK until ${open.length === 1 ? 'it is' : 'they are'} resolved or acknowledged</h2>
<ul>
${items}
</ul>
</section>`;
}

const SUBJECT_TITLE: Record<SubjectEntry['subject'], string> = { apns: 'Push certificate', vpp_token: 'VPP token', ade_token: 'ADE token' };

/** One card per watched credential: the push certificate, each VPP and each ADE token. */
function credentialCards(doc: StatusDocument | null): string {
  const entries = doc?.subjects ?? [];
  if (entries.length <= 1) return '';
  const card = (e: SubjectEntry) => {
    const rows: Array<[string, string | null]> = [
      ['Expires', e.expirationDateTime === null ? null : `${utcText(e.expirationDateTime)}${e.daysRemaining === null ? '' : ` (${e.daysRemaining >= 0 ? `${e.daysRemaining} day${e.daysRemaining === 1 ? '' : 's'} left` : 'expired'})`}`],
      ['Apple ID', e.appleIdentifier],
      ['State', e.state],
      ['Last sync', e.lastSyncDateTime === null ? null : utcText(e.lastSyncDateTime)],
      ['Problem', e.error],
    ];
    return `<li class="card card-${e.status}" data-testid="credential" data-subject="${esc(e.subject)}"><p class="card-kind">${esc(SUBJECT_TITLE[e.subject])}</p><h3>${esc(e.name ?? e.id ?? 'unknown')}</h3><p class="card-status"><span class="sev sev-${e.status === 'ok' || e.status === 'not_configured' ? 'info' : e.status === 'warning' ? 'warning' : 'critical'}">${esc(LABELS[e.status])}</span></p><dl>${rows
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v as string)}</dd>`)
      .join('')}</dl></li>`;
  };
  return `<section aria-labelledby="credentials-heading" data-testid="credentials">
<h2 id="credentials-heading">Apple credentials</h2>
<ul class="cards">
${entries.map(card).join('\n')}
</ul>
</section>`;
}

function deliveryFailures(doc: StatusDocument | null): string {
  const failures = doc?.deliveryFailures ?? [];
  if (failures.length === 0) return '';
  return `<section aria-labelledby="delivery-heading" data-testid="delivery-failures">
<h2 id="delivery-heading">Alerts a channel refused</h2>
<ul>
${failures.map((f) => `<li><time datetime="${esc(f.at)}">${esc(utcText(f.at))}</time> <strong>${esc(f.channel)}</strong> refused ${esc(f.kind.replace(/_/g, ' '))} (${esc(f.alertId)}): ${esc(f.detail ?? 'no detail')}</li>`).join('\n')}
</ul>
<p>Fix the channel's setting: a corrected target receives the alert on the next check.</p>
</section>`;
}

const STYLE = `
:root{color-scheme:light;--fg:#1b1b1b;--muted:#4a4a4a;--line:#d1d1d1;--bg:#fafafa}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 "Segoe UI",system-ui,-apple-system,Roboto,Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:60rem;margin:0 auto;padding:1rem}
.eyebrow{margin:0 0 .5rem;color:var(--muted);font-size:.95rem}
.status{color:#fff;border-radius:.5rem;padding:1rem 1.25rem;margin-bottom:1rem}
.status h1{margin:0;font-size:clamp(2rem,8vw,3.5rem);line-height:1.1}
.status .days{font-size:clamp(1.25rem,5vw,2rem);margin:.25rem 0}
.status p{margin:.25rem 0}
.cards{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.75rem}.card{border:1px solid var(--line);border-left:.4rem solid #0e700e;border-radius:.5rem;padding:.5rem .75rem}.card h3{margin:.1rem 0;font-size:1.05rem;word-break:break-word}.card-kind{margin:0;color:var(--muted);font-size:.85rem}.card-status{margin:.25rem 0}.card-warning{border-left-color:#8a4b00}.card-critical,.card-expired{border-left-color:#a4262c}.card-unknown,.card-not_configured{border-left-color:#5c5c5c}
.incidents{border-left:.4rem solid #a4262c}.incidents ul{list-style:none;padding:0;margin:0}.incidents li{margin:.5rem 0}.incidents p{margin:.25rem 0}.ack-hint code{word-break:break-all}
.stale{background:#fff4ce;color:#1b1b1b;border-left:.4rem solid #8a4b00;padding:.5rem .75rem;border-radius:.25rem}
section{background:#fff;border:1px solid var(--line);border-radius:.5rem;padding:1rem 1.25rem;margin-bottom:1rem}
h2{font-size:1.25rem;margin:0 0 .5rem}
.apple-id{font-size:1.35rem;font-weight:600;word-break:break-all}
a{color:#0f548c}a:focus{outline:3px solid #0f548c;outline-offset:2px}
.links a{display:inline-block;margin:.25rem 1rem .25rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}dt{font-weight:600}dd{margin:0;word-break:break-all}
.chart-wrap{overflow-x:auto}.chart{width:100%;min-width:34rem;height:auto}.chart .series{fill:none;stroke:#0f548c;stroke-width:2.5}
.chart .threshold{stroke:#8a4b00;stroke-dasharray:6 4;stroke-width:1}.chart .expiry{stroke:#a4262c;stroke-width:2}
.chart .tick{font-size:14px;fill:#4a4a4a}
.timeline{list-style:none;padding:0;margin:0}.timeline li{border-left:3px solid var(--line);padding:.25rem 0 .5rem .75rem}
.timeline p{margin:.25rem 0 0;color:var(--muted)}
.sev{display:inline-block;padding:0 .4rem;border-radius:.25rem;color:#fff;font-size:.85rem}
.sev-critical{background:#a4262c}.sev-warning{background:#8a4b00}.sev-info{background:#0f548c}
table{border-collapse:collapse}td,th{border-bottom:1px solid var(--line);padding:.2rem .75rem .2rem 0;text-align:left}
footer{color:var(--muted);font-size:.85rem;margin:1rem 0}
@media (max-width:30rem){dl{grid-template-columns:1fr}main{padding:.5rem}}
`;

export function renderDashboard(input: DashboardInput): string {
  const { doc } = input;
  const checks = input.history.filter((h): h is Extract<HistoryEntry, { type: 'check' }> => h.type === 'check');
  const points = checks.filter((c) => c.check.daysRemaining !== null).map((c) => ({ t: new Date(c.check.checkedAt).getTime(), days: c.check.daysRemaining as number }));
  const tenant = doc?.tenant ?? null;
  const status = doc?.status ?? null;
  const color = status === null ? STATUS_COLORS.unknown : STATUS_COLORS[status];
  const label = status === null ? 'No check yet' : LABELS[status];
  const cert = doc?.certificate ?? null;
  const daysLine =
    doc === null
      ? '<p>No check has been recorded yet: the timer has not run. Run <code>apns-monitor check</code> or wait for the schedule.</p>'
      : doc.daysRemaining === null
        ? ''
        : doc.daysRemaining >= 0
          ? `<p class="days"><strong data-testid="days">${doc.daysRemaining}</strong> day${doc.daysRemaining === 1 ? '' : 's'} left</p>`
          : `<p class="days">Expired <strong data-testid="days">${-doc.daysRemaining - 1}</strong> day(s) ago: ${doc.daysRemaining + 30 >= 0 ? `${doc.daysRemaining + 30} day(s) left to renew` : 'it can no longer be renewed'}</p>`;
  const title = `APNs certificate: ${label}${doc?.daysRemaining != null && doc.daysRemaining >= 0 ? `, ${doc.daysRemaining} days left` : ''}${tenant === null ? '' : ` (${tenant})`}`;
  const details: Array<[string, string | null]> = [
    ['Topic', cert?.topicIdentifier ?? null],
    ['Serial number', cert?.certificateSerialNumber ?? null],
    ['Last modified', cert?.lastModifiedDateTime == null ? null : utcText(cert.lastModifiedDateTime)],
    ['Upload status', cert?.certificateUploadStatus ?? null],
    ['Upload failure', cert?.certificateUploadFailureReason ?? null],
    ['Last check', doc === null ? null : utcText(doc.checkedAt)],
    ['Last good check', doc?.lastGoodCheckAt == null ? null : utcText(doc.lastGoodCheckAt)],
    ['Last error', doc?.lastError ?? null],
    ['Next alert threshold', doc?.nextThresholdDays == null ? null : `${doc.nextThresholdDays} days`],
  ];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="eyebrow">Apple MDM push certificate${tenant === null ? '' : ` · ${esc(tenant)}`}</p>
<div class="status" style="background:${color}" role="status" aria-live="polite">
<h1 data-testid="status">${esc(label)}</h1>
${daysLine}
${cert === null ? '' : `<p>Expires <strong>${esc(utcText(cert.expirationDateTime))}</strong></p>`}
</div>
${incidentBanner(doc)}
${credentialCards(doc)}
${doc?.stale === true ? `<p class="stale" data-testid="stale"><strong>Stale:</strong> the last good check was ${doc.lastGoodCheckAt === null ? 'never' : esc(utcText(doc.lastGoodCheckAt))}. The monitor may not be running or cannot read Graph.</p>` : ''}
<section aria-labelledby="renew-heading">
<h2 id="renew-heading">Renewing</h2>
<p>Apple ID to sign in with:</p>
<p class="apple-id" data-testid="apple-id">${esc(cert?.appleIdentifier ?? 'unknown')}</p>
<p>Renew the existing certificate with this same Apple ID in Apple's Push Certificates Portal, then upload the renewed file in Intune. Never create a new certificate: its topic changes and every device must re-enroll.</p>
<p>Or with the renewal assistant: <code>apns-monitor renew csr</code> writes the signing request to upload in the portal (choose <strong>Renew</strong>), and <code>apns-monitor renew upload MDM_Certificate.pem</code> refuses a file with another topic or Apple ID before it reaches Intune.</p>
<p class="links"><a href="${esc(APPLE_PUSH_PORTAL)}" rel="noopener noreferrer">Apple Push Certificates Portal</a><a href="${esc(intuneApplePushPage(input.cloud))}" rel="noopener noreferrer">Intune: Devices › Enrollment › Apple</a></p>
</section>
<section aria-labelledby="chart-heading">
<h2 id="chart-heading">Days remaining</h2>
<div class="chart-wrap" role="region" aria-label="Chart of days remaining (scrolls sideways on small screens)" tabindex="0">
${renderChart(points, input.thresholds)}
</div>
<details><summary>The same data as a table</summary>
<table><thead><tr><th scope="col">Checked (UTC)</th><th scope="col">Status</th><th scope="col">Days left</th></tr></thead><tbody>
${checks.map((c) => `<tr><td>${esc(utcText(c.check.checkedAt))}</td><td>${esc(c.check.status)}</td><td>${c.check.daysRemaining ?? '–'}</td></tr>`).join('\n')}
</tbody></table></details>
</section>
<section aria-labelledby="alerts-heading">
<h2 id="alerts-heading">Alerts</h2>
${timeline(input.history)}
</section>
${deliveryFailures(doc)}
<section aria-labelledby="details-heading">
<h2 id="details-heading">Certificate and monitor</h2>
<dl>
${details.filter(([, v]) => v !== null).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v as string)}</dd>`).join('\n')}
</dl>
</section>
<footer>Generated ${esc(utcText(input.generatedAt.toISOString()))} by apns-expiry-monitor.</footer>
</main>
</body>
</html>
`;
}
