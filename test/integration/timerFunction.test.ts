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

test('every run ends with the watchdog record: success only when the certificate was read', async () => {
  const { CHECK_RECORD_MARKER } = await import('../../src/app/checkRecord');
  const records = (lines: string[]) => lines.filter((l) => l.startsWith(`information ${CHECK_RECORD_MARKER} `)).map((l) => JSON.parse(l.slice(`information ${CHECK_RECORD_MARKER} `.length)) as Record<string, unknown>);

  graph.certificate = apnsCertificate(new Date(Date.now() + 200 * 86_400_000).toISOString());
  const good: string[] = [];
  await makeCheckTimerHandler(() => testRuntime({ ...graph.env(), ...storageEnv() }))(timer(false), context(good));
  expect(records(good)).toEqual([{ success: true, status: 'ok', daysRemaining: expect.any(Number) as unknown, alerts: 0, undelivered: 0, checkedAt: expect.any(String) as unknown }]);

  graph.certificateScript.push({ status: 403 });
  const bad: string[] = [];
  await makeCheckTimerHandler(() => testRuntime({ ...graph.env(), ...storageEnv() }))(timer(false), context(bad));
  expect(records(bad)).toEqual([expect.objectContaining({ success: false, status: 'unknown' })]);
  // The record carries no free text: the error (redacted) stays on its own line.
  expect(bad.find((l) => l.includes(CHECK_RECORD_MARKER))).not.toContain('DeviceManagementServiceConfig');
});
