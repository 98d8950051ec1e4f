import { spawnSync } from 'node:child_process';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { beforeEach, describe, expect, test } from 'vitest';
import { makeStatusHandlers } from '../../src/app/statusHandlers';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { main } from '../../src/cli/main';
import type { AlertEvent } from '../../src/domain/alertEvent';
import type { StatusDocument } from '../../src/status/statusDocument';
import { adeToken, apnsCertificate, vppToken, VPP_TOKEN_SECRET_PREFIX } from '../doubles/graphDouble';
import { storageEnv, useDoubles } from '../support/harness';

/**
 * Issue 11 end to end: the push certificate, VPP and ADE tokens watched side by side, through the CLI,
 * the status, badge and metrics functions, Azurite and the loopback Graph double.
 */

const { graph, hook } = useDoubles();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = new Date('2026-12-26T10:00:00Z');
const at = (days: number) => new Date(T.getTime() + days * DAY);
const iso = (d: Date) => d.toISOString();

beforeEach(() => {
  hook.received.length = 0;
  hook.script.length = 0;
  graph.certificate = apnsCertificate(iso(at(200)));
  graph.vppTokens = [];
  graph.depOnboardingSettings = [];
  graph.vppTokensScript.length = 0;
  graph.depOnboardingSettingsScript.length = 0;
  graph.collectionPageSize = 100;
});

function setup(extra: Record<string, string> = {}) {
  const env = { ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso', WEBHOOK_URL: hook.url('/tokens'), WEBHOOK_SECRET: 'tokens-webhook-secret-value', ...extra };
  const runtime = (): Runtime => createRuntime(env, { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } });
  const run = async (args: string[], now: Date) => {
    const out: string[] = [];
    const code = await main(args, { env, now: () => now, stdout: (t) => void out.push(t), stderr: () => undefined, runtime: (e) => createRuntime(e, { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } }) });
    return { code, out: out.join('\n') };
  };
  const view = async (name: 'status' | 'metrics' | 'badge', now: Date, query: Record<string, string> = {}) => {
    const rt = runtime();
    const handlers = makeStatusHandlers(() => rt, () => now);
    const res = await handlers[name](new HttpRequest({ method: 'GET', url: `http://127.0.0.1/api/${name}`, query }), new InvocationContext({ functionName: name, logHandler: () => undefined }));
    return { status: res.status ?? 200, body: String(res.body ?? ''), json: res.jsonBody as StatusDocument };
  };
  return { env, run, view, runtime };
}

const kinds = () => hook.events<AlertEvent>().map((e) => `${e.subject}:${e.kind}`);

describe('0, 1 and 3 tokens of each kind', () => {
  test.each([0, 1, 3])('%i tokens of each kind: one subject entry each, healthy, no alert', async (n) => {
    graph.vppTokens = Array.from({ length: n }, (_, i) => vppToken(`vpp-${i}`, iso(at(300)), { lastSyncDateTime: iso(at(-0.1)) }));
    graph.depOnboardingSettings = Array.from({ length: n }, (_, i) => adeToken(`ade-${i}`, iso(at(300)), { lastSuccessfulSyncDateTime: iso(at(-0.1)) }));
    const { run } = setup();
    const r = await run(['check', '--json'], T);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { status: string; subjects: Array<{ subject: string; status: string }> };
    expect(doc.status).toBe('ok');
    expect(doc.subjects.map((e) => e.subject)).toEqual(['apns', ...Array(n).fill('vpp_token'), ...Array(n).fill('ade_token')]);
    expect(hook.received).toHaveLength(0);
  });

  test('paging: 3 pages of VPP tokens are read whole (one GET per page)', async () => {
    graph.collectionPageSize = 2;
    graph.vppTokens = Array.from({ length: 5 }, (_, i) => vppToken(`vpp-${i}`, iso(at(300)), { lastSyncDateTime: iso(at(-0.1)) }));
    const { run } = setup({ WATCH: 'vpp_token' });
    const before = graph.requests.filter((q) => q.path.includes('vppTokens')).length;
    const r = await run(['check', '--json'], T);
    const doc = JSON.parse(r.out) as { subjects: Array<{ id: string }> };
    expect(doc.subjects.map((e) => e.id)).toEqual(['vpp-0', 'vpp-1', 'vpp-2', 'vpp-3', 'vpp-4']);
    expect(graph.requests.filter((q) => q.path.includes('vppTokens')).length - before).toBe(3);
  });
});

