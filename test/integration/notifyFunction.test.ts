import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { defineFunctions } from '../../src/app/functionDefinitions';
import { makeNotifyHandler } from '../../src/app/notifyHandler';
import type { Runtime } from '../../src/app/runtime';
import { main } from '../../src/cli/main';
import { runTestAlert } from '../../src/cli/notifyTest';
import { createLocalHttpHost } from '../../src/localHost/httpHost';
import type { NotifyResponse } from '../../src/notify/notifyFunction';
import { apnsCertificate } from '../doubles/graphDouble';
import { WebhookReceiver } from '../doubles/webhookReceiver';
import { sampleEvents } from '../support/sampleEvents';
import { checkAt, MemoryLogger, storageEnv, testRuntime, useDoubles } from '../support/harness';

const { graph, hook } = useDoubles();
const teams = new WebhookReceiver();
beforeAll(async () => void (await teams.start()));
afterAll(() => teams.close());
beforeEach(() => {
  for (const r of [hook, teams]) {
    r.received.length = 0;
    r.script.length = 0;
  }
  graph.sentMail.length = 0;
  graph.sendMailScript.length = 0;
});

const WEBHOOK_SECRET = 'notify-webhook-secret-value';
const TEAMS_PATH = '/workflows/9f8e7d/triggers/manual/paths/invoke?api-version=1&sig=TEAMSSECRETSIG123';

function channelEnv(): Record<string, string> {
  return {
    ...graph.env(),
    ...storageEnv(),
    TENANT_NAME: 'Contoso',
    TEAMS_WEBHOOK_URL: teams.url(TEAMS_PATH),
    WEBHOOK_URL: hook.url('/hook'),
    WEBHOOK_SECRET,
    EMAIL_FROM: 'apns-alerts@contoso.com',
    EMAIL_TO: 'intune-admins@contoso.com, msp-noc@partner.example',
  };
}

interface Call {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  logs: string[];
}

async function call(rt: Runtime, init: { method?: string; body?: string; headers?: Record<string, string> }): Promise<Call> {
  const logs: string[] = [];
  const context = new InvocationContext({ invocationId: 'i', functionName: 'notify', logHandler: (level, ...args) => void logs.push(`${level} ${args.join(' ')}`) });
  const request = new HttpRequest({ method: init.method ?? 'POST', url: 'https://apns-monitor.example/api/notify', headers: init.headers ?? { 'content-type': 'application/json' }, ...(init.body === undefined ? {} : { body: { string: init.body } }) });
  const res: HttpResponseInit = await makeNotifyHandler(() => rt)(request, context);
  return { status: res.status ?? 200, body: (res.jsonBody ?? {}) as Record<string, unknown>, headers: (res.headers ?? {}) as Record<string, string>, logs };
}

const expiring = sampleEvents().find((e) => e.kind === 'expiring')!;
const post = (rt: Runtime, event: unknown = expiring) => call(rt, { body: JSON.stringify(event) });

async function nothingStored(rt: Runtime): Promise<void> {
  const rows: unknown[] = [];
  try {
    for await (const e of rt.deliveryLog.client.listEntities()) rows.push(e);
  } catch (error) {
    // No table at all: nothing was stored.
    expect((error as { statusCode?: number }).statusCode).toBe(404);
  }
  expect(rows).toEqual([]);
  expect(hook.received.length + teams.received.length + graph.sentMail.length).toBe(0);
}

