import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import type { AlertEvent } from '../../src/domain/alertEvent';
import { deliverOne, MAX_RETRY_AFTER_SECONDS } from '../../src/notify/deliver';
import { Outbox, type OutboxChange } from '../../src/storage/outbox';
import type { OutboxEntry } from '../../src/storage/records';
import { apnsCertificate } from '../doubles/graphDouble';
import { WebhookReceiver } from '../doubles/webhookReceiver';
import { checkAt, storageEnv, testRuntime, useDoubles } from '../support/harness';

/**
 * Issue 9, item 3: a long Retry-After, a slow channel or a storage fault never makes a channel receive
 * the same alert occurrence twice, and never holds a run up.
 */

const { graph, hook } = useDoubles();
const teams = new WebhookReceiver();
beforeAll(async () => void (await teams.start()));
afterAll(() => teams.close());
beforeEach(() => {
  for (const r of [hook, teams]) {
    r.received.length = 0;
    r.script.length = 0;
    r.attempts = 0;
  }
});

const T = new Date('2026-12-26T10:00:00Z'); // 10 days before expiry: one expiring alert
const seconds = (s: number) => new Date(T.getTime() + s * 1000);

function env(): Record<string, string> {
  graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
  return { ...graph.env(), ...storageEnv(), TEAMS_WEBHOOK_URL: teams.url('/teams'), WEBHOOK_URL: hook.url('/hook'), WEBHOOK_SECRET: 'c'.repeat(32) };
}

test('429 with Retry-After: 60 is not waited for: the run goes on, the other channel takes the alert, and the retry goes out after 60 s, once', async () => {
  const rt = testRuntime(env());
  hook.script.push({ status: 429, headers: { 'Retry-After': '60' } });
  const started = Date.now();
  const first = await checkAt(rt, T);
  expect(Date.now() - started).toBeLessThan(9_000);
  expect(first.deliveries[0]!.channels.map((c) => [c.channel, c.outcome])).toEqual([
    ['teams', 'delivered'],
    ['webhook', 'retry-later'],
  ]);
  const stored = (await rt.store.outbox.pending())[0]!;
  expect(stored.deliveries['webhook']).toMatchObject({ status: 'retry', notBefore: seconds(60).toISOString() });

  const early = await checkAt(rt, seconds(30));
  expect(early.deliveries[0]!.channels.map((c) => c.outcome)).toEqual(['already-delivered', 'skipped']);
  expect(hook.attempts).toBe(1);
  await checkAt(rt, seconds(61));
  await checkAt(rt, seconds(120));
  expect([teams.received.length, hook.received.length, hook.attempts]).toEqual([1, 1, 2]);
});

test('Retry-After as an HTTP date is honoured; nonsense is treated as absent; more than 24 h is capped at 24 h', async () => {
  const rt = testRuntime(env());
  hook.script.push({ status: 503, headers: { 'Retry-After': new Date(Date.now() + 3_600_000).toUTCString() } });
  await checkAt(rt, T);
  const dated = (await rt.store.outbox.pending())[0]!.deliveries['webhook']!;
  const waitS = (Date.parse(dated.notBefore!) - T.getTime()) / 1000;
  expect(waitS).toBeGreaterThan(3500);
  expect(waitS).toBeLessThanOrEqual(3601);

  const rt2 = testRuntime(env());
  hook.script.push({ status: 503, headers: { 'Retry-After': 'soon, maybe' } });
  await checkAt(rt2, T);
  expect((await rt2.store.outbox.pending())[0]!.deliveries['webhook']).toMatchObject({ status: 'retry', notBefore: null });

  const rt3 = testRuntime(env());
  hook.script.push({ status: 429, headers: { 'Retry-After': String(30 * 86_400) } });
  await checkAt(rt3, T);
  expect((await rt3.store.outbox.pending())[0]!.deliveries['webhook']!.notBefore).toBe(seconds(MAX_RETRY_AFTER_SECONDS).toISOString());
});

