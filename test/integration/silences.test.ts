import { HttpRequest, InvocationContext } from '@azure/functions';
import { beforeEach, describe, expect, test } from 'vitest';
import { makeSilencesHandler } from '../../src/app/silencesHandler';
import { makeStatusHandlers } from '../../src/app/statusHandlers';
import { makeNotifyHandler } from '../../src/app/notifyHandler';
import { createRuntime, type Runtime } from '../../src/app/runtime';
import { main } from '../../src/cli/main';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { startLocalHost } from '../../src/localHost/serve';
import type { HistoryEntry } from '../../src/storage/records';
import type { Silence } from '../../src/status/operatorModel';
import type { StatusDocument } from '../../src/status/statusDocument';
import { apnsCertificate, vppToken } from '../doubles/graphDouble';
import { sampleEvents } from '../support/sampleEvents';
import { storageEnv, useDoubles } from '../support/harness';

/**
 * Issue 15 item 2 end to end: silences added and removed through the CLI and /api/silences, applied by
 * the real check (Azurite, the Graph double) and the notify function, and what reaches the webhook.
 */

const { graph, hook } = useDoubles();
const DAY = 86_400_000;
const T = new Date('2026-12-26T10:00:00Z');
const at = (days: number) => new Date(T.getTime() + days * DAY);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeEach(() => {
  hook.received.length = 0;
  hook.script.length = 0;
  // 10 days left at T: the first check raises `expiring` for the 14-day threshold.
  graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
  graph.vppTokens = [];
  graph.depOnboardingSettings = [];
});

function setup(extra: Record<string, string> = {}) {
  const env: Record<string, string> = { ...graph.env(), ...storageEnv(), TENANT_NAME: 'Contoso', WATCH: 'apns', WEBHOOK_URL: hook.url('/silences'), WEBHOOK_SECRET: 'silences-webhook-secret', ...extra };
  const make = (e: Record<string, string | undefined>) => createRuntime(e, { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } });
  const rt: Runtime = make(env);
  const cli = async (args: string[], now: Date) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { env, now: () => now, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), runtime: make });
    return { code, out, err, text: out.join('\n') };
  };
  const http = async (method: string, now: Date, path = '', body?: string) => {
    const handler = makeSilencesHandler(() => rt, () => now);
    const id = path.replace(/^\//, '');
    const request = new HttpRequest({ method, url: `http://127.0.0.1/api/silences${path}`, params: id === '' ? {} : { id }, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: { string: body } }) });
    const res = await handler(request, new InvocationContext({ functionName: 'silences', logHandler: () => undefined }));
    return { status: res.status ?? 200, json: res.jsonBody as Record<string, unknown> };
  };
  const view = async (name: 'history' | 'status', now: Date) => {
    const res = await makeStatusHandlers(() => rt, () => now)[name](new HttpRequest({ method: 'GET', url: `http://127.0.0.1/api/${name}`, query: name === 'history' ? { limit: '100' } : {} }), new InvocationContext({ functionName: name, logHandler: () => undefined }));
    return res.jsonBody as Record<string, unknown>;
  };
  const alertsInHistory = async (now: Date) => ((await view('history', now))['entries'] as HistoryEntry[]).filter((e): e is Extract<HistoryEntry, { type: 'alert' }> => e.type === 'alert');
  return { env, rt, cli, http, view, alertsInHistory };
}

const delivered = () => hook.events<AlertEvent>().map((e) => `${e.kind}${e.thresholdDays === null ? '' : `:${e.thresholdDays}`}`);