describe('one failing subject never hides the others', () => {
  test('403 on depOnboardingSettings: ADE unknown naming the permission; the push certificate and VPP are still checked and alerted; monitor_failing for ADE only', async () => {
    graph.certificate = apnsCertificate(iso(at(10)));
    graph.vppTokens = [vppToken('vpp-1', iso(at(5)), { lastSyncDateTime: iso(at(-0.1)) })];
    const forbidden = { status: 403, body: { error: { code: 'Forbidden', message: 'Application is not authorized to perform this operation.' } } };
    graph.depOnboardingSettingsScript.push(forbidden, forbidden);
    const { run, view } = setup();
    const first = await run(['check', '--json'], T);
    const doc = JSON.parse(first.out) as { status: string; subjects: Array<{ subject: string; status: string; error: string | null }> };
    const ade = doc.subjects.find((e) => e.subject === 'ade_token')!;
    expect(ade.status).toBe('unknown');
    expect(ade.error).toMatch(/DeviceManagementServiceConfig\.Read\.All/);
    expect(doc.subjects.find((e) => e.subject === 'apns')!.status).toBe('warning');
    expect(kinds().sort()).toEqual(['apns:expiring', 'vpp_token:expiring']);
    await run(['check'], new Date(T.getTime() + 6 * HOUR));
    expect(kinds().filter((k) => k.endsWith('monitor_failing'))).toEqual(['ade_token:monitor_failing']);
    const status = await view('status', new Date(T.getTime() + 7 * HOUR));
    expect(status.json.subjects.find((e) => e.subject === 'ade_token')!.status).toBe('unknown');
  });
});

describe('every new alert kind, once, with incidents acknowledged like the push certificate', () => {
  test('VPP: expiring, token_invalid, sync_failed, sync_stale, sync_recovered, renewed, apple_id_changed, removed; ADE: sync_failed naming its code, expired', async () => {
    const { run, view } = setup();
    const synced = (d: number) => iso(at(d - 0.1));
    graph.vppTokens = [vppToken('vpp-a', iso(at(20)), { lastSyncDateTime: synced(0) }), vppToken('vpp-b', iso(at(300)), { lastSyncDateTime: synced(0) })];
    graph.depOnboardingSettings = [adeToken('ade-a', iso(at(0.5)), { lastSuccessfulSyncDateTime: synced(0) })];
    await run(['check'], T);
    // vpp-b turns invalid and its sync fails; ADE reports a sync error code.
    graph.vppTokens = [vppToken('vpp-a', iso(at(20)), { lastSyncDateTime: synced(1) }), vppToken('vpp-b', iso(at(300)), { state: 'invalid', lastSyncStatus: 'failed', lastSyncDateTime: synced(1) })];
    graph.depOnboardingSettings = [adeToken('ade-a', iso(at(0.5)), { lastSuccessfulSyncDateTime: synced(1), lastSyncErrorCode: 4012 })];
    const second = await run(['check'], at(1));
    expect(second.code).toBe(2);
    // vpp-a stops syncing for more than SYNC_STALE_HOURS (72 h); vpp-b keeps trying (and failing).
    graph.vppTokens = [vppToken('vpp-a', iso(at(20)), { lastSyncDateTime: synced(1) }), vppToken('vpp-b', iso(at(300)), { state: 'invalid', lastSyncStatus: 'failed', lastSyncDateTime: synced(5) })];
    await run(['check'], at(5));
    // It syncs again, is renewed under another Apple ID; vpp-b is deleted.
    graph.vppTokens = [vppToken('vpp-a', iso(at(400)), { lastSyncDateTime: synced(6), appleId: 'new-vpp-admin@contoso.com' })];
    await run(['check'], at(6));
    const all = kinds();
    for (const k of ['vpp_token:expiring', 'vpp_token:token_invalid', 'vpp_token:sync_failed', 'vpp_token:sync_stale', 'vpp_token:sync_recovered', 'vpp_token:renewed', 'vpp_token:apple_id_changed', 'vpp_token:removed', 'ade_token:sync_failed']) {
      expect(all.filter((x) => x === k), k).toHaveLength(1);
    }
    // Expired repeats every EXPIRED_REPEAT_HOURS while it lasts: the checks on days 1, 5 and 6.
    expect(all.filter((x) => x === 'ade_token:expired')).toHaveLength(3);
    const adeFailed = hook.events<AlertEvent>().find((e) => e.subject === 'ade_token' && e.kind === 'sync_failed')!;
    expect(adeFailed).toMatchObject({ subjectId: 'ade-a', subjectName: 'ADE token ade-a', syncErrorCode: 4012 });
    expect(adeFailed.summary).toContain('4012');
    const invalid = hook.events<AlertEvent>().find((e) => e.kind === 'token_invalid')!;
    expect(invalid).toMatchObject({ subject: 'vpp_token', subjectId: 'vpp-b', state: 'invalid', severity: 'critical' });
    expect(new Set(hook.events<AlertEvent>().map((e) => e.id)).size).toBe(hook.received.length);

    // The removal and the Apple ID change stay open until acknowledged, by id, through the same ack.
    const status = await view('status', at(6));
    const open = status.json.openIncidents.filter((i) => i.subject === 'vpp_token');
    expect(open.map((i) => i.kind).sort()).toEqual(['apple_id_changed', 'removed']);
    for (const i of open) expect((await run(['ack', i.id, '--by', 'Alex'], at(6.1))).code).toBe(0);
    expect((await view('status', at(6.2))).json.openIncidents.filter((i) => i.subject === 'vpp_token')).toEqual([]);
  });
});