describe('bad input', () => {
  test('other methods: 405 with Allow', async () => {
    const rt = testRuntime(channelEnv());
    const r = await call(rt, { method: 'GET' });
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('POST');
  });

  test('over 64 KiB: 413, by Content-Length before reading and by the bytes read', async () => {
    const rt = testRuntime(channelEnv());
    expect((await call(rt, { body: '{}', headers: { 'content-length': String(64 * 1024 + 1) } })).status).toBe(413);
    expect((await call(rt, { body: JSON.stringify({ ...expiring, summary: 'x'.repeat(70_000) }) })).status).toBe(413);
    await nothingStored(rt);
  });

  test.each([
    ['not JSON', '{"id": ', /^the body is not valid JSON: /, undefined],
    ['an array', '[]', /^invalid alert event: \(body\) must be a JSON object$/, '(body)'],
    ['no id', JSON.stringify({ ...expiring, id: undefined }), /^invalid alert event: id is required$/, 'id'],
    ['a wrong kind', JSON.stringify({ ...expiring, kind: 'exploded' }), /^invalid alert event: kind must be one of /, 'kind'],
    ['days as text', JSON.stringify({ ...expiring, daysRemaining: '9' }), /^invalid alert event: daysRemaining must be integer or null, not string$/, 'daysRemaining'],
  ])('%s: 400 naming the problem, nothing stored or sent', async (_name, body, error, field) => {
    const rt = testRuntime(channelEnv());
    const r = await call(rt, { body });
    expect(r.status).toBe(400);
    expect(r.body['error']).toMatch(error);
    expect(r.body['field']).toBe(field);
    await nothingStored(rt);
  });

  test('no channel configured: 503, nothing stored', async () => {
    const rt = testRuntime({ ...graph.env(), ...storageEnv() });
    const r = await post(rt);
    expect(r.status).toBe(503);
    await nothingStored(rt);
  });
});