describe('a silenced alert is recorded, never delivered', () => {
  test('held at the check that raises it, in history marked silenced, and not sent late when the silence ends', async () => {
    const s = setup();
    const added = await s.cli(['silence', 'add', '--subject', 'apns', '--kind', 'expiring', '--until', '2026-12-27', '--reason', 'renewal booked with Apple for Monday', '--by', 'Alex'], T);
    expect(added.code).toBe(0);
    expect(added.out).toHaveLength(1);
    const id = added.out[0]!;
    expect(id).toMatch(UUID);

    const check = await s.cli(['check'], T);
    expect(check.code).toBe(1);
    expect(check.text).toContain('1 alert raised (1 silenced)');
    expect(hook.received).toHaveLength(0);
    const [entry] = await s.alertsInHistory(T);
    expect(entry!.alert.kind).toBe('expiring');
    expect(entry!.silence).toEqual({ id, until: '2026-12-28T00:00:00.000Z', reason: 'renewal booked with Apple for Monday', held: true, by: 'Alex' });

    // The silence ends (end of 27 December, UTC); two more checks (8 days left): nothing is owed, nothing is sent.
    const afterEnd = await s.cli(['check', '--json'], at(1.7));
    expect((JSON.parse(afterEnd.text) as { alerts: unknown[] }).alerts).toEqual([]);
    await s.cli(['check'], at(1.9));
    expect(hook.received).toHaveLength(0);
    expect(await s.rt.store.outbox.pending()).toEqual([]);

    // The next threshold, raised after the silence ended, goes out; the silenced one never does.
    await s.cli(['check'], at(2.1));
    expect(delivered()).toEqual(['expiring:7']);
    const history = await s.alertsInHistory(at(2.1));
    expect(history.map((e) => [e.alert.thresholdDays, e.silence?.held ?? null])).toEqual([[7, null], [14, true]]);
  });

  test('check --json lists what was silenced', async () => {
    const s = setup();
    const id = (await s.cli(['silence', 'add', '--subject', 'apns', '--until', '2027-01-01', '--reason', 'known'], T)).out[0]!;
    const doc = JSON.parse((await s.cli(['check', '--json'], T)).text) as { alerts: AlertEvent[]; silenced: unknown[] };
    expect(doc.silenced).toEqual([{ alertId: doc.alerts[0]!.id, id, until: '2027-01-02T00:00:00.000Z', reason: 'known', held: true }]);
  });

  test('a silence on one token leaves the other tokens and the push certificate alone', async () => {
    graph.vppTokens = [vppToken('vpp-a', '2027-01-02T10:00:00Z', { lastSyncDateTime: T.toISOString() }), vppToken('vpp-b', '2027-01-02T10:00:00Z', { lastSyncDateTime: T.toISOString() })];
    const s = setup({ WATCH: 'apns,vpp_token' });
    expect((await s.cli(['silence', 'add', '--subject', 'vpp_token:vpp-a', '--until', '2027-01-01', '--reason', 'token being replaced'], T)).code).toBe(0);
    await s.cli(['check'], T);
    const sent = hook.events<AlertEvent>().map((e) => `${e.subject}:${e.subjectId ?? '-'}:${e.kind}`);
    expect(sent.sort()).toEqual(['apns:-:expiring', 'vpp_token:vpp-b:expiring']);
    const history = await s.alertsInHistory(T);
    expect(history.filter((e) => e.silence?.held).map((e) => e.alert.subjectId)).toEqual(['vpp-a']);
  });
});

describe('a silence never holds back an alert that opens a critical incident', () => {
  test('topic_changed goes through a silence of every apns alert, and history notes the silence', async () => {
    const s = setup();
    await s.cli(['check'], T);
    hook.received.length = 0;
    const id = (await s.cli(['silence', 'add', '--subject', 'apns', '--until', '2027-02-01', '--reason', 'quiet please'], at(0.5))).out[0]!;
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z', { topicIdentifier: 'com.apple.mgmt.External.00000000-0000-0000-0000-00000000beef', appleIdentifier: 'someone-else@contoso.com' });
    expect((await s.cli(['check'], at(1))).code).toBe(2);
    // The critical incident is delivered; the Apple ID change (a warning) is held back.
    expect(delivered()).toEqual(['topic_changed']);
    const history = await s.alertsInHistory(at(1));
    const marks = Object.fromEntries(history.filter((e) => e.at === at(1).toISOString()).map((e) => [e.alert.kind, e.silence]));
    expect(marks['topic_changed']).toEqual({ id, until: '2027-02-02T00:00:00.000Z', reason: 'quiet please', held: false });
    expect(marks['apple_id_changed']?.held).toBe(true);
  });

  test('the first expired goes through; its daily repeats are held', async () => {
    graph.certificate = apnsCertificate('2026-12-27T10:00:00Z');
    const s = setup();
    await s.cli(['check'], T);
    hook.received.length = 0;
    await s.cli(['silence', 'add', '--subject', 'apns', '--kind', 'expired', '--until', '2027-01-10', '--reason', 'renewing; the repeats are known'], T);
    await s.cli(['check'], at(1.5));
    await s.cli(['check'], at(2.6));
    await s.cli(['check'], at(3.7));
    expect(delivered()).toEqual(['expired']);
    const expired = (await s.alertsInHistory(at(3.7))).filter((e) => e.alert.kind === 'expired');
    expect(expired.map((e) => e.silence?.held)).toEqual([true, true, false]);
  });
});

