import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startLocalHost, type RunningHost } from '../../src/localHost/serve';
import { dashboardHeaders, renderDashboard } from '../../src/status/dashboardPage';
import { apnsCertificate } from '../doubles/graphDouble';
import type { HistoryEntry } from '../../src/storage/records';
import { alertEvent, dashboardHistory, NOW, operatorDocument, THRESHOLDS } from '../support/dashboardFixtures';
import { checkAt, storageEnv, testRuntime, useDoubles } from '../support/harness';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'artifacts');
// CI installs Debian's chromium; a developer machine without it skips, CI never does.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

const { graph, hook } = useDoubles();
const KEY = 'browser-test-key';
const DAY = 86_400_000;
const CHECKS = 24;
const WIDTHS = [320, 375, 768, 1280] as const;
const THEMES = ['light', 'dark'] as const;
let host: RunningHost;
let browser: Browser;
/** Serves the full operator document (silences, channels, device certificates) through the real render function and headers. */
let ops: Server;
let opsUrl: string;
let hostRuntime: ReturnType<typeof testRuntime>;

/** The newest line of the operator page's timeline: an alert a silence held back (recorded, never sent). */
function heldAlert(): HistoryEntry {
  const at = new Date(NOW.getTime() - 3_600_000);
  const alert = alertEvent('sync_stale', 'warning', at, 'ADE token "Contoso ADE": no successful sync with Apple for more than 72 hours. Start a manual sync on the token in Intune.', 'ade_token', { subjectId: 'ade-1', subjectName: 'Contoso ADE' });
  return { type: 'alert', at: at.toISOString(), alert, silence: { id: '3f0c6a1e-0000-4000-8000-000000000001', until: new Date(NOW.getTime() + 5 * DAY).toISOString(), reason: 'Apple Business Manager maintenance this week', held: true, by: 'Alex Example' } };
}

