import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { makeCheckTimerHandler } from '../../src/app/checkHandler';
import { apnsCertificate, GraphDouble } from '../doubles/graphDouble';
import { storageEnv, testRuntime } from '../support/harness';

const graph = new GraphDouble();
beforeAll(async () => void (await graph.start()));
afterAll(() => graph.close());

function context(lines: string[]) {
  return new InvocationContext({ invocationId: 'test-invocation', functionName: 'checkCertificate', logHandler: (level, ...args) => void lines.push(`${level} ${args.join(' ')}`) });
}

const timer = (isPastDue: boolean) => ({ isPastDue, schedule: { adjustForDST: true }, scheduleStatus: { last: '', next: '', lastUpdated: '' } });

test('the timer function runs the same check and records it', async () => {
  graph.certificate = apnsCertificate(new Date(Date.now() + 20 * 86_400_000).toISOString());
  const runtime = testRuntime({ ...graph.env(), ...storageEnv() });
  const lines: string[] = [];
  await makeCheckTimerHandler(() => runtime)(timer(true), context(lines));
  expect(lines).toContain('warning check: the timer is past due; checking now');
  expect(lines.some((l) => /^information check: status=warning daysRemaining=(19|20) alerts=1$/.test(l))).toBe(true);
  const { lastCheck } = await runtime.store.loadState();
  expect(lastCheck?.status).toBe('warning');
});

test('a failed read is logged as an error, not thrown', async () => {
  graph.certificateScript.push({ status: 403 });
  const runtime = testRuntime({ ...graph.env(), ...storageEnv() });
  const lines: string[] = [];
  await makeCheckTimerHandler(() => runtime)(timer(false), context(lines));
  expect(lines.some((l) => l.startsWith('error check: status=unknown') && l.includes('DeviceManagementServiceConfig.Read.All'))).toBe(true);
});