describe('silences end by themselves', () => {
  test('an ended silence stops matching, leaves the list, and its row is pruned lazily', async () => {
    const s = setup();
    const id = (await s.cli(['silence', 'add', '--subject', 'apns', '--until', '2026-12-26T11:00:00Z', '--reason', 'one hour'], T)).out[0]!;
    expect((await s.cli(['silence', 'list'], T)).text).toContain(id);
    // The check runs after the silence's end: the alert goes out.
    await s.cli(['check'], at(0.1));
    expect(delivered()).toEqual(['expiring:14']);
    expect((await s.alertsInHistory(at(0.1)))[0]!.silence).toBeUndefined();
    expect(((await s.view('status', at(0.1))) as unknown as StatusDocument).silences).toEqual([]);
    // Listing prunes the ended row: it is gone for good.
    expect((await s.cli(['silence', 'list'], at(0.1))).out).toEqual(['no silence in force']);
    const removed = await s.cli(['silence', 'remove', id], at(0.1));
    expect(removed.code).toBe(3);
  });
});

describe('apns-monitor silence', () => {
  test('add, list (table and --json), remove; an unknown id exits 3', async () => {
    const s = setup({ DISPLAY_TIMEZONE: 'Europe/Berlin' });
    const a = await s.cli(['silence', 'add', '--subject', 'vpp_token:tok-1', '--kind', 'sync_stale', '--until', '2027-01-08', '--reason', 'Apple Business Manager maintenance', '--by', 'Alex'], T);
    expect(a.code).toBe(0);
    expect(a.err.join('\n')).toContain('silenced vpp_token:tok-1 sync_stale until 2027-01-08T23:00:00.000Z (Europe/Berlin)');
    const b = await s.cli(['silence', 'add', '--subject', 'apns', '--until', '2027-01-02T09:00:00-05:00', '--reason', 'quiet'], T);
    const list = await s.cli(['silence', 'list'], T);
    expect(list.code).toBe(0);
    expect(list.out[0]).toMatch(/^ID +SUBJECT +KIND +UNTIL +BY +REASON$/);
    expect(list.out.slice(1).map((l) => l.split(/ {2,}/))).toEqual([
      [b.out[0], 'apns', '*', '2027-01-02T14:00:00.000Z', expect.any(String), 'quiet'],
      [a.out[0], 'vpp_token:tok-1', 'sync_stale', '2027-01-08T23:00:00.000Z', 'Alex', 'Apple Business Manager maintenance'],
    ]);
    const json = JSON.parse((await s.cli(['silence', 'list', '--json'], T)).text) as { silences: Silence[] };
    expect(json.silences.map((x) => x.id)).toEqual([b.out[0], a.out[0]]);
    expect(json.silences[1]).toEqual({ id: a.out[0], subject: 'vpp_token', subjectId: 'tok-1', kind: 'sync_stale', until: '2027-01-08T23:00:00.000Z', reason: 'Apple Business Manager maintenance', createdBy: 'Alex', createdAt: T.toISOString() });

    const removed = await s.cli(['silence', 'remove', a.out[0]!], T);
    expect(removed).toMatchObject({ code: 0, out: [`removed ${a.out[0]} (vpp_token:tok-1 sync_stale until 2027-01-08T23:00:00.000Z)`] });
    expect((await s.cli(['silence', 'remove', a.out[0]!], T)).code).toBe(3);
    const unknown = await s.cli(['silence', 'remove', 'no-such-id'], T);
    expect(unknown.code).toBe(3);
    expect(unknown.err).toEqual(['apns-monitor: no silence with id no-such-id (apns-monitor silence list shows them)']);
    expect((await s.cli(['silence', 'list', '--json'], T)).text).not.toContain(a.out[0]);
  });

  test.each([
    [['--subject', 'apns', '--until', '2027-01-01'], '--reason is required: say why (it is shown with the silence)'],
    [['--subject', 'apns', '--until', '2026-12-20', '--reason', 'x'], '--until 2026-12-21T00:00:00.000Z is in the past: a silence must end after now (2026-12-26T10:00:00.000Z)'],
    [['--subject', 'printer', '--until', '2027-01-01', '--reason', 'x'], '--subject must be one of apns, vpp_token, ade_token, device_certificate, not "printer"'],
    [['--subject', 'apns', '--kind', 'expiringg', '--until', '2027-01-01', '--reason', 'x'], '--kind must be one of expiring, expired, renewed'],
    [['--until', '2027-01-01', '--reason', 'x'], '--subject is required: one of apns, vpp_token, ade_token, device_certificate'],
    [['--subject', 'apns', '--until', 'next friday', '--reason', 'x'], '--until expects a date (2027-03-05: the end of that day in UTC)'],
  ])('silence add %j is refused by name, exit 2', async (args, message) => {
    const s = setup();
    const r = await s.cli(['silence', 'add', ...args], T);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toContain(`apns-monitor: ${message}`);
    expect((await s.cli(['silence', 'list'], T)).out).toEqual(['no silence in force']);
  });

  test('--json refusals are one JSON document naming the option', async () => {
    const r = await setup().cli(['silence', 'add', '--subject', 'apns', '--until', '2027-01-01', '--json'], T);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.text)).toEqual({ error: '--reason is required: say why (it is shown with the silence)', field: '--reason' });
  });

  test('usage mistakes: exit 3 with the usage', async () => {
    const s = setup();
    expect((await s.cli(['silence', 'mute'], T)).err[0]).toContain('unknown sub-command "mute": add, list or remove');
    expect((await s.cli(['silence', 'list', '--reason', 'x'], T)).code).toBe(3);
    expect((await s.cli(['silence', 'remove'], T)).err[0]).toContain('silence remove needs the id');
    const help = await s.cli(['silence', '--help'], T);
    expect(help.code).toBe(0);
    expect(help.text).toContain('apns-monitor silence add --subject KIND[:ID] [--kind ALERT_KIND] --until DATE --reason TEXT [--by NAME]');
    expect((await s.cli(['--help'], T)).text).toMatch(/^ {2}silence add\|list\|remove/m);
  });
});

