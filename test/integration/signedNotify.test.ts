import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defineFunctions } from '../../src/app/functionDefinitions';
import type { Runtime } from '../../src/app/runtime';
import { loadConfig } from '../../src/config';
import { createLocalHttpHost } from '../../src/localHost/httpHost';
import { verify } from '../../src/notify/standardWebhooks';
import { WebhookNotifier } from '../../src/notify/webhook';
import { apnsCertificate } from '../doubles/graphDouble';
import { WebhookReceiver } from '../doubles/webhookReceiver';
import { sampleEvents } from '../support/sampleEvents';
import { checkAt, storageEnv, testRuntime, useDoubles } from '../support/harness';

/**
 * The first-deploy path without function keys: the check signs its posts with
 * NOTIFY_SIGNING_SECRET, the anonymous /api/notify/signed route verifies them, and /api/notify with
 * a function key keeps working for other senders. Served by the local host, as in Azure.
 */

const { graph, hook } = useDoubles();
const capture = new WebhookReceiver();
beforeAll(async () => void (await capture.start()));
afterAll(() => capture.close());

const SIGNING_SECRET = 'b6f8a2c4-1d3e-4f5a-8b7c-9d0e1f2a3b4c';
const FUNCTION_KEY = 'the-function-key-123';

async function withHost<T>(runtime: Runtime, now: () => Date, use: (base: string) => Promise<T>): Promise<T> {
  const host = createLocalHttpHost({ functions: defineFunctions(() => runtime, now).http, key: FUNCTION_KEY, log: () => undefined });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  try {
    return await use(`http://127.0.0.1:${(host.address() as AddressInfo).port}`);
  } finally {
    host.closeAllConnections();
    await new Promise<void>((resolve) => host.close(() => resolve()));
  }
}

function receiverEnv(): Record<string, string> {
  return { ...graph.env(), ...storageEnv(), WEBHOOK_URL: hook.url('/hook'), WEBHOOK_SECRET: 'notify-webhook-secret-value', NOTIFY_SIGNING_SECRET: SIGNING_SECRET };
}

describe('the check posts signed, with no function key', () => {
  test('delivered through /api/notify/signed; a replay after 5 minutes is refused with 401; the key route still works', async () => {
    hook.received.length = 0;
    let clock: Date | null = null;
    const notifyRuntime = testRuntime(receiverEnv());
    await withHost(notifyRuntime, () => clock ?? new Date(), async (base) => {
      graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
      const checkEnv = { ...graph.env(), ...storageEnv(), NOTIFY_URL: `${base}/api/notify/signed`, NOTIFY_SIGNING_SECRET: SIGNING_SECRET };
      const checked = await checkAt(testRuntime(checkEnv), new Date('2026-12-26T10:00:00Z'));
      expect(checked.deliveries[0]!.channels).toEqual([{ channel: 'notify', outcome: 'delivered', detail: null }]);
      expect(hook.events()).toEqual([expect.objectContaining({ kind: 'expiring' })]);

      // Capture what the check sends, exactly as it would go over the wire.
      const captured = await checkAt(testRuntime({ ...checkEnv, ...storageEnv(), NOTIFY_URL: capture.url('/capture') }), new Date('2026-12-26T10:00:00Z'));
      expect(captured.alerts).toHaveLength(1);
      const sent = capture.received.at(-1)!;
      expect(sent.headers['x-functions-key']).toBeUndefined();
      const replay = (at: Date | null, body = sent.body) => {
        clock = at;
        return fetch(`${base}/api/notify/signed`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'webhook-id': String(sent.headers['webhook-id']), 'webhook-timestamp': String(sent.headers['webhook-timestamp']), 'webhook-signature': String(sent.headers['webhook-signature']) },
          body,
        });
      };
      const sentAt = new Date(Number(sent.headers['webhook-timestamp']) * 1000);

      // The captured request arrives (its alert is another occurrence, from another store: delivered once).
      const first = await replay(new Date(sentAt.getTime() + 30_000));
      expect(first.status).toBe(202);
      expect(hook.received).toHaveLength(2);
      // Within the tolerance a replay is only the same event again: the delivery log sends it to no channel twice.
      const again = await replay(new Date(sentAt.getTime() + 60_000));
      expect(again.status).toBe(200);
      expect(((await again.json()) as { duplicate: boolean }).duplicate).toBe(true);
      expect(hook.received).toHaveLength(2);

      const late = await replay(new Date(sentAt.getTime() + 5 * 60_000 + 1000));
      expect(late.status).toBe(401);
      expect(((await late.json()) as { error: string }).error).toMatch(/webhook-timestamp is more than 300 seconds from now/);

      const tampered = await replay(new Date(sentAt.getTime() + 1000), sent.body.replace('"expiring"', '"renewed"'));
      expect(tampered.status).toBe(401);
      const unsigned = await fetch(`${base}/api/notify/signed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent.body });
      expect(unsigned.status).toBe(401);
      expect(hook.received).toHaveLength(2);

      // Other senders: the function key on /api/notify, as before; without it the host refuses.
      clock = null;
      const test = JSON.stringify(sampleEvents().find((e) => e.kind === 'test'));
      const keyed = await fetch(`${base}/api/notify`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-functions-key': FUNCTION_KEY }, body: test });
      expect(keyed.status).toBe(202);
      const keyless = await fetch(`${base}/api/notify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: test });
      expect(keyless.status).toBe(401);
      expect(hook.received).toHaveLength(3);
    });
  });

  test('without NOTIFY_SIGNING_SECRET on the function, signed requests are refused, not trusted', async () => {
    const env = receiverEnv();
    delete (env as Record<string, string | undefined>)['NOTIFY_SIGNING_SECRET'];
    await withHost(testRuntime(env), () => new Date(), async (base) => {
      const checkEnv = { ...graph.env(), ...storageEnv(), NOTIFY_URL: `${base}/api/notify/signed`, NOTIFY_SIGNING_SECRET: SIGNING_SECRET };
      graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
      const checked = await checkAt(testRuntime(checkEnv), new Date('2026-12-26T10:00:00Z'));
      expect(checked.deliveries[0]!.channels[0]).toMatchObject({ outcome: 'failed-for-good', detail: expect.stringMatching(/^notify function answered 401.*signed requests are not accepted/) as unknown });
    });
  });
});

