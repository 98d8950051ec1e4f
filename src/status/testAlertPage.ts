import { channelLabel } from '../render/channelText';

export interface TestAlertPageInput {
  channels: ReadonlyArray<{ channel: string; outcome: string; detail: string | null }>;
  /** Why nothing was sent (rate limit, no channel), or null. */
  error: string | null;
  /** Relative link back to the dashboard. */
  dashboardHref: string;
  at: Date;
}

const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const OUTCOME_TEXT: Record<string, string> = {
  delivered: '✓ delivered',
  'retry-later': '✗ not delivered (temporary failure)',
  'failed-for-good': '✗ refused',
  'already-delivered': '✓ delivered',
};

/**
 * The answer to the dashboard's "send a test alert" form with scripts off: self-contained (no script,
 * no outside resource), light or dark as the viewer prefers, the outcome said in words, not colour alone.
 */
export function testAlertPage(input: TestAlertPageInput): string {
  const rows = input.channels
    .map((c) => {
      const ok = c.outcome === 'delivered' || c.outcome === 'already-delivered';
      return `<tr><th scope="row">${esc(channelLabel(c.channel))}</th><td class="${ok ? 'ok' : 'bad'}">${esc(OUTCOME_TEXT[c.outcome] ?? c.outcome)}</td><td>${c.detail === null ? '' : esc(c.detail)}</td></tr>`;
    })
    .join('');
  const body =
    input.error !== null
      ? `<p class="bad" role="alert">${esc(input.error)}</p>`
      : `<table><caption>Test alert sent ${esc(input.at.toISOString().slice(0, 16).replace('T', ' '))} UTC</caption><thead><tr><th scope="col">Channel</th><th scope="col">Outcome</th><th scope="col">Detail</th></tr></thead><tbody>${rows}</tbody></table>`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Test alert</title><style>
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--ok:#0b6a0b;--bad:#a4262c;--line:#8a8886}
@media (prefers-color-scheme:dark){:root{--fg:#f3f2f1;--bg:#1b1a19;--ok:#6ccb5f;--bad:#ff99a4;--line:#8a8886}}
body{font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:1rem;max-width:60rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid var(--line);overflow-wrap:anywhere;vertical-align:top}
caption{text-align:left;font-weight:600;padding:.4rem 0}.ok{color:var(--ok)}.bad{color:var(--bad)}a{color:inherit}
</style></head><body><h1>Send a test alert</h1>${body}<p><a href="${esc(input.dashboardHref)}">Back to the dashboard</a></p></body></html>`;
}