test('a Retry-After of a second or two is waited out in the same run', async () => {
  const rt = testRuntime(env());
  hook.script.push({ status: 429, headers: { 'Retry-After': '1' } });
  const result = await checkAt(rt, T);
  expect(result.deliveries[0]!.channels.map((c) => c.outcome)).toEqual(['delivered', 'delivered']);
  expect([hook.attempts, hook.received.length]).toEqual([2, 1]);
});

test('a slow channel and an overlapping run: the second run leaves the held channel alone; each channel gets the alert once', async () => {
  const e = env();
  const [a, b] = [testRuntime(e), testRuntime(e)];
  hook.script.push({ status: 200, delayMs: 1500 });
  const first = checkAt(a, T);
  // The second run starts while the first is inside the webhook's post.
  while (hook.attempts === 0) await new Promise((r) => setTimeout(r, 20));
  const second = await checkAt(b, seconds(1));
  expect(second.deliveries[0]!.channels.find((c) => c.channel === 'webhook')!.outcome).toBe('in-progress');
  await first;
  await checkAt(b, seconds(600));
  expect([teams.received.length, hook.received.length, hook.attempts]).toEqual([1, 1, 1]);
});

/** A real outbox on Azurite whose first result write fails, as a storage outage would fail it. */
class OutageOutbox extends Outbox {
  failures = 0;
  constructor(private readonly failWrites: number, base: Outbox) {
    super(base.client, 'apns', 'alert-');
  }
  override async save(entry: OutboxEntry, change: OutboxChange): Promise<OutboxEntry | null> {
    if (change.deliveries !== undefined && this.failures < this.failWrites) {
      this.failures += 1;
      throw Object.assign(new Error('connect ECONNREFUSED (storage outage)'), { code: 'ECONNREFUSED' });
    }
    return super.save(entry, change);
  }
}

test('a storage outage while a result is recorded: the result is written once storage answers, and nothing is sent twice', async () => {
  const e = env();
  const rt = testRuntime(e);
  // Queue the alert without delivering it, so the delivery below is the first.
  await checkAt(testRuntime({ ...e, TEAMS_WEBHOOK_URL: '', WEBHOOK_URL: '', WEBHOOK_SECRET: '' }), T);
  const outbox = new OutageOutbox(2, rt.store.outbox);
  const [entry] = await outbox.pending();
  const delivered = await deliverOne(outbox, entry!, rt.channels, () => T, rt.redact, { sleep: async () => undefined });
  expect(outbox.failures).toBe(2);
  expect(delivered!.channels.map((c) => c.outcome)).toEqual(['delivered', 'delivered']);
  expect(delivered!.pending).toBe(false);
  // Another run afterwards finds nothing owed.
  await checkAt(rt, seconds(3600));
  expect([teams.attempts, hook.attempts]).toEqual([1, 1]);
});

test('an outage that outlasts the retries stops the run before it sends to more channels', async () => {
  const e = env();
  const rt = testRuntime(e);
  await checkAt(testRuntime({ ...e, TEAMS_WEBHOOK_URL: '', WEBHOOK_URL: '', WEBHOOK_SECRET: '' }), T);
  const outbox = new OutageOutbox(100, rt.store.outbox);
  const [entry] = await outbox.pending();
  await expect(deliverOne(outbox, entry!, rt.channels, () => T, rt.redact, { sleep: async () => undefined })).rejects.toThrow(/storage outage/);
  expect([teams.attempts, hook.attempts]).toEqual([1, 0]);
  // While the claim holds, no run touches that channel; the other channel goes out.
  const during = await checkAt(rt, seconds(60));
  expect(during.deliveries[0]!.channels.map((c) => c.outcome)).toEqual(['in-progress', 'delivered']);
  // Once it lapses, the channel whose result was never recorded is sent again (at least once beats
  // silence: whether the first post arrived is unknown), and only that one.
  const retried = await checkAt(rt, seconds(3600));
  expect(retried.deliveries[0]!.channels.map((c) => c.outcome)).toEqual(['delivered', 'already-delivered']);
  expect([teams.attempts, hook.attempts]).toEqual([2, 1]);
});