describe('/api/silences', () => {
  test('POST 201, GET lists it (and /api/status), DELETE 200, then 404', async () => {
    const s = setup();
    const created = await s.http('POST', T, '', JSON.stringify({ subject: 'ade_token', subjectId: 'dep-1', kind: 'sync_failed', until: '2027-01-03', reason: 'ABM outage', by: 'NOC' }));
    expect(created.status).toBe(201);
    const silence = created.json['silence'] as Silence;
    expect(silence).toMatchObject({ subject: 'ade_token', subjectId: 'dep-1', kind: 'sync_failed', until: '2027-01-04T00:00:00.000Z', reason: 'ABM outage', createdBy: 'NOC' });
    expect((await s.http('GET', T)).json).toEqual({ silences: [silence] });
    expect((await s.http('GET', T, `/${silence.id}`)).json).toEqual({ silence });
    await s.cli(['check'], T);
    expect(((await s.view('status', T)) as unknown as StatusDocument).silences).toEqual([silence]);
    expect(await s.http('DELETE', T, `/${silence.id}`)).toEqual({ status: 200, json: { removed: silence } });
    expect((await s.http('DELETE', T, `/${silence.id}`)).status).toBe(404);
    expect((await s.http('DELETE', T, '/not-a-uuid')).status).toBe(404);
    expect((await s.http('GET', T)).json).toEqual({ silences: [] });
  });

  test.each([
    [{ until: '2027-01-01', reason: 'x' }, 'subject', 'subject is required: one of apns, vpp_token, ade_token, device_certificate'],
    [{ subject: 'apns', until: '2027-01-01' }, 'reason', 'reason is required: say why (it is shown with the silence)'],
    [{ subject: 'apns', kind: 'nope', until: '2027-01-01', reason: 'x' }, 'kind', 'kind must be one of'],
    [{ subject: 'apns', until: '2020-01-01', reason: 'x' }, 'until', 'until 2020-01-02T00:00:00.000Z is in the past'],
    [{ subject: 'apns', until: '2027-01-01', reason: 'x', untill: 'typo' }, 'untill', 'untill is not a field of a silence'],
    [[], '(body)', '(body) must be a JSON object'],
  ])('POST %j: 400 naming %s', async (body, field, error) => {
    const r = await setup().http('POST', T, '', JSON.stringify(body));
    expect(r.status).toBe(400);
    expect(r.json['field']).toBe(field);
    expect(String(r.json['error'])).toContain(error);
  });

  test('bad bodies and methods are 4xx, never 5xx', async () => {
    const s = setup();
    expect((await s.http('POST', T, '', '{"subject":')).status).toBe(400);
    expect((await s.http('POST', T, '', JSON.stringify({ subject: 'apns', until: '2027-01-01', reason: 'r'.repeat(9000) }))).status).toBe(413);
    expect((await s.http('PUT', T)).status).toBe(405);
    expect((await s.http('POST', T, '/x', '{}')).status).toBe(405);
  });

  test('through the local host: the route template serves DELETE /api/silences/{id}, behind the function key', async () => {
    const s = setup();
    const host = await startLocalHost({ runtime: s.rt, port: 0, key: 'local-key', log: () => undefined });
    try {
      const headers = { 'x-functions-key': 'local-key', 'content-type': 'application/json' };
      expect((await fetch(`${host.url}/api/silences`)).status).toBe(401);
      const post = await fetch(`${host.url}/api/silences`, { method: 'POST', headers, body: JSON.stringify({ subject: 'apns', until: '2099-01-01', reason: 'far' }) });
      expect(post.status).toBe(400); // more than 366 days ahead
      const ok = await fetch(`${host.url}/api/silences/`, { method: 'POST', headers, body: JSON.stringify({ subject: 'apns', until: new Date(Date.now() + 3 * DAY).toISOString(), reason: 'soon' }) });
      expect(ok.status).toBe(201);
      const { silence } = (await ok.json()) as { silence: Silence };
      expect(((await (await fetch(`${host.url}/api/silences`, { headers })).json()) as { silences: Silence[] }).silences.map((x) => x.id)).toEqual([silence.id]);
      expect((await fetch(`${host.url}/api/silences/${silence.id}`, { method: 'DELETE', headers })).status).toBe(200);
      expect((await fetch(`${host.url}/api/silences/${silence.id}`, { method: 'DELETE', headers })).status).toBe(404);
      expect((await fetch(`${host.url}/api/silences/a/b`, { method: 'DELETE', headers })).status).toBe(404);
    } finally {
      await host.close();
    }
  });
});

