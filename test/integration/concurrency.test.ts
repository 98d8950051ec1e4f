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