describe('status, badge, metrics', () => {
  test('the badge takes ?subject=; metrics are accepted by promtool; the VPP token secret is nowhere', async () => {
    graph.vppTokens = [vppToken('vpp-1', iso(at(5)), { lastSyncDateTime: iso(at(-0.1)), displayName: 'Contoso "Main" \\ store' })];
    graph.depOnboardingSettings = [adeToken('ade-1', iso(at(90)), { lastSuccessfulSyncDateTime: iso(at(-0.1)) })];
    graph.ignoreSelect = true; // a server that sends the secret anyway
    try {
      const { run, view, runtime } = setup();
      const check = await run(['check'], T);
      expect(check.out).toMatch(/^APNS CRITICAL - VPP token "Contoso "Main" \\ store" expires 2026-12-31 \(5 days\), last sync 2026-12-26 07:36 UTC - push certificate expires 2027-07-14 \(200 days\) - Apple ID intune-apns@contoso.com - tenant Contoso - 1 alert raised \| /);
      expect(check.out).toMatch(/ \| days_remaining=\d+;31:;8: vpp_token_contoso_main_store_days_remaining=5;31:;8: ade_token_ade_token_ade_1_days_remaining=\d+;31:;8:$/);
      const badge = await view('badge', T, { subject: 'vpp_token' });
      expect(badge.body).toContain('>VPP</text>');
      expect(badge.body).toContain('5 days');
      expect((await view('badge', T, { subject: 'nope' })).status).toBe(400);
      const metrics = await view('metrics', T);
      expect(metrics.body).toContain('apple_credential_expiry_timestamp_seconds{tenant="Contoso",subject="vpp_token",id="vpp-1",name="Contoso \\"Main\\" \\\\ store"}');
      expect(metrics.body).toMatch(/apns_monitor_open_incidents\{tenant="Contoso"\} 0/);
      const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics.body, encoding: 'utf8' });
      if (promtool.error === undefined || process.env['CI'] === 'true') {
        expect(promtool.status, `${promtool.stdout}${promtool.stderr}`).toBe(0);
        expect(`${promtool.stdout}${promtool.stderr}`).toBe('');
      }
      const status = await view('status', T);
      const history = await runtime().store.listHistory(100);
      const state = await runtime().store.loadSubject('vpp_token');
      const everything = [check.out, JSON.stringify(status.json), JSON.stringify(history), JSON.stringify(state), metrics.body, badge.body, JSON.stringify(hook.received)].join('\n');
      expect(everything).not.toContain(VPP_TOKEN_SECRET_PREFIX);
    } finally {
      graph.ignoreSelect = false;
    }
  });
});