describe('races', () => {
  test('concurrent adds (CLI and API, 12 at once) keep every one; a concurrent remove takes only its own', async () => {
    const s = setup();
    const first = (await s.cli(['silence', 'add', '--subject', 'apns', '--until', '2027-01-01', '--reason', 'first'], T)).out[0]!;
    const adds = Array.from({ length: 12 }, (_, i) =>
      i % 2 === 0
        ? s.cli(['silence', 'add', '--subject', 'vpp_token', '--until', '2027-01-01', '--reason', `cli ${i}`], T).then((r) => r.out[0]!)
        : s.http('POST', T, '', JSON.stringify({ subject: 'ade_token', until: '2027-01-01', reason: `api ${i}` })).then((r) => (r.json['silence'] as Silence).id),
    );
    const [ids, removed] = await Promise.all([Promise.all(adds), s.cli(['silence', 'remove', first], T)]);
    expect(removed.code).toBe(0);
    const listed = ((await s.http('GET', T)).json['silences'] as Silence[]).map((x) => x.id);
    expect(new Set(ids).size).toBe(12);
    expect(listed.sort()).toEqual([...ids].sort());
  });
});

describe('the notify function applies silences to the events it receives', () => {
  const event = (kind: AlertEvent['kind']) => sampleEvents().find((e) => e.kind === kind)!;
  const post = async (rt: Runtime, body: AlertEvent, now = T) => {
    const res = await makeNotifyHandler(() => rt, () => now)(new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/notify', headers: { 'content-type': 'application/json' }, body: { string: JSON.stringify(body) } }), new InvocationContext({ functionName: 'notify', logHandler: () => undefined }));
    return { status: res.status ?? 200, json: res.jsonBody as Record<string, unknown> };
  };

  test('held at first receipt, answered as done, and not delivered when it comes again after the silence', async () => {
    const s = setup();
    const expiring = event('expiring');
    const created = await s.http('POST', T, '', JSON.stringify({ subject: 'apns', kind: 'expiring', until: '2026-12-26T12:00:00Z', reason: 'short' }));
    expect(created.status).toBe(201);
    const first = await post(s.rt, expiring, T);
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ id: expiring.id, pending: false, channels: [], silenced: { id: (created.json['silence'] as Silence).id } });
    // Posted again after the silence ended (a retry): the first decision stands.
    const again = await post(s.rt, expiring, at(1));
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true, pending: false, channels: [] });
    expect(hook.received).toHaveLength(0);
  });

  test('a critical incident kind goes through; a test message is never silenced', async () => {
    const s = setup();
    await s.http('POST', T, '', JSON.stringify({ subject: 'apns', until: '2027-01-01', reason: 'all of apns' }));
    expect((await post(s.rt, event('topic_changed'))).json).toMatchObject({ pending: false, channels: [{ channel: 'webhook', outcome: 'delivered' }] });
    expect((await post(s.rt, event('test'))).json).toMatchObject({ pending: false, channels: [{ channel: 'webhook', outcome: 'delivered' }] });
    expect((await post(s.rt, event('renewed'))).json).toMatchObject({ channels: [], silenced: expect.any(Object) });
    expect(hook.events<AlertEvent>().map((e) => e.kind)).toEqual(['topic_changed', 'test']);
  });
});
