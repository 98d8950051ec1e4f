import { expect, test } from 'vitest';
import { apnsCertificate } from '../doubles/graphDouble';
import { checkAt, storageEnv, testRuntime, useDoubles } from '../support/harness';

const { graph, hook } = useDoubles();

test('overlapping runs (two hosts, same storage) raise and send an alert once', async () => {
  graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
  const env = { ...graph.env(), ...storageEnv(), WEBHOOK_URL: hook.url(), WEBHOOK_SECRET: 'y'.repeat(32) };
  const runtimes = Array.from({ length: 4 }, () => testRuntime(env));
  const now = new Date('2026-12-26T10:00:00Z');
  const results = await Promise.all(runtimes.map((rt) => checkAt(rt, now)));
  expect(results.flatMap((r) => r.alerts).map((a) => a.kind)).toEqual(['expiring']);
  expect(hook.events().map((e) => e['kind'])).toEqual(['expiring']);
  // Later checks have nothing new to send.
  await checkAt(runtimes[0]!, new Date(now.getTime() + 3_600_000));
  expect(hook.received).toHaveLength(1);
});

test('a failed-for-good channel is not retried at the same target, but is once the target changes', async () => {
  graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
  const storage = storageEnv();
  const now = new Date('2026-12-26T10:00:00Z');
  hook.received.length = 0;
  hook.script.push({ status: 410 });
  const gone = testRuntime({ ...graph.env(), ...storage, WEBHOOK_URL: hook.url('/old'), WEBHOOK_SECRET: 'z'.repeat(32) });
  const first = await checkAt(gone, now);
  expect(first.deliveries[0]!.channels).toEqual([{ channel: 'webhook', outcome: 'failed-for-good', detail: 'webhook answered 410 Gone' }]);
  await checkAt(gone, new Date(now.getTime() + 3_600_000));
  expect(hook.received).toHaveLength(0);
  const fixed = testRuntime({ ...graph.env(), ...storage, WEBHOOK_URL: hook.url('/new'), WEBHOOK_SECRET: 'z'.repeat(32) });
  await checkAt(fixed, new Date(now.getTime() + 7_200_000));
  expect(hook.received.map((r) => r.path)).toEqual(['/new']);
});

test('20 simultaneous checks (separate processes, as the CLI runs them): none reports UNKNOWN, the alert goes out once', async () => {
  const { main } = await import('../../src/cli/main');
  const { createRuntime } = await import('../../src/app/runtime');
  hook.received.length = 0;
  graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
  const env = { ...graph.env(), ...storageEnv(), WEBHOOK_URL: hook.url('/twenty'), WEBHOOK_SECRET: 'w'.repeat(32) };
  const now = new Date('2026-12-26T10:00:00Z');
  const runs = Array.from({ length: 20 }, async () => {
    const out: string[] = [];
    const code = await main(['check'], { env, now: () => now, stdout: (t) => void out.push(t), stderr: () => undefined, runtime: (e) => createRuntime(e, { graph: { retryDelaySeconds: 0 } }) });
    return { code, line: out.join('\n') };
  });
  const results = await Promise.all(runs);
  expect(results.filter((r) => r.code !== 1)).toEqual([]);
  expect(hook.events().map((e) => e['kind'])).toEqual(['expiring']);
});

test('20 simultaneous /api/status?refresh=true: all answer 200 with the same status', async () => {
  const { HttpRequest, InvocationContext } = await import('@azure/functions');
  const { makeStatusHandlers } = await import('../../src/app/statusHandlers');
  graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
  const env = { ...graph.env(), ...storageEnv(), WEBHOOK_URL: hook.url('/refresh'), WEBHOOK_SECRET: 'r'.repeat(32) };
  const now = new Date('2026-12-26T10:00:00Z');
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => {
      const rt = testRuntime(env);
      const request = new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/status?refresh=true', query: { refresh: 'true' } });
      return makeStatusHandlers(() => rt, () => now).status(request, new InvocationContext({ functionName: 'status', logHandler: () => undefined }));
    }),
  );
  expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
  expect(new Set(answers.map((a) => (a.jsonBody as { status: string }).status))).toEqual(new Set(['warning']));
});

test('60 overlapping hosts with three channels: every channel receives the alert exactly once', async () => {
  const teams = new (await import('../doubles/webhookReceiver')).WebhookReceiver();
  await teams.start();
  try {
    hook.received.length = 0;
    graph.sentMail.length = 0;
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
    const env = { ...graph.env(), ...storageEnv(), WEBHOOK_URL: hook.url('/sixty'), WEBHOOK_SECRET: 's'.repeat(32), TEAMS_WEBHOOK_URL: teams.url('/teams'), EMAIL_FROM: 'apns@contoso.com', EMAIL_TO: 'admins@contoso.com' };
    const now = new Date('2026-12-26T10:00:00Z');
    const results = await Promise.all(Array.from({ length: 60 }, () => checkAt(testRuntime(env), now)));
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(['warning']));
    // A later run finishes whatever an overlapping run still held.
    await checkAt(testRuntime(env), new Date(now.getTime() + 3_600_000));
    expect([hook.received.length, teams.received.length, graph.sentMail.length]).toEqual([1, 1, 1]);
  } finally {
    await teams.close();
  }
});