describe('delivery', () => {
  test('one event reaches Teams, email and the webhook, once; a repeat is not delivered again', async () => {
    const rt = testRuntime(channelEnv());
    const first = await post(rt);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ id: expiring.id, duplicate: false, pending: false });
    expect((first.body as unknown as NotifyResponse).channels.map((c) => [c.channel, c.outcome])).toEqual([
      ['teams', 'delivered'],
      ['email', 'delivered'],
      ['webhook', 'delivered'],
    ]);

    const card = teams.events<{ attachments: Array<{ content: { version: string } }> }>()[0]!;
    expect(teams.received[0]!.path).toBe(TEAMS_PATH);
    expect(card.attachments[0]!.content.version).toBe('1.5');
    const mail = graph.sentMail[0]!;
    expect(mail.from).toBe('apns-alerts@contoso.com');
    expect(mail.mime).toContain('To: intune-admins@contoso.com, msp-noc@partner.example');
    expect(mail.mime).toContain('multipart/alternative');
    const webhook = hook.received[0]!;
    expect(webhook.headers['x-signature-256']).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(webhook.body).digest('hex')}`);

    const again = await post(rt);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, pending: false });
    expect((again.body as unknown as NotifyResponse).channels.map((c) => c.outcome)).toEqual(['already-delivered', 'already-delivered', 'already-delivered']);
    expect([teams.received.length, graph.sentMail.length, hook.received.length]).toEqual([1, 1, 1]);
  });

  test('a channel failing once is retried on the next request without duplicates elsewhere', async () => {
    const rt = testRuntime(channelEnv());
    teams.script.push({ status: 503 });
    const first = await post(rt);
    expect(first.body).toMatchObject({ pending: true });
    expect((first.body as unknown as NotifyResponse).channels.map((c) => [c.channel, c.outcome, c.detail])).toEqual([
      ['teams', 'retry-later', 'teams answered 503 Service Unavailable'],
      ['email', 'delivered', null],
      ['webhook', 'delivered', null],
    ]);
    const retry = await post(rt);
    expect((retry.body as unknown as NotifyResponse).channels.map((c) => c.outcome)).toEqual(['delivered', 'already-delivered', 'already-delivered']);
    expect(retry.body['pending']).toBe(false);
    expect([teams.received.length, graph.sentMail.length, hook.received.length]).toEqual([1, 1, 1]);
  });

  test('failures say why, and never show the webhook URL, its signature or the secret', async () => {
    const rt = testRuntime(channelEnv());
    teams.script.push({ status: 404 });
    graph.sendMailScript.push({ status: 403, body: { error: { code: 'ErrorAccessDenied', message: 'Access is denied.' } } });
    const r = await post(rt);
    const channels = (r.body as unknown as NotifyResponse).channels;
    expect(channels.map((c) => [c.channel, c.outcome])).toEqual([
      ['teams', 'failed-for-good'],
      ['email', 'failed-for-good'],
      ['webhook', 'delivered'],
    ]);
    expect(channels[0]!.detail).toBe('teams answered 404 Not Found');
    expect(channels[1]!.detail).toMatch(/Mail\.Send/);
    const everything = JSON.stringify(r) + r.logs.join('\n');
    for (const secret of ['TEAMSSECRETSIG123', '/workflows/', WEBHOOK_SECRET, '/hook']) expect(everything).not.toContain(secret);
  });

  test('targets come only from configuration, never from the request', async () => {
    const elsewhere = new WebhookReceiver();
    await elsewhere.start();
    try {
      const rt = testRuntime(channelEnv());
      const r = await post(rt, { ...expiring, id: 'apns-expiring-target-test', url: elsewhere.url(), webhookUrl: elsewhere.url(), teamsWebhookUrl: elsewhere.url() });
      expect(r.status).toBe(202);
      expect(elsewhere.received).toHaveLength(0);
      expect(hook.received).toHaveLength(1);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('every accepted event is stored and deliverable; anything else is a 400 naming the field', () => {
  test('a minimal event (nullable fields left out) is accepted and delivered', async () => {
    const rt = testRuntime(channelEnv());
    const r = await post(rt, { id: 'apns-minimal-1', kind: 'upload_failed', severity: 'critical', subject: 'apns', summary: 'The last upload failed.', occurredAt: '2027-03-04T00:00:00Z' });
    expect(r.status).toBe(202);
    expect((r.body as unknown as NotifyResponse).channels.map((c) => c.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(hook.events()[0]).toMatchObject({ id: 'apns-minimal-1', thresholdDays: null, previous: null });
  });

  test('previous without expirationDateTime reaches every channel, once', async () => {
    const rt = testRuntime(channelEnv());
    const changed = sampleEvents().find((e) => e.kind === 'topic_changed')!;
    const r = await post(rt, { ...changed, previous: { topicIdentifier: changed.previous!.topicIdentifier } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ pending: false });
    expect([teams.received.length, graph.sentMail.length, hook.received.length]).toEqual([1, 1, 1]);
  });

  test.each([
    // JSON.stringify writes a lone surrogate as the escape \ud800, as a client's JSON would.
    ['a lone surrogate in the id', JSON.stringify({ ...expiring, id: 'apns-\ud800' }), 'id', /not well-formed Unicode/],
    ['a lone surrogate in the summary', JSON.stringify({ ...expiring, summary: 'Expires \udc00 soon' }), 'summary', /not well-formed Unicode/],
    ['an id that is no HTTP header value', JSON.stringify({ ...expiring, id: 'apns-expiring-Zürich' }), 'id', /characters that are not allowed/],
    ['deep nesting', `{"extra":${'['.repeat(20_000)}${']'.repeat(20_000)},${JSON.stringify(expiring).slice(1)}`, /^extra(\[0\])+$/, /nested deeper than 32 levels/],
    ['texts that are too long together', JSON.stringify({ ...expiring, summary: '\u0001'.repeat(4000), error: '\u0001'.repeat(3999) }), 'summary', /over the 32000 one Table Storage property holds/],
  ])('%s: 400 naming the field, nothing stored or sent', async (_name, body, field, problem) => {
    const rt = testRuntime(channelEnv());
    const r = await call(rt, { body });
    expect(r.status).toBe(400);
    expect(r.body['field']).toEqual(typeof field === 'string' ? field : expect.stringMatching(field));
    expect(r.body['error']).toMatch(problem);
    await nothingStored(rt);
  });
});

describe('an id already received', () => {
  test('with the same content (in any key order): 200 with the delivery report; with other content: 409 naming the id', async () => {
    const rt = testRuntime(channelEnv());
    expect((await post(rt)).status).toBe(202);
    const reordered = Object.fromEntries(Object.entries(expiring).reverse());
    const same = await post(rt, reordered);
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ id: expiring.id, duplicate: true, pending: false });
    expect((same.body as unknown as NotifyResponse).channels.map((c) => c.outcome)).toEqual(['already-delivered', 'already-delivered', 'already-delivered']);

    const other = await post(rt, { ...expiring, summary: 'Something else entirely.' });
    expect(other.status).toBe(409);
    expect(other.body).toEqual({ error: `alert id ${expiring.id} was already received with different content`, id: expiring.id });
    expect(other.logs).toContain(`warning notify: alert id ${expiring.id} was already received with different content; the first one is kept`);
    expect([teams.received.length, graph.sentMail.length, hook.received.length]).toEqual([1, 1, 1]);
    expect(hook.events()[0]!['summary']).toBe(expiring.summary);
  });
});

describe('the check through the notify function over HTTP', () => {
  test('NOTIFY_URL: the check posts with the key, keeps the alert pending until every channel took it', async () => {
    const notifyRuntime = testRuntime(channelEnv());
    const host = createLocalHttpHost({ functions: defineFunctions(() => notifyRuntime).http, key: 'the-function-key-123', log: () => undefined });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}/api/notify`;
    try {
      graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
      const checkEnv = { ...graph.env(), ...storageEnv(), NOTIFY_URL: url, NOTIFY_KEY: 'the-function-key-123' };
      const rt = testRuntime(checkEnv);
      teams.script.push({ status: 502 });
      const first = await checkAt(rt, new Date('2026-12-26T10:00:00Z'));
      expect(first.deliveries[0]!.channels).toEqual([{ channel: 'notify', outcome: 'retry-later', detail: 'notify function: teams: retry-later (teams answered 502 Bad Gateway)' }]);
      const second = await checkAt(rt, new Date('2026-12-26T16:00:00Z'));
      expect(second.deliveries[0]!.channels).toEqual([{ channel: 'notify', outcome: 'delivered', detail: null }]);
      expect([teams.received.length, graph.sentMail.length, hook.received.length]).toEqual([1, 1, 1]);
      expect(await rt.store.outbox.pending()).toEqual([]);

      const wrongKey = testRuntime({ ...checkEnv, ...storageEnv(), NOTIFY_KEY: 'wrong' });
      const refused = await checkAt(wrongKey, new Date('2026-12-26T10:00:00Z'));
      expect(refused.deliveries[0]!.channels[0]).toMatchObject({ outcome: 'failed-for-good', detail: expect.stringMatching(/^notify function answered 401/) as unknown });
    } finally {
      host.closeAllConnections();
      await new Promise<void>((resolve) => host.close(() => resolve()));
    }
  });
});