function serveOperatorPage(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/api/dashboard') {
      const body = renderDashboard({ doc: operatorDocument(), history: [heldAlert(), ...dashboardHistory(400)], thresholds: THRESHOLDS, cloud: 'global', generatedAt: NOW, timeZone: 'Europe/Berlin', key: url.searchParams.get('code') });
      res.writeHead(200, dashboardHeaders());
      return void res.end(body);
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  if (!runnable) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  const expiry = new Date(Date.now() + 12 * DAY);
  graph.certificate = apnsCertificate(expiry.toISOString());
  const runtime = testRuntime({ ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso', DISPLAY_TIMEZONE: 'Europe/Berlin', WEBHOOK_URL: hook.url(), WEBHOOK_SECRET: 'browser-test-signing-secret' });
  // A history from 70 days left down to now: the chart crosses 60 and 30 and raises alerts.
  for (let i = 0; i < CHECKS; i++) await checkAt(runtime, new Date(expiry.getTime() - (70 - i * 2.5) * DAY));
  await checkAt(runtime, new Date());
  hostRuntime = runtime;
  host = await startLocalHost({ runtime, port: 0, key: KEY, log: () => undefined });
  ops = await serveOperatorPage();
  opsUrl = `http://127.0.0.1:${(ops.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await new Promise((resolve) => (ops === undefined ? resolve(undefined) : ops.close(resolve)));
});

/** A page that records every request and every console error (a CSP refusal is one). */
async function open(url: string, options: BrowserContextOptions): Promise<{ page: Page; requested: string[]; errors: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const requested: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => void requested.push(r.url()));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('pageerror', (e) => void errors.push(e.message));
  const response = await page.goto(url);
  expect(response?.status()).toBe(200);
  return { page, requested, errors };
}

/** Elements whose box reaches past either side of the viewport (a scrolled inner box counts too). */
function sticksOut(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.right > width + 0.5 || r.left < -0.5) out.push(`${el.tagName.toLowerCase()}.${String(el.getAttribute('class'))} ${Math.round(r.left)}..${Math.round(r.right)} of ${width}`);
    }
    return out;
  });
}

/** WCAG contrast of an element's text against the nearest opaque background behind it. */
function textContrast(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel) as HTMLElement;
    const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    let bgEl: HTMLElement | null = el;
    let bg = parse(getComputedStyle(el).backgroundColor);
    while (bgEl !== null && (bg.length === 4 && bg[3] === 0)) {
      bgEl = bgEl.parentElement;
      bg = bgEl === null ? [255, 255, 255] : parse(getComputedStyle(bgEl).backgroundColor);
    }
    const lum = (rgb: number[]) => {
      const [r, g, b] = rgb.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const a = lum(parse(getComputedStyle(el).color));
    const b = lum(bg);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }, selector);
}

describe.runIf(runnable)('the dashboard in Chromium', () => {
  test('served by the local host from real storage: status, chart, timeline; nothing loads from elsewhere; the CSP refuses nothing the page uses', async () => {
    const { page, requested, errors } = await open(`${host.url}/api/dashboard?code=${KEY}`, { viewport: { width: 1280, height: 900 }, timezoneId: 'America/New_York' });
    await expect(page.locator('[data-testid=status]').textContent()).resolves.toBe('Warning');
    await expect(page.locator('[data-testid=days]').textContent()).resolves.toMatch(/^1[12]$/);
    await expect(page.locator('[data-testid=apple-id]').textContent()).resolves.toBe('intune-apns@contoso.com');
    await expect(page.locator('[data-testid=series]').getAttribute('data-points')).resolves.toBe(String(CHECKS + 1));
    expect(await page.locator('svg.chart line.threshold').count()).toBe(6);
    expect(await page.locator('[data-testid=timeline] li').count()).toBeGreaterThanOrEqual(3);
    expect((await page.locator('[data-testid=chart]').boundingBox())?.width).toBeGreaterThan(500);
    expect(requested.every((u) => u.startsWith(host.url))).toBe(true);
    expect(errors).toEqual([]);
    expect(await textContrast(page, '.status')).toBeGreaterThanOrEqual(4.5);
    // The script rewrote every time into the browser's zone (New York), keeping the server's text as the tooltip.
    const first = page.locator('footer time');
    await expect(first.textContent()).resolves.toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T$/);
    await expect(first.getAttribute('title')).resolves.toMatch(/ GMT\+[12] \(\d\d:\d\d UTC\)$/);
    await expect(page.locator('#zone').textContent()).resolves.toBe('Times are in your time zone (America/New_York).');
  });

  test('with scripts off, times read in DISPLAY_TIMEZONE beside UTC', async () => {
    const { page } = await open(`${host.url}/api/dashboard?code=${KEY}`, { viewport: { width: 1280, height: 900 }, javaScriptEnabled: false, timezoneId: 'Asia/Tokyo' });
    const time = page.locator('footer time');
    const iso = (await time.getAttribute('datetime'))!;
    // Berlin is one or two hours ahead of UTC: the text says both, whatever the browser's own zone.
    const berlin = new Date(Date.parse(iso) + (iso.slice(5, 7) >= '04' && iso.slice(5, 7) <= '10' ? 2 : 1) * 3_600_000).toISOString();
    await expect(time.textContent()).resolves.toMatch(new RegExp(`^${berlin.slice(0, 10)} ${berlin.slice(11, 16)} GMT\\+[12] \\(${iso.slice(11, 16)} UTC\\)$`));
    await expect(page.locator('#zone').textContent()).resolves.toBe('Times in Europe/Berlin (and UTC).');
  });

  for (const theme of THEMES) {
    for (const width of WIDTHS) {
      test(`${theme}, ${width} px: no horizontal overflow, nothing sticks out, AA contrast; screenshot dashboard-${theme}-${width}.png`, async () => {
        const { page, requested, errors } = await open(`${opsUrl}/api/dashboard?code=${KEY}`, { viewport: { width, height: 900 }, colorScheme: theme, timezoneId: 'Europe/London', deviceScaleFactor: width < 768 ? 2 : 1 });
        // The table under the chart is closed by default: open it, so its rows are measured too.
        await page.locator('details summary').first().click();
        const scroll = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
        expect(scroll.scroll).toBeLessThanOrEqual(scroll.client);
        expect(await sticksOut(page)).toEqual([]);
        expect(errors).toEqual([]);
        expect(requested.every((u) => u.startsWith(opsUrl))).toBe(true);
        const body = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(body).toBe(theme === 'dark' ? 'rgb(18, 18, 18)' : 'rgb(244, 244, 244)');
        for (const sel of ['body', '.status', '.eyebrow', '.pill.tone-warning', '.card .kind', '.timeline p', 'a', 'button', '[data-testid=silence] .muted', '[data-testid=silenced]', '.pill.tone-neutral']) {
          expect(await textContrast(page, sel), `${theme} ${sel}`).toBeGreaterThanOrEqual(4.5);
        }
        await page.screenshot({ path: join(ARTIFACTS, `dashboard-${theme}-${width}.png`), fullPage: true });
      });
    }
  }

  test('the silence list, the channels, and the device-certificate links that carry the key', async () => {
    const { page } = await open(`${opsUrl}/api/dashboard?code=${KEY}`, { viewport: { width: 375, height: 800 } });
    const silences = page.locator('[data-testid=silence]');
    expect(await silences.count()).toBe(2);
    await expect(silences.nth(0).textContent()).resolves.toContain('Renewal booked with the Apple School Manager admin for Friday');
    await expect(silences.nth(1).textContent()).resolves.toContain('Push certificate: every alert until');
    // The timeline marks the alert a silence held back: who, until when, and that it was not sent.
    const held = page.locator('.timeline li').first();
    await expect(held.textContent()).resolves.toMatch(/Silenced: not sent.*Sync stale.*Silenced by Alex Example until .*\(Apple Business Manager maintenance this week\): recorded here, sent on no channel/s);
    await expect(page.locator('[data-channel=email]').textContent()).resolves.toContain('Failing');
    await expect(page.locator('[data-testid=device-list-csv]').getAttribute('href')).resolves.toBe(`device-certificates?format=csv&code=${KEY}`);
    expect(await page.locator('[data-testid=device-list-csv]').evaluate((a) => (a as HTMLAnchorElement).href)).toBe(`${opsUrl}/api/device-certificates?format=csv&code=${KEY}`);
  });

  test('the test button posts with the key and shows each channel’s outcome in place', async () => {
    // The real route on the local host: the press reaches the webhook double and its outcome is shown in place.
    const { page, errors } = await open(`${host.url}/api/dashboard?code=${KEY}`, { viewport: { width: 375, height: 800 } });
    const before = hook.received.length;
    await page.locator('[data-testid=test-alert] button').click();
    const items = page.locator('[data-testid=test-alert-result] li');
    await items.first().waitFor();
    await expect(items.nth(0).textContent()).resolves.toBe('✓ Delivered webhook');
    await expect(items.nth(0).getAttribute('data-outcome')).resolves.toBe('delivered');
    expect(hook.received.length).toBe(before + 1);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-test-alert-375.png'), fullPage: false });
  });

  test('with scripts off, the test button is a plain form post that gets the route\'s HTML answer', async () => {
    // A host of its own: the route allows one press per 10 s per instance, and the test above pressed.
    const second = await startLocalHost({ runtime: hostRuntime, port: 0, key: KEY, log: () => undefined });
    try {
      const before = hook.received.length;
      const { page } = await open(`${second.url}/api/dashboard?code=${KEY}`, { viewport: { width: 375, height: 800 }, javaScriptEnabled: false });
      await Promise.all([page.waitForURL(`${second.url}/api/test-alert?code=${KEY}`), page.locator('[data-testid=test-alert] button').click()]);
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text).toContain('webhook');
      expect(text).toMatch(/delivered/i);
      await expect(page.locator(`a[href*="dashboard?code=${KEY}"]`).count()).resolves.toBe(1);
      expect(hook.received.length).toBe(before + 1);
    } finally {
      await second.close();
    }
  });
});
