import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startLocalHost, type RunningHost } from '../../src/localHost/serve';
import { apnsCertificate } from '../doubles/graphDouble';
import { checkAt, storageEnv, testRuntime, useDoubles } from '../support/harness';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'artifacts');
// CI installs Debian's chromium; a developer machine without it skips, CI never does.
const runnable = existsSync(CHROMIUM) || process.env['CI'] === 'true';

const { graph } = useDoubles();
let host: RunningHost;
let browser: Browser;
const DAY = 86_400_000;
const CHECKS = 24;

beforeAll(async () => {
  if (!runnable) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  const expiry = new Date(Date.now() + 12 * DAY);
  graph.certificate = apnsCertificate(expiry.toISOString());
  const runtime = testRuntime({ ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso' });
  // A history from 70 days left down to now: the chart crosses 60 and 30 and raises alerts.
  for (let i = 0; i < CHECKS; i++) await checkAt(runtime, new Date(expiry.getTime() - (70 - i * 2.5) * DAY));
  await checkAt(runtime, new Date());
  host = await startLocalHost({ runtime, port: 0, key: null, log: () => undefined });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

test.runIf(runnable)('the dashboard renders the status and the chart, loads nothing from elsewhere, and reads well on a phone', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requested: string[] = [];
  page.on('request', (r) => void requested.push(r.url()));
  const response = await page.goto(`${host.url}/api/dashboard`);
  expect(response?.status()).toBe(200);

  await expect(page.locator('[data-testid=status]').textContent()).resolves.toBe('Warning');
  await expect(page.locator('[data-testid=days]').textContent()).resolves.toMatch(/^1[12]$/);
  await expect(page.locator('[data-testid=apple-id]').textContent()).resolves.toBe('intune-apns@contoso.com');
  await expect(page.locator('[data-testid=series]').getAttribute('data-points')).resolves.toBe(String(CHECKS + 1));
  expect(await page.locator('svg.chart line.threshold').count()).toBe(6);
  expect(await page.locator('[data-testid=timeline] li').count()).toBeGreaterThanOrEqual(3);
  const chartBox = await page.locator('[data-testid=chart]').boundingBox();
  expect(chartBox?.width).toBeGreaterThan(500);
  expect(await page.locator('svg.chart').getAttribute('role')).toBe('img');
  expect(requested.every((u) => u.startsWith(host.url))).toBe(true);

  // White text on the status colour must meet WCAG AA (4.5:1).
  const contrast = await page.evaluate(() => {
    const el = document.querySelector('.status') as HTMLElement;
    const parse = (c: string) => (c.match(/\d+/g) ?? []).slice(0, 3).map(Number);
    const lum = (rgb: number[]) => {
      const [r, g, b] = rgb.map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const a = lum(parse(getComputedStyle(el).color));
    const b = lum(parse(getComputedStyle(el).backgroundColor));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
  expect(contrast).toBeGreaterThanOrEqual(4.5);
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });

  const phone = await browser.newPage({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2 });
  await phone.goto(`${host.url}/api/dashboard`);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await phone.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
});