describe('apns-monitor notify-test', () => {
  function io(env: Record<string, string>) {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { env, stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), runtime: (e: Record<string, string | undefined>) => testRuntime(e as Record<string, string>) } };
  }

  test('sends a test event to every channel and prints each outcome', async () => {
    teams.script.push({ status: 410 });
    const env = channelEnv();
    delete (env as Record<string, string | undefined>)['AzureWebJobsStorage'];
    const run = io(env);
    expect(await main(['notify-test'], run.io)).toBe(2);
    expect(run.out).toEqual(['teams: failed-for-good - teams answered 410 Gone', 'email: delivered', 'webhook: delivered']);
    expect(hook.events()[0]).toMatchObject({ kind: 'test', severity: 'info', tenant: 'Contoso' });
    // Without a storage setting it touches no storage (never a guessed local emulator), and says so.
    expect(run.err.join('\n')).toMatch(/channel health is not recorded: no storage setting \(AzureWebJobsStorage\)/);
  });

  test('storage that does not answer never holds the outcomes back: they are reported, and the unrecorded health is named', async () => {
    // A storage endpoint nobody listens on: its client retries for seconds; the test answers after its wait.
    const unreachable = storageEnv().AzureWebJobsStorage!.replace(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+/, 'TableEndpoint=http://127.0.0.1:9');
    const rt = testRuntime({ ...channelEnv(), AzureWebJobsStorage: unreachable, TABLE_PREFIX: 'Unreachable' });
    const log = new MemoryLogger();
    const reports = await runTestAlert(rt, () => new Date(), log, { recordWaitMs: 50 });
    expect(reports.map((r) => `${r.channel}: ${r.outcome}`)).toEqual(['teams: delivered', 'email: delivered', 'webhook: delivered']);
    expect(log.lines).toContain('warn channel health was not recorded within 0.05 s: storage did not answer in time; the outcomes reported are as sent');
  });

  test('exit 0 when every channel took it; 3 when none is configured', async () => {
    const ok = io({ ...storageEnv(), WEBHOOK_URL: hook.url(), WEBHOOK_SECRET });
    expect(await main(['notify-test', '--json'], ok.io)).toBe(0);
    expect(JSON.parse(ok.out.join('\n'))).toEqual({ channels: [{ channel: 'webhook', outcome: 'delivered', detail: null }] });
    const none = io(storageEnv());
    expect(await main(['notify-test'], none.io)).toBe(3);
    expect(none.err[0]).toMatch(/no channel is configured/);
  });
});
