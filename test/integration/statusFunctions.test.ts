import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { describe, expect, test } from 'vitest';
import { makeStatusHandlers } from '../../src/app/statusHandlers';
import type { Runtime } from '../../src/app/runtime';
import type { StatusDocument } from '../../src/status/statusDocument';
import { apnsCertificate } from '../doubles/graphDouble';
import { checkAt, storageEnv, testRuntime, useDoubles } from '../support/harness';

const { graph } = useDoubles();
const HOUR = 3_600_000;
const T = new Date('2026-12-26T10:00:00Z'); // 10 days before the expiry below

type View = 'status' | 'history' | 'dashboard' | 'badge';

async function get(rt: Runtime, view: View, at: Date, query: Record<string, string> = {}, method = 'GET'): Promise<HttpResponseInit & { json: Record<string, unknown> }> {
  const handlers = makeStatusHandlers(() => rt, () => at);
  const request = new HttpRequest({ method, url: `http://127.0.0.1/api/${view}`, query });
  const res = await handlers[view](request, new InvocationContext({ functionName: view, logHandler: () => undefined }));
  return { ...res, json: (res.jsonBody ?? {}) as Record<string, unknown> };
}

function fresh(): Runtime {
  graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
  return testRuntime({ ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso' });
}

describe('before any check', () => {
  test('status is 503 saying so; badge and history still answer; the dashboard says so', async () => {
    const rt = fresh();
    const status = await get(rt, 'status', T);
    expect(status.status).toBe(503);
    expect(status.json['error']).toMatch(/no check has been recorded yet/);
    expect((await get(rt, 'history', T)).json).toEqual({ entries: [] });
    const badge = await get(rt, 'badge', T);
    expect(badge.status).toBe(200);
    expect(String(badge.body)).toContain('no check yet');
    const page = await get(rt, 'dashboard', T);
    expect(page.status).toBe(503);
    expect(String(page.body)).toContain('No check has been recorded yet');
  });
});

describe('after checks', () => {
  test('status is one point read, with the days left recomputed at request time', async () => {
    const rt = fresh();
    await checkAt(rt, T);
    const graphCalls = graph.requests.length;
    const now = await get(rt, 'status', new Date(T.getTime() + HOUR));
    expect(now.status).toBe(200);
    const doc = now.json as unknown as StatusDocument;
    expect(doc).toMatchObject({ status: 'warning', daysRemaining: 9, checkedAt: T.toISOString(), stale: false, lastError: null, nextThresholdDays: 7, tenant: 'Contoso' });
    expect(doc.certificate).toMatchObject({ appleIdentifier: 'intune-apns@contoso.com', certificateSerialNumber: '5A1B3C7D9E2F4A6B', expirationDateTime: '2027-01-05T10:00:00.000Z' });
    const later = (await get(rt, 'status', new Date(T.getTime() + 4 * 24 * HOUR))).json as unknown as StatusDocument;
    expect([later.status, later.daysRemaining]).toEqual(['critical', 6]);
    expect(graph.requests.length).toBe(graphCalls);
  });

  test('stale once the last good check is older than twice the schedule interval (6 h → 12 h)', async () => {
    const rt = fresh();
    await checkAt(rt, T);
    expect(((await get(rt, 'status', new Date(T.getTime() + 11 * HOUR))).json as unknown as StatusDocument).stale).toBe(false);
    expect(((await get(rt, 'status', new Date(T.getTime() + 13 * HOUR))).json as unknown as StatusDocument).stale).toBe(true);
  });

  test('while reads fail: unknown, with the last good certificate, its days left and the error', async () => {
    const rt = fresh();
    await checkAt(rt, T);
    graph.certificateScript.push({ status: 403 });
    await checkAt(rt, new Date(T.getTime() + 6 * HOUR));
    const doc = (await get(rt, 'status', new Date(T.getTime() + 7 * HOUR))).json as unknown as StatusDocument;
    expect(doc).toMatchObject({ status: 'unknown', daysRemaining: 9, lastGoodCheckAt: T.toISOString(), checkedAt: new Date(T.getTime() + 6 * HOUR).toISOString() });
    expect(doc.lastError).toMatch(/DeviceManagementServiceConfig\.Read\.All/);
    expect(doc.certificate?.appleIdentifier).toBe('intune-apns@contoso.com');
  });

  test('?refresh=true runs a live check first', async () => {
    const rt = fresh();
    await checkAt(rt, T);
    const before = graph.requests.length;
    const at = new Date(T.getTime() + 2 * HOUR);
    const doc = (await get(rt, 'status', at, { refresh: 'true' })).json as unknown as StatusDocument;
    expect(graph.requests.length).toBeGreaterThan(before);
    expect(doc.checkedAt).toBe(at.toISOString());
    expect((await get(rt, 'status', at, { refresh: 'yes' })).status).toBe(400);
  });

  test('history: newest first, checks and alerts, limit 1..500', async () => {
    const rt = fresh();
    await checkAt(rt, T);
    await checkAt(rt, new Date(T.getTime() + 4 * 24 * HOUR));
    const all = (await get(rt, 'history', T)).json['entries'] as Array<{ type: string; at: string }>;
    // A check's alerts come right before it: newest first, the consequence is the newer fact.
    expect(all.map((e) => e.type)).toEqual(['alert', 'check', 'alert', 'check']);
    expect(all[1]!.at > all[3]!.at).toBe(true);
    expect(((await get(rt, 'history', T, { limit: '1' })).json['entries'] as unknown[]).length).toBe(1);
    for (const bad of ['0', '501', 'ten', '-1', '2.5']) {
      const r = await get(rt, 'history', T, { limit: bad });
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ error: 'limit must be a whole number from 1 to 500', field: 'limit' });
    }
  });

  test('the badge shows the days left in the status colour; stale badges turn grey', async () => {
    const rt = fresh();
    await checkAt(rt, T);
    const badge = await get(rt, 'badge', T);
    expect((badge.headers as Record<string, string>)['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(String(badge.body)).toContain('>10 days<');
    expect(String(badge.body)).toContain('#8a4b00');
    expect(String(badge.body)).toContain('aria-label="APNs certificate: 10 days"');
    expect(String((await get(rt, 'badge', new Date(T.getTime() + 20 * HOUR))).body)).toContain('(stale)');
  });

  test('the dashboard is one self-contained page: status, Apple ID, chart, timeline', async () => {
    const rt = fresh();
    await checkAt(rt, T);
    const page = await get(rt, 'dashboard', T);
    const html = String(page.body);
    expect(page.status).toBe(200);
    expect(html).toContain('data-testid="status">Warning<');
    expect(html).toContain('intune-apns@contoso.com');
    expect(html).toContain('data-testid="series" data-points="1"');
    // One inline script (allowed by its hash); nothing loads from elsewhere.
    expect(html).not.toMatch(/<link|src="http|<script src/);
    expect((page.headers as Record<string, string>)['content-security-policy']).not.toContain('unsafe-inline');
    expect((page.headers as Record<string, string>)['content-security-policy']).toContain("default-src 'none'");
  });

  test('other methods: 405', async () => {
    const rt = fresh();
    for (const view of ['status', 'history', 'dashboard', 'badge'] as const) expect((await get(rt, view, T, {}, 'POST')).status).toBe(405);
  });
});
