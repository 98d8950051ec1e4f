import { request as httpRequest, Agent } from 'node:http';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeStatusHandlers } from '../../src/app/statusHandlers';
import { makeNotifyHandler } from '../../src/app/notifyHandler';
import { sampleEvents } from '../support/sampleEvents';
import { makeTestAlertHandler } from '../../src/app/testAlertHandler';
import type { Runtime } from '../../src/app/runtime';
import { main } from '../../src/cli/main';
import { runTestAlert } from '../../src/cli/notifyTest';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { startLocalHost, type RunningHost } from '../../src/localHost/serve';
import type { StatusDocument } from '../../src/status/statusDocument';
import { apnsCertificate } from '../doubles/graphDouble';
import { WebhookReceiver } from '../doubles/webhookReceiver';
import { checkAt, MemoryLogger, storageEnv, testRuntime, useDoubles } from '../support/harness';

/**
 * Issue 15 item 3 end to end, against Azurite, the Graph double and two webhook receivers (one posing
 * as Teams): each channel's health is recorded from real deliveries, a channel that keeps failing is
 * told once on the other channels, its recovery on all of them, and the test button reports and counts.
 */

const { graph, hook } = useDoubles();
const teams = new WebhookReceiver();
beforeAll(() => teams.start());
afterAll(() => teams.close());

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date('2027-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
// Secrets in the addresses: a webhook path and a Workflows signature that must never show anywhere.
const HOOK_SECRET_PATH = 'hook-path-secret-7f3a9c';
const TEAMS_SIG = 'teams-sig-secret-9b2e4d';
const SECRETS = [HOOK_SECRET_PATH, TEAMS_SIG];

function setup(extra: Record<string, string> = {}): { env: Record<string, string>; rt: Runtime; log: MemoryLogger } {
  hook.received.length = 0;
  hook.script.length = 0;
  hook.attempts = 0;
  teams.received.length = 0;
  teams.script.length = 0;
  teams.attempts = 0;
  const env = {
    ...graph.env(),
    ...storageEnv(),
    TENANT_NAME: 'Contoso',
    WEBHOOK_URL: hook.url(`/${HOOK_SECRET_PATH}/in`),
    WEBHOOK_SECRET: 'w'.repeat(32),
    TEAMS_WEBHOOK_URL: teams.url(`/workflows/run?api-version=1&sp=%2Ftriggers&sig=${TEAMS_SIG}`),
    ...extra,
  };
  return { env, rt: testRuntime(env), log: new MemoryLogger() };
}

/** What the webhook received, as alert events (the Teams receiver gets cards). */
const hookEvents = () => hook.events<AlertEvent>();
const teamsTexts = () => teams.received.map((r) => r.body);

function context(lines: string[] = []) {
  return new InvocationContext({ functionName: 'x', logHandler: (level, ...args) => void lines.push(`${level} ${args.join(' ')}`) });
}

async function statusDoc(rt: Runtime, when: Date): Promise<StatusDocument> {
  const res = await makeStatusHandlers(() => rt, () => when).status(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/status' }), context());
  expect(res.status).toBe(200);
  return res.jsonBody as StatusDocument;
}

function expectNoSecret(text: string): void {
  for (const s of SECRETS) expect(text).not.toContain(s);
  expect(text).not.toContain(hook.url(`/${HOOK_SECRET_PATH}`));
}

describe('a channel that keeps failing', () => {
  test('three refusals in a row: one channel_failing on the other channel only, never repeated; recovery on all channels; the address never shows', async () => {
    // 10 days left at T0: thresholds 14, 7, 3 and 1 are crossed on days 0, 4, 7 and 9.
    graph.certificate = apnsCertificate('2027-01-11T00:00:00Z');
    const { rt, log } = setup();
    for (let i = 0; i < 7; i++) teams.script.push({ status: 404 });

    // Three test alerts refused by Teams within the hour (so only the count can make it failing).
    await runTestAlert(rt, () => at(-60 * 60_000), log);
    await runTestAlert(rt, () => at(-50 * 60_000), log);
    expect(hookEvents().filter((e) => e.kind === 'channel_failing')).toHaveLength(0);
    await runTestAlert(rt, () => at(-40 * 60_000), log);
    let failing = hookEvents().filter((e) => e.kind === 'channel_failing');
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatchObject({ severity: 'warning', subjectName: 'teams', id: `channel-teams-failing-${at(-HOUR).getTime()}` });
    expect(failing[0]!.summary).toContain('Teams channel');
    expect(failing[0]!.summary).toContain('refused 3 alerts in a row');
    // Never attempted on the failing channel itself: its three attempts are the three test alerts.
    expect(teams.attempts).toBe(3);

    // Checks over nine days, each refused by Teams (expiring alerts), and some with nothing new: still one.
    for (const t of [0, 4 * DAY, 7 * DAY, 7 * DAY + HOUR, 9 * DAY, 9 * DAY + HOUR]) await checkAt(rt, at(t), log);
    expect(teams.attempts).toBe(7);
    failing = hookEvents().filter((e) => e.kind === 'channel_failing');
    expect(failing).toHaveLength(1);
    expect(hookEvents().filter((e) => e.kind === 'expiring')).toHaveLength(4);

    const doc = await statusDoc(rt, at(9 * DAY + 2 * HOUR));
    const teamsHealth = doc.channels!.find((c) => c.channel === 'teams')!;
    expect(teamsHealth).toMatchObject({ lastOutcome: 'failed', consecutiveFailures: 7, failingSince: at(-HOUR).toISOString(), lastDeliveredAt: null, lastAttemptAt: at(9 * DAY).toISOString() });
    expect(teamsHealth.lastError).toMatch(/404/);
    expect(doc.channels!.find((c) => c.channel === 'webhook')).toMatchObject({ lastOutcome: 'delivered', consecutiveFailures: 0, failingSince: null, lastError: null });

    // Teams is fixed; the next alert (expired, day 11) goes through and the recovery is told everywhere.
    teams.script.length = 0;
    await checkAt(rt, at(11 * DAY), log);
    const recovered = hookEvents().filter((e) => e.kind === 'channel_recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ severity: 'info', subjectName: 'teams' });
    expect(teamsTexts().filter((t) => t.includes('takes alerts again'))).toHaveLength(1);
    await checkAt(rt, at(12 * DAY), log);
    expect(hookEvents().filter((e) => e.kind === 'channel_recovered')).toHaveLength(1);
    const after = await statusDoc(rt, at(12 * DAY));
    expect(after.channels!.find((c) => c.channel === 'teams')).toMatchObject({ lastOutcome: 'delivered', consecutiveFailures: 0, failingSince: null });

    // The address is in no status, history, log line or alert.
    const history = await rt.store.listHistory(500);
    expect(history.filter((h) => h.type === 'alert' && h.alert.kind === 'channel_failing')).toHaveLength(1);
    expectNoSecret(JSON.stringify(doc));
    expectNoSecret(JSON.stringify(history));
    expectNoSecret(log.lines.join('\n'));
    expectNoSecret(JSON.stringify(hookEvents()));
    expectNoSecret(teamsTexts().join('\n'));
  });

  test('failing for more than 24 hours raises it with fewer than three deliveries (the clock decides)', async () => {
    const { rt, log } = setup();
    hook.script.push({ status: 410 }, { status: 410 });
    const now = { t: at(0) };
    await runTestAlert(rt, () => now.t, log);
    now.t = at(23 * HOUR);
    await runTestAlert(rt, () => now.t, log);
    expect(teamsTexts().filter((t) => t.includes('not reaching'))).toHaveLength(0);
    hook.script.push({ status: 410 });
    now.t = at(25 * HOUR);
    await runTestAlert(rt, () => now.t, log);
    const cards = teamsTexts().filter((t) => t.includes('Alerts are not reaching the webhook channel'));
    expect(cards).toHaveLength(1);
    // Only what Teams got: the webhook was never sent the alert about itself.
    expect(hook.attempts).toBe(3);
    const doc = (await rt.store.channelHealth.get('webhook')).health;
    expect(doc).toMatchObject({ consecutiveFailures: 3, failingSince: at(0).toISOString(), failingAlerted: true });
  });

  test('after one day and two refusals it is raised at the second (fewer than three)', async () => {
    const { rt, log } = setup();
    hook.script.push({ status: 404 }, { status: 404 });
    await runTestAlert(rt, () => at(0), log);
    await runTestAlert(rt, () => at(25 * HOUR), log);
    expect(teamsTexts().filter((t) => t.includes('Alerts are not reaching the webhook channel'))).toHaveLength(1);
    expect((await rt.store.channelHealth.get('webhook')).health.consecutiveFailures).toBe(2);
  });

  test('never a loop: a channel_failing alert that fails on the other channel raises nothing more', async () => {
    const { rt, log } = setup();
    // Teams refuses three test alerts; then the webhook refuses the channel_failing alert about Teams.
    teams.script.push({ status: 404 }, { status: 404 }, { status: 404 });
    await runTestAlert(rt, () => at(0), log);
    await runTestAlert(rt, () => at(HOUR), log);
    // The third test alert reaches the webhook; the channel_failing alert after it does not.
    hook.script.push({ status: 200 }, { status: 503 });
    await runTestAlert(rt, () => at(2 * HOUR), log);
    expect(hook.attempts).toBe(4);
    // The refusal of the alert about a channel does not count against the webhook.
    const webhook = (await rt.store.channelHealth.get('webhook')).health;
    expect(webhook).toMatchObject({ consecutiveFailures: 0, lastOutcome: 'delivered', failingAlerted: false, lastDeliveredAt: at(2 * HOUR).toISOString() });
    expect(hookEvents().filter((e) => e.kind === 'channel_failing')).toHaveLength(0);
    // The next check retries it on the webhook only, and Teams is still never sent it.
    graph.certificate = apnsCertificate('2028-01-01T00:00:00Z');
    await checkAt(rt, at(3 * HOUR), log);
    expect(hookEvents().filter((e) => e.kind === 'channel_failing')).toHaveLength(1);
    expect(teams.attempts).toBe(3);
    expect(hookEvents().filter((e) => e.kind.startsWith('channel_')).map((e) => e.subjectName)).toEqual(['teams']);
  });

  test('a success after a success changes only the times; a check that delivers nothing writes no health', async () => {
    graph.certificate = apnsCertificate('2028-01-01T00:00:00Z');
    const { rt, log } = setup();
    await checkAt(rt, at(0), log);
    const before = await rt.store.channelHealth.list();
    await checkAt(rt, at(HOUR), log);
    const after = await rt.store.channelHealth.list();
    // Nothing was delivered in the second check: the rows are untouched (same ETags).
    expect([...after].map(([k, v]) => [k, v.etag])).toEqual([...before].map(([k, v]) => [k, v.etag]));
  });
});

describe('silences and the channel alerts', () => {
  const failTeamsThrice = async (rt: Runtime, log: MemoryLogger) => {
    for (let i = 0; i < 3; i++) teams.script.push({ status: 404 });
    for (let i = 0; i < 3; i++) await runTestAlert(rt, () => at(i * 60_000), log);
  };

  test('a silence that names channel_failing holds it: recorded in history as silenced, sent on no channel, not sent when the silence ends', async () => {
    const { rt, log } = setup();
    const silence = await rt.silences.add({ subject: 'apns', subjectId: null, kind: 'channel_failing', until: at(DAY).toISOString(), reason: 'Teams connector being replaced', createdBy: 'Alex' }, at(-HOUR));
    await failTeamsThrice(rt, log);
    expect(hookEvents().filter((e) => e.kind === 'channel_failing')).toHaveLength(0);
    const history = await rt.store.listHistory(50);
    const held = history.filter((h) => h.type === 'alert' && h.alert.kind === 'channel_failing');
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ silence: { id: silence.id, held: true, by: 'Alex', reason: 'Teams connector being replaced' } });
    expect(log.lines.some((l) => /alert channel_failing \(warning\) raised: .* \(silenced until .*: recorded, not delivered\)/.test(l))).toBe(true);
    // The silence ends; a later run delivers what is new, never the held alert.
    await checkAt(rt, at(2 * DAY), log);
    expect(hookEvents().filter((e) => e.kind === 'channel_failing')).toHaveLength(0);
    expect(await rt.store.outbox.pending()).toEqual([]);
  });

  test('a silence without a kind is about the credential: it never hides that a channel stopped taking alerts', async () => {
    const { rt, log } = setup();
    await rt.silences.add({ subject: 'apns', subjectId: null, kind: null, until: at(DAY).toISOString(), reason: 'expired, renewal booked', createdBy: null }, at(-HOUR));
    await failTeamsThrice(rt, log);
    expect(hookEvents().filter((e) => e.kind === 'channel_failing')).toHaveLength(1);
  });
});

describe('the notify function keeps its channels\' health too', () => {
  test('three events refused by Teams: channel_failing is delivered from the delivery log to the webhook only', async () => {
    const { rt } = setup();
    teams.script.push({ status: 404 }, { status: 404 }, { status: 404 });
    const notify = makeNotifyHandler(() => rt);
    const base = sampleEvents().find((e) => e.kind === 'expiring')!;
    for (const n of [1, 2, 3]) {
      const body = JSON.stringify({ ...base, id: `apns-expiring-notify-${n}` });
      const res = await notify(new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/notify', body: { string: body } }), context());
      expect(res.status).toBe(202);
    }
    expect(hookEvents().map((e) => e.kind)).toEqual(['expiring', 'expiring', 'expiring', 'channel_failing']);
    expect(teams.attempts).toBe(3);
    expect((await rt.store.channelHealth.get('teams')).health).toMatchObject({ consecutiveFailures: 3, failingAlerted: true });
    expect((await rt.deliveryLog.get(hookEvents()[3]!.id)).deliveries['teams']).toMatchObject({ status: 'excluded' });
  });
});

describe('apns-monitor status shows each channel', () => {
  test('human text after the plugin line, JSON under channels', async () => {
    graph.certificate = apnsCertificate('2028-01-01T00:00:00Z');
    const { env, rt, log } = setup();
    await checkAt(rt, at(0), log);
    await runTestAlert(rt, () => at(0), log);
    teams.script.push({ status: 404 });
    await runTestAlert(rt, () => at(HOUR), log);
    const out: string[] = [];
    const io = { env, now: () => at(2 * HOUR), stdout: (t: string) => void out.push(t), stderr: () => undefined, runtime: () => rt };
    expect(await main(['status'], io)).toBe(0);
    expect(out[0]).toMatch(/^APNS OK - /);
    expect(out[0]).not.toMatch(/channel/);
    expect(out.slice(1)).toEqual([
      'channel Teams: FAILING since 2027-01-01 01:00 UTC (1 refused in a row) - last delivered 2027-01-01 00:00 UTC - last error: teams answered 404 Not Found',
      'channel webhook: ok, last delivered 2027-01-01 01:00 UTC',
    ]);
    out.length = 0;
    await main(['status', '--json'], io);
    const json = JSON.parse(out.join('\n')) as { channels: Array<{ channel: string }> };
    expect(json.channels.map((c) => c.channel)).toEqual(['teams', 'webhook']);
    expectNoSecret(out.join('\n'));
  });
});

describe('POST /api/test-alert', () => {
  test('JSON: each channel\'s outcome, redacted; a second press within 10 s is 429 with Retry-After; GET is 405', async () => {
    const { rt } = setup();
    teams.script.push({ status: 403 });
    const now = { t: at(0) };
    const handler = makeTestAlertHandler(() => rt, () => now.t);
    const res = (await handler(new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/test-alert', headers: { accept: 'application/json' } }), context())) as HttpResponseInit;
    expect(res.status).toBe(200);
    expect(res.jsonBody).toEqual({
      channels: [
        { channel: 'teams', outcome: 'failed-for-good', detail: expect.stringMatching(/403/) },
        { channel: 'webhook', outcome: 'delivered', detail: null },
      ],
    });
    expect(hookEvents().map((e) => e.kind)).toEqual(['test']);
    // Counted toward health.
    expect((await rt.store.channelHealth.get('teams')).health).toMatchObject({ lastOutcome: 'failed', consecutiveFailures: 1 });

    now.t = at(4_000);
    const again = await handler(new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/test-alert' }), context());
    expect(again.status).toBe(429);
    expect(again.headers).toMatchObject({ 'retry-after': '6' });
    expect((again.jsonBody as { error: string }).error).toMatch(/less than 10 seconds ago/);
    expect(hook.attempts).toBe(1);

    const get = await handler(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/test-alert' }), context());
    expect(get).toMatchObject({ status: 405, headers: { allow: 'POST' } });

    now.t = at(11_000);
    expect((await handler(new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/test-alert' }), context())).status).toBe(200);
    expect(hook.attempts).toBe(2);
  });

  test('HTML for a plain form post: a self-contained page with the outcomes and a link back to the dashboard', async () => {
    const { rt } = setup();
    teams.script.push({ status: 404 });
    const handler = makeTestAlertHandler(() => rt, () => at(0));
    const form = new HttpRequest({
      method: 'POST',
      url: 'http://127.0.0.1/api/test-alert?code=k3y%2Bx',
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'content-type': 'application/x-www-form-urlencoded' },
      body: { string: 'send=1' },
    });
    const res = await handler(form, context());
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'referrer-policy': 'no-referrer' });
    const page = String(res.body);
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('<th scope="row">Teams</th><td class="bad">✗ refused</td>');
    expect(page).toContain('<th scope="row">webhook</th><td class="ok">✓ delivered</td>');
    expect(page).toContain('<a href="dashboard?code=k3y%2Bx">Back to the dashboard</a>');
    expect(page).not.toMatch(/<script|https?:\/\//);
    expectNoSecret(page);
    const limited = await handler(form, context());
    expect(limited.status).toBe(429);
    expect(String(limited.body)).toContain('try again in 10 s');
  });

  test('no channel configured: a clear 503, nothing sent', async () => {
    const { rt } = setup({ WEBHOOK_URL: '', WEBHOOK_SECRET: '', TEAMS_WEBHOOK_URL: '' });
    const res = await makeTestAlertHandler(() => rt, () => at(0))(new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/test-alert' }), context());
    expect(res.status).toBe(503);
    expect((res.jsonBody as { error: string }).error).toMatch(/no alert channel is configured/);
  });
});

describe('the test-alert route, fuzzed through the local host', () => {
  let host: RunningHost;
  beforeAll(async () => {
    const { rt } = setup();
    host = await startLocalHost({ runtime: rt, port: 0, key: null, log: () => undefined });
  });
  afterAll(() => host.close());

  test('600 random requests: never a 5xx, and the rate limit holds (at most one send)', async () => {
    let seed = 15_0003;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
    const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'];
    const ACCEPTS = ['', 'text/html', 'application/json', '*/*', 'text/html;q=0', '\u00ff', 'x'.repeat(4000)];
    const BODIES = ['', '{}', 'send=1', '\uD800', '['.repeat(3000), 'x'.repeat(70_000)];
    const QUERIES = ['', '?code=', '?code=%ZZ', '?code=%00', '?code=a%22%3E%3Cscript%3E', `?x=${'y'.repeat(3000)}`];
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const send = (method: string, path: string, body: string, headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const req = httpRequest(`${host.url}${path}`, { method, agent, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(-1));
        req.end(body === '' ? undefined : body);
      });
    const statuses: number[] = [];
    for (let i = 0; i < 600; i += 12) {
      const batch = Array.from({ length: 12 }, () => {
        const method = pick(METHODS);
        const body = method === 'GET' || method === 'HEAD' ? '' : pick(BODIES);
        const headers: Record<string, string> = {};
        const accept = pick(ACCEPTS);
        if (accept !== '') headers['accept'] = accept;
        if (body !== '') headers['content-length'] = String(Buffer.byteLength(body));
        return send(method, `/api/test-alert${pick(QUERIES)}`, body, headers);
      });
      statuses.push(...(await Promise.all(batch)));
    }
    agent.destroy();
    expect(statuses.filter((s) => s >= 500 || s < 0)).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    expect(statuses).toContain(429);
    expect(hook.attempts).toBeLessThanOrEqual(1);
  });
});