describe('what the review found', () => {
  test('a tenant with 150 VPP tokens is checked and recorded (the state spans several Table properties)', async () => {
    graph.vppTokens = Array.from({ length: 150 }, (_, i) => vppToken(`6f1c2d3e-4a5b-4c6d-8e9f-${String(i).padStart(12, '0')}`, iso(at(300)), { organizationName: `Contoso Unified School District ${i}`, appleId: `vpp-school${i}@contoso.k12.us`, lastSyncDateTime: iso(at(-0.1)) }));
    const { run, view } = setup({ WATCH: 'apns,vpp_token' });
    const first = await run(['check', '--json'], T);
    expect(first.code).toBe(0);
    graph.vppTokens = [];
    const second = await run(['check', '--json'], at(1));
    expect(second.code).toBe(2);
    // 150 removals: 89 alerts, and one that counts the other 61 and names them (a Table transaction holds 100 operations).
    const removed = hook.events<AlertEvent>().filter((e) => e.subject === 'vpp_token' && e.kind === 'removed');
    expect(removed).toHaveLength(90);
    expect(removed.at(-1)!.summary).toMatch(/^61 more VPP token alerts in the same check \(61 removed\), for: Contoso Unified School District 89 \(vpp-school89@contoso\.k12\.us\)/);
    expect(new Set(removed.map((e) => e.id)).size).toBe(90);
    expect((await view('status', at(1))).json.subjects.filter((e) => e.subject === 'vpp_token')).toEqual([]);
  });

  test('control characters and line separators from Graph are kept as spaces, and the check goes on', async () => {
    graph.vppTokens = [vppToken('vpp-odd', iso(at(300)), { appleId: 'odd\u2028apple\u0000id@contoso.com', lastSyncDateTime: iso(at(-0.1)) })];
    const { run, view } = setup();
    expect((await run(['check'], T)).code).toBe(0);
    const metrics = await view('metrics', T);
    expect(metrics.body).not.toMatch(/[\u0000\u2028]/);
    expect((await view('status', T)).json.subjects.find((e) => e.id === 'vpp-odd')!.appleIdentifier).toBe('odd apple id@contoso.com');
  });

  test('a credential that cannot be recorded never keeps the push certificate\'s alert from going out', async () => {
    const { MonitorStore } = await import('../../src/storage/monitorStore');
    const { runCheck } = await import('../../src/check/runCheck');
    const { checkDeps } = await import('../../src/app/runtime');
    const { MemoryLogger } = await import('../support/harness');
    class BrokenTokens extends MonitorStore {
      override async commitSubject(): Promise<never> {
        throw new Error('The property value exceeds the maximum allowed size (64KB)');
      }
    }
    graph.certificate = apnsCertificate(iso(at(2)));
    graph.vppTokens = [vppToken('vpp-1', iso(at(300)), { lastSyncDateTime: iso(at(-0.1)) })];
    const rt = setup().runtime();
    const store = rt.store as unknown as { state: unknown; history: unknown };
    const broken = new BrokenTokens(store.state as never, store.history as never);
    const log = new MemoryLogger();
    const result = await runCheck({ ...checkDeps(rt, log, () => T), store: broken });
    expect(kinds()).toEqual(['apns:expiring']);
    expect(result.status).toBe('critical');
    expect(result.subjects.find((e) => e.subject === 'vpp_token')).toMatchObject({ status: 'unknown', error: expect.stringMatching(/^could not record the VPP tokens: The property value exceeds/) });
    expect(log.lines.some((l) => l.startsWith('error check: could not record the VPP tokens'))).toBe(true);
  });

  test('metrics show a credential critical while its incident is open, as status and the badge do', async () => {
    graph.certificate = apnsCertificate(iso(at(20)));
    const { run, view } = setup({ WATCH: 'apns' });
    await run(['check'], T);
    graph.certificate = apnsCertificate(iso(at(20)), { topicIdentifier: 'com.apple.mgmt.External.11111111-2222-4333-8444-555555555555' });
    await run(['check'], at(1));
    const metrics = await view('metrics', at(1));
    expect(metrics.body).toMatch(/apple_credential_status\{tenant="Contoso",subject="apns",id="apns",name="[^"]*",status="critical"\} 1/);
    expect((await view('badge', at(1))).body).toContain('#a4262c');
  });

  test('five simultaneous acks of one incident: one closes it, the others are told it is not open', async () => {
    const { makeAckHandler } = await import('../../src/app/ackHandler');
    graph.certificate = apnsCertificate(iso(at(200)), { appleIdentifier: 'a@contoso.com' });
    const { run, view, runtime } = setup({ WATCH: 'apns' });
    await run(['check'], T);
    graph.certificate = apnsCertificate(iso(at(200)), { appleIdentifier: 'b@contoso.com' });
    await run(['check'], at(1));
    const [incident] = (await view('status', at(1))).json.openIncidents;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => {
        const rt = runtime();
        return makeAckHandler(() => rt, () => at(1.1))(new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/ack', body: { string: JSON.stringify({ id: incident!.id }) } }));
      }),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 404, 404, 404, 404]);
  });
});
