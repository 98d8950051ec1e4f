import { HttpRequest, InvocationContext } from '@azure/functions';
import { expect, test } from 'vitest';
import { defineFunctions } from '../../src/app/functionDefinitions';
import { createRuntime } from '../../src/app/runtime';
import { sampleEvents } from '../support/sampleEvents';

const misconfigured = () => createRuntime({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', THRESHOLD_DAYS: 'soon' });

function context(lines: string[]) {
  return new InvocationContext({ functionName: 'x', logHandler: (level, ...args) => void lines.push(`${level} ${args.join(' ')}`) });
}

test('a bad setting is one log line in Azure: HTTP 500 without the value, the timer fails with the message only', async () => {
  const functions = defineFunctions(misconfigured);
  for (const fn of functions.http) {
    const lines: string[] = [];
    // A request each function accepts, so it gets as far as needing the settings.
    const request =
      fn.name === 'notify' || fn.name === 'notifySigned'
        ? new HttpRequest({ method: 'POST', url: `http://127.0.0.1/api/${fn.route}`, body: { string: JSON.stringify(sampleEvents()[0]) } })
        : fn.name === 'ack'
          ? new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/ack', body: { string: JSON.stringify({ id: 'apns-removed-0a1b2c3d-000001' }) } })
          : fn.name === 'testAlert'
            ? new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/test-alert' })
            : new HttpRequest({ method: 'GET', url: `http://127.0.0.1/api/${fn.route}` });
    const res = await fn.handler(request, context(lines));
    expect(res).toMatchObject({ status: 500, jsonBody: { error: 'the monitor is misconfigured: see the function log' } });
    expect(lines).toEqual(['error Invalid setting THRESHOLD_DAYS="soon": expected a comma-separated list of whole days from 1 to 365, e.g. 60,30,14,7,3,1']);
  }
  const lines: string[] = [];
  const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
  const failure = await Promise.resolve(functions.timers[0]!.handler(timer, context(lines))).catch((e: unknown) => e as Error);
  expect(failure).toBeInstanceOf(Error);
  expect((failure as Error).stack).toBe((failure as Error).message);
  expect(lines).toHaveLength(1);
});

test('a malformed storage connection string is one log line in Azure that names the setting, never the key', async () => {
  const key = 'c2VjcmV0LWtleS12YWx1ZQ==';
  const functions = defineFunctions(() => createRuntime({ AzureWebJobsStorage: `DefaultEndpointsProtocol=https;AccountName=acct01;AccountKey=${key};TableEndpoint=acct01.table.core.windows.net` }));
  const status = functions.http.find((fn) => fn.route === 'status')!;
  const lines: string[] = [];
  const res = await status.handler(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/status' }), context(lines));
  expect(res).toMatchObject({ status: 500 });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error Invalid setting AzureWebJobsStorage: expected a storage connection string .* but TableEndpoint must be an http\(s\) URL$/);
  expect(lines[0]).not.toContain(key);
});
