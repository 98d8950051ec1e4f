import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { DASHBOARD_CSP, DASHBOARD_HISTORY_ROWS, renderDashboard, type DashboardInput } from '../../src/status/dashboardPage';
import { yRange } from '../../src/status/dashboard/chart';
import { collapse } from '../../src/status/dashboard/timeline';
import { contrast, DARK, LIGHT, ON_TONE, TONE_FILL, type Palette } from '../../src/status/dashboard/palette';
import type { StatusDocument } from '../../src/status/statusDocument';
import type { HistoryEntry } from '../../src/storage/records';
import { alertEvent, dashboardHistory, LONG_PERMISSION, NOW, operatorDocument, THRESHOLDS } from '../support/dashboardFixtures';

function page(over: Partial<DashboardInput> = {}): string {
  return renderDashboard({ doc: operatorDocument(), history: dashboardHistory(200), thresholds: THRESHOLDS, cloud: 'global', generatedAt: NOW, ...over });
}

describe('palette', () => {
  test.each([
    ['light', LIGHT],
    ['dark', DARK],
  ] as Array<[string, Palette]>)('%s: every text pair meets WCAG AA (4.5:1), every chart mark 3:1', (_, p) => {
    const text: Array<[string, string]> = [
      [p.fg, p.bg],
      [p.fg, p.surface],
      [p.muted, p.bg],
      [p.muted, p.surface],
      [p.link, p.bg],
      [p.link, p.surface],
      [p.surface, p.link], // the button: surface-coloured text on a link-coloured fill
      [p.noticeFg, p.noticeBg],
      [p.series, p.surface], // the clipped-value labels are written in the series colour
      [p.renewal, p.surface], // the "renewed" label
    ];
    for (const [fg, bg] of text) expect(contrast(fg, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    for (const mark of [p.series, p.threshold, p.expiry, p.renewal, p.line === p.line ? p.muted : p.muted]) expect(contrast(mark, p.surface), mark).toBeGreaterThanOrEqual(3);
  });

  test('white text on every status fill meets AA', () => {
    for (const fill of Object.values(TONE_FILL)) expect(contrast(ON_TONE, fill), fill).toBeGreaterThanOrEqual(4.5);
  });

  test('the contrast formula gives the known extremes', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});

describe('the page', () => {
  test('light and dark schemes, a self-refresh, and when it was rendered', () => {
    const html = page();
    expect(html).toContain('@media (prefers-color-scheme:dark)');
    expect(html).toContain('<meta http-equiv="refresh" content="300">');
    expect(html).toContain(`rendered <time datetime="${NOW.toISOString()}" data-t>2027-03-01 08:00 UTC</time>`);
  });

  test('the CSP allows exactly the inline style and script the page carries, and nothing else', () => {
    const html = page();
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    expect(DASHBOARD_CSP).toContain(`style-src ${hash(style)}`);
    expect(DASHBOARD_CSP).toContain(`script-src ${hash(script)}`);
    expect(DASHBOARD_CSP).toContain("default-src 'none'");
    expect(DASHBOARD_CSP).not.toContain('unsafe-inline');
    // Inline style attributes and event handlers would be refused by that policy: the page has none.
    expect(html).not.toMatch(/\sstyle="|\son[a-z]+="/);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<link|src="http|url\(/);
  });

  test('times: UTC without DISPLAY_TIMEZONE; with it, the zone and UTC side by side; the script rewrites both', () => {
    expect(page()).toContain('Times in UTC.');
    const zoned = page({ timeZone: 'Europe/Berlin' });
    expect(zoned).toContain(`<time datetime="${NOW.toISOString()}" data-t>2027-03-01 09:00 GMT+1 (08:00 UTC)</time>`);
    expect(zoned).toContain('Times in Europe/Berlin (and UTC).');
    expect(page({ timeZone: 'America/New_York' })).toContain('2027-03-01 03:00 EST (08:00 UTC)');
  });

  test('status is told in words and symbols, not colour alone; plurals are proper', () => {
    const html = page();
    expect(html).toMatch(/<h1><span class="icon" aria-hidden="true">✕<\/span> <span data-testid="status">Critical<\/span><\/h1>/);
    expect(html).toContain('<strong data-testid="days">355</strong> days left');
    expect(html).not.toMatch(/\(s\)/);
    const one = operatorDocument();
    one.daysRemaining = 1;
    expect(page({ doc: one })).toContain('<strong data-testid="days">1</strong> day left');
    const expired = { ...operatorDocument(), daysRemaining: -2, status: 'expired' as const };
    expect(page({ doc: expired })).toContain('Expired <strong data-testid="days">1</strong> day ago: 28 days left to renew');
    // Each pill carries a word beside its symbol.
    for (const m of page().matchAll(/<span class="pill tone-\w+"><span class="icon" aria-hidden="true">.<\/span> ([^<]*)<\/span>/g)) expect(m[1]!.length).toBeGreaterThan(1);
  });

  test('one card per watched credential and one for device certificates, the open incident first, then worst first', () => {
    const html = page();
    const cards = [...html.matchAll(/data-testid="credential" data-subject="(\w+)"><p class="kind">[^<]*<\/p><h3>([^<]*)<\/h3>/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(cards).toEqual([
      'ade_token:Contoso ADE',
      'vpp_token:Contoso Apps and Books (education, all schools in the north-east district)',
      'apns:Apple MDM push certificate',
      'vpp_token:Contoso Apps (staff)',
      'device_certificate:Certificates on managed devices',
    ]);
    expect(html.indexOf('data-testid="incidents"')).toBeLessThan(html.indexOf('data-testid="credentials"'));
    expect(html).toContain('<code>apns-monitor ack ade_token-token_invalid-20270228-000001</code>');
  });

  test('the same alert raised check after check is one line with a count', () => {
    const history = dashboardHistory(200);
    const expired = history.filter((h) => h.type === 'alert' && h.alert.kind === 'expired');
    expect(expired.length).toBe(13);
    const html = page({ history });
    expect(html.match(/<strong>Expired<\/strong>/g)).toHaveLength(1);
    expect(html).toContain('<span class="count" data-testid="repeat">×13</span> <span class="muted">13 times since');
    const lines = collapse(history);
    const shape = lines.map((l) => (l.type === 'alerts' ? `${l.newest.kind}×${l.count}` : l.entry.type));
    // Crossing 7 days and then 3 days are two alerts, not one repeated.
    expect(shape.slice(0, 4)).toEqual(['renewal', 'renewed×1', 'expired×13', 'expiring×1']);
    expect(shape.slice(3).every((s) => s === 'expiring×1')).toBe(true);
  });

  test('a silenced alert is marked silenced, by whom and until when, never as delivered; held and sent repeats are separate lines', () => {
    const at = (h: number) => new Date(NOW.getTime() - h * 3600_000);
    const note = { id: 'sil-7f3a', until: '2027-03-05T23:00:00.000Z', reason: 'renewal booked for Friday', held: true, by: 'Alex' };
    const expired = (h: number) => alertEvent('expired', 'critical', at(h), `expired repeat ${h}`, 'apns', { id: `apns-expired-${h}` });
    const history: HistoryEntry[] = [
      { type: 'alert', at: at(1).toISOString(), alert: expired(1), silence: note },
      { type: 'alert', at: at(7).toISOString(), alert: expired(7), silence: note },
      { type: 'alert', at: at(13).toISOString(), alert: expired(13) },
      { type: 'alert', at: at(20).toISOString(), alert: alertEvent('topic_changed', 'critical', at(20), 'new topic', 'apns', { id: 'apns-topic_changed-1' }), silence: { ...note, id: 'sil-all', held: false } },
    ];
    const lines = collapse(history).map((l) => (l.type === 'alerts' ? `${l.newest.kind}×${l.count}${l.silence?.held === true ? ' held' : ''}` : l.entry.type));
    expect(lines).toEqual(['expired×2 held', 'expired×1', 'topic_changed×1']);
    const html = page({ history });
    const items = /<ol class="timeline"[\s\S]*?<\/ol>/.exec(html)![0].split('<li');
    expect(items[1]).toContain('<span class="pill tone-neutral"><span class="icon" aria-hidden="true">⊘</span> Silenced: not sent</span>');
    expect(items[1]).toMatch(/data-testid="silenced">Silenced by Alex until <time datetime="2027-03-05T23:00:00.000Z"[^]*\(renewal booked for Friday\): recorded here, sent on no channel/);
    expect(items[2]).not.toContain('Silenced');
    expect(items[3]).toContain('data-testid="silence-overridden">A silence by Alex (renewal booked for Friday) matched, but this alert opens a critical incident: it was sent anyway.');
    expect(items[3]).not.toContain('not sent');
  });

  test('after a renewal the chart stops at one and a half times the largest threshold: thresholds apart, 365 written at the top, the renewal marked', () => {
    const html = page();
    const chart = /<svg class="chart"[\s\S]*?<\/svg>/.exec(html)![0];
    expect(chart).toContain('data-top="90" data-bottom="-5"');
    expect(chart.match(/class="threshold"/g)).toHaveLength(THRESHOLDS.length);
    expect(chart).toMatch(/data-testid="clipped"[^>]*>↑ 365</);
    expect(chart.match(/data-testid="renewal"/g)).toHaveLength(1);
    const ys = [...chart.matchAll(/<line class="threshold" x1="\d+" x2="\d+" y1="([\d.]+)"/g)].map((m) => Number(m[1]));
    // 60 and 30 days are far apart on a 0–90 axis (not squeezed into the bottom of a 0–365 one).
    expect(Math.abs(ys[ys.length - 1]! - ys[ys.length - 2]!)).toBeGreaterThan(60);
  });

  test('the y range follows what is shown: a certificate far from its thresholds still shows them', () => {
    expect(yRange([{ t: 0, days: 20 }], [30, 7])).toEqual({ top: 40, bottom: 0 });
    expect(yRange([{ t: 0, days: 365 }], [60, 30])).toEqual({ top: 90, bottom: 0 });
    expect(yRange([{ t: 0, days: 70 }], [60])).toEqual({ top: 70, bottom: 0 });
    expect(yRange([{ t: 0, days: -400 }], [60])).toEqual({ top: 70, bottom: -30 });
    expect(yRange([], [])).toEqual({ top: 40, bottom: 0 });
  });

  test('silences, channels, device certificates and the test button; links and the form carry the key', () => {
    const html = page({ key: 'k3y/Abc==' });
    expect(html).toContain('<h2 id="silences-heading">2 active silences</h2>');
    expect(html).toContain('Renewal booked with the Apple School Manager admin for Friday');
    expect(html).toContain('<code>apns-monitor silence remove sil-7f3a</code>');
    expect(html).toContain('expiring alerts until');
    expect(html).toMatch(/<strong>Push certificate<\/strong>: every alert until/);
    expect(html).toMatch(/data-channel="email"><h3>Email<\/h3><p><span class="pill tone-critical">.*?Failing<\/span><\/p>.*?<dt>Failing since<\/dt>.*?<dt>Failed in a row<\/dt><dd>3 deliveries<\/dd>/);
    expect(html).toMatch(/data-channel="webhook">[\s\S]*?Not tried yet/);
    expect(html).toContain('<form id="test-alert" class="test-alert" method="post" action="test-alert?code=k3y%2FAbc%3D%3D"');
    expect(html).toContain('href="device-certificates?format=csv&amp;code=k3y%2FAbc%3D%3D"');
    expect(html).toContain('href="device-certificates?format=json&amp;code=k3y%2FAbc%3D%3D"');
    const buckets = [...html.matchAll(/<tr data-bucket="([^"]+)"><th scope="row">[^<]*<\/th><td class="num">(\d+)</g)].map((m) => `${m[1]}=${m[2]}`);
    expect(buckets).toEqual(['expired=9', '0-1=4', '2-7=31', '8-14=52', '15-30=127']);
    expect(html).toContain('2 certificates could not be revoked');
    expect(html).toContain('12,480 certificates read, 3,102 certificates superseded');
    expect(html).toContain('CN=Contoso Issuing CA 01,OU=PKI');
    // Without a key the links are bare; a key that is not one is dropped, never echoed.
    expect(page()).toContain('action="test-alert"');
    expect(page({ key: '"><script>' })).toContain('action="test-alert"');
  });

  test('sections the document does not carry yet are not rendered; the test button always is', () => {
    const doc: StatusDocument = operatorDocument();
    delete doc.silences;
    delete doc.channels;
    delete doc.deviceCertificates;
    const html = page({ doc });
    expect(html).not.toContain('data-testid="silences"');
    expect(html).not.toContain('data-testid="channel"');
    expect(html).not.toContain('data-testid="device-certificates"');
    expect(html).toContain('data-testid="test-alert"');
    expect(page({ doc: { ...operatorDocument(), silences: [] } })).toContain('No silence is in force');
  });

  test('what a channel or Graph wrote is escaped, and long unbroken strings may wrap', () => {
    const doc = operatorDocument();
    doc.channels![0]!.lastError = '<img src=x onerror=alert(1)>';
    const html = page({ doc });
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain(LONG_PERMISSION);
    expect(html).toMatch(/body\{[^}]*overflow-wrap:anywhere/);
  });

  test('a malformed instant is shown as it came, not as a date', () => {
    const doc = operatorDocument();
    doc.silences![0]!.until = 'not-a-date';
    expect(page({ doc })).toContain('until <time>not-a-date</time>');
  });

  test(`the page shows a window of the newest ${DASHBOARD_HISTORY_ROWS} rows: 5,000 rows render the same page as their newest ${DASHBOARD_HISTORY_ROWS}`, () => {
    const all = dashboardHistory(5_000);
    expect(page({ history: all })).toBe(page({ history: all.slice(0, DASHBOARD_HISTORY_ROWS) }));
    expect(page({ history: all })).toContain('(the newest 100 checks)');
  });

  test('before any check: says so, still self-contained', () => {
    const html = page({ doc: null, history: [] });
    expect(html).toContain('No check has been recorded yet');
    expect(html).toContain('No alert has been raised.');
    expect(html).toContain('<code>apns-monitor renew csr</code>');
  });
});