export type { AlertEvent };

test('a channel that refuses an alert for good is shown in history and status until a corrected target takes it', async () => {
  const { makeStatusHandlers } = await import('../../src/app/statusHandlers');
  const { HttpRequest, InvocationContext } = await import('@azure/functions');
  const e = env();
  const rt = testRuntime(e);
  hook.script.push({ status: 410 });
  await checkAt(rt, T);
  const status = async (r: typeof rt) =>
    (await makeStatusHandlers(() => r, () => T).status(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/status' }), new InvocationContext({ functionName: 'status' }))).jsonBody as { deliveryFailures: Array<Record<string, unknown>> };
  const failures = (await status(rt)).deliveryFailures;
  expect(failures).toHaveLength(1);
  expect(failures[0]).toMatchObject({ channel: 'webhook', kind: 'expiring', detail: 'webhook answered 410 Gone' });
  expect(JSON.stringify(failures)).not.toContain(hook.url('/hook'));
  const history = await rt.store.listHistory(20);
  expect(history.filter((h) => h.type === 'delivery_failed')).toHaveLength(1);
  // Not retried at the same target, and not recorded twice.
  await checkAt(rt, seconds(3600));
  expect(hook.attempts).toBe(1);
  expect((await rt.store.listHistory(20)).filter((h) => h.type === 'delivery_failed')).toHaveLength(1);
  // A corrected target takes it, and the failure is gone from status.
  const fixed = testRuntime({ ...e, WEBHOOK_URL: hook.url('/fixed') });
  await checkAt(fixed, seconds(7200));
  expect(hook.received.map((r) => r.path)).toEqual(['/fixed']);
  expect((await status(fixed)).deliveryFailures).toEqual([]);
});

test('sendMail answering 429 with Retry-After: 60 is not waited for in the Graph client: the email stays pending until then, once', async () => {
  graph.sentMail.length = 0;
  graph.sendMailScript.length = 0;
  const rt = testRuntime({ ...env(), EMAIL_FROM: 'apns@contoso.com', EMAIL_TO: 'admins@contoso.com' });
  graph.sendMailScript.push({ status: 429, headers: { 'Retry-After': '60' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } });
  const started = Date.now();
  const first = await checkAt(rt, T);
  expect(Date.now() - started).toBeLessThan(9_000);
  expect(first.deliveries[0]!.channels.map((c) => [c.channel, c.outcome])).toEqual([
    ['teams', 'delivered'],
    ['email', 'retry-later'],
    ['webhook', 'delivered'],
  ]);
  expect((await rt.store.outbox.pending())[0]!.deliveries['email']).toMatchObject({ status: 'retry', notBefore: seconds(60).toISOString() });
  await checkAt(rt, seconds(30));
  expect(graph.sentMail).toHaveLength(0);
  await checkAt(rt, seconds(61));
  await checkAt(rt, seconds(120));
  expect([graph.sentMail.length, teams.received.length, hook.received.length]).toEqual([1, 1, 1]);
});

test('past the check budget no send starts: the alert waits for the next run', async () => {
  const e = env();
  const rt = testRuntime(e);
  await checkAt(testRuntime({ ...e, TEAMS_WEBHOOK_URL: '', WEBHOOK_URL: '', WEBHOOK_SECRET: '' }), T);
  const [entry] = await rt.store.outbox.pending();
  const late = await deliverOne(rt.store.outbox, entry!, rt.channels, () => T, rt.redact, { stopAt: T.getTime() - 1 });
  expect(late.channels.map((c) => c.outcome)).toEqual(['skipped', 'skipped']);
  expect([teams.attempts, hook.attempts]).toEqual([0, 0]);
  await checkAt(rt, seconds(60));
  expect([teams.received.length, hook.received.length]).toEqual([1, 1]);
});