describe('settings', () => {
  test('in Azure, a signing secret sends the check to its own /api/notify/signed; no NOTIFY_KEY needed', () => {
    const config = loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', WEBSITE_HOSTNAME: 'func-apns.azurewebsites.net', NOTIFY_SIGNING_SECRET: SIGNING_SECRET });
    expect(config.notify).toEqual({ url: 'https://func-apns.azurewebsites.net/api/notify/signed', key: null, signingSecret: SIGNING_SECRET });
    expect(config.notifySigningSecret).toBe(SIGNING_SECRET);
  });

  test('in Azure with neither a secret nor a key: one line naming NOTIFY_SIGNING_SECRET', () => {
    expect(() => loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', WEBSITE_HOSTNAME: 'func-apns.azurewebsites.net' })).toThrow(/^Invalid setting NOTIFY_SIGNING_SECRET: expected the secret that signs posts to https:\/\/func-apns\.azurewebsites\.net\/api\/notify\/signed/);
    expect(() => loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', WEBSITE_HOSTNAME: 'h.example', NOTIFY_SIGNING_SECRET: 'short' })).toThrow(/NOTIFY_SIGNING_SECRET: expected a signing secret of at least 16 characters$/);
  });
});

describe('the webhook channel offers the same scheme', () => {
  const event = sampleEvents().find((e) => e.kind === 'expiring')!;
  const secret = 'webhook-secret-of-length';

  test.each([
    ['both', true, true],
    ['standard', false, true],
    ['github', true, false],
  ] as const)('WEBHOOK_SIGNATURE=%s', async (scheme, github, standard) => {
    hook.received.length = 0;
    const config = loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', WEBHOOK_URL: hook.url('/hook'), WEBHOOK_SECRET: secret, WEBHOOK_SIGNATURE: scheme });
    expect(await new WebhookNotifier(config.webhook!).notify(event)).toEqual({ result: 'delivered' });
    const got = hook.received[0]!;
    expect(got.headers['x-signature-256'] !== undefined).toBe(github);
    expect(got.headers['webhook-signature'] !== undefined).toBe(standard);
    if (standard) {
      const h = new Headers(Object.entries(got.headers).map(([k, v]) => [k, String(v)] as [string, string]));
      // The id is the event id, the same on every retry, so receivers can drop duplicates.
      expect(verify(secret, h, got.body)).toEqual({ ok: true, id: event.id, timestamp: expect.any(Number) as unknown });
    }
  });

  test('an unknown scheme is refused, naming the setting', () => {
    expect(() => loadConfig({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', WEBHOOK_URL: hook.url('/hook'), WEBHOOK_SECRET: secret, WEBHOOK_SIGNATURE: 'hmac' })).toThrow(/^Invalid setting WEBHOOK_SIGNATURE="hmac": expected github, standard or both$/);
  });
});

describe('fuzz: /api/notify/signed never answers 5xx', () => {
  test('random methods, headers and bodies, some validly signed', async () => {
    const { HttpRequest, InvocationContext } = await import('@azure/functions');
    const { makeSignedNotifyHandler } = await import('../../src/app/signedNotifyHandler');
    const { signedHeaders } = await import('../../src/notify/standardWebhooks');
    const runtime = testRuntime(receiverEnv());
    const handler = makeSignedNotifyHandler(() => runtime);
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const pieces = ['{', '}', '"id"', ':', '"x"', ',', '[', ']', 'null', '\u0000', '\ud800', '"kind":"expiring"', ' ', '1e999', '"'];
    const valid = JSON.stringify(sampleEvents()[0]);
    for (let i = 0; i < 150; i++) {
      const body = rand(4) === 0 ? valid.slice(0, rand(valid.length)) : Array.from({ length: rand(20) }, () => pieces[rand(pieces.length)]).join('');
      const method = ['POST', 'POST', 'GET', 'PUT', 'DELETE'][rand(5)]!;
      const headers: Record<string, string> =
        rand(2) === 0
          ? { ...signedHeaders(SIGNING_SECRET, body) }
          : { 'webhook-id': pieces[rand(pieces.length)]!.replace(/[\u0000\ud800]/g, ''), 'webhook-timestamp': String(rand(2 ** 31)), 'webhook-signature': `v1,${'A'.repeat(rand(60))}` };
      if (rand(5) === 0) headers['content-length'] = String(rand(10_000_000));
      const request = new HttpRequest({ method, url: 'http://127.0.0.1/api/notify/signed', headers, ...(method === 'GET' ? {} : { body: { string: body } }) });
      const context = new InvocationContext({ invocationId: 'fuzz', functionName: 'notifySigned', logHandler: () => undefined });
      const res = await handler(request, context);
      expect(res.status ?? 200, `${method} ${JSON.stringify(headers)} ${JSON.stringify(body)}`).toBeLessThan(500);
    }
  });
});
