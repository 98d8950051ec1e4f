import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { main } from '../../src/cli/main';
import { createRuntime } from '../../src/app/runtime';
import { apnsCertificate } from '../doubles/graphDouble';
import { CountingProxy } from '../doubles/countingProxy';
import { checkAt, testRuntime, uniquePrefix, useDoubles } from '../support/harness';

/**
 * Issue 14 item 2: the Table round trips of a check, counted by a proxy in front of Azurite (method and
 * path of every request; the table prefix is cut). Graph requests are counted at the Graph double.
 */
const { graph, hook } = useDoubles();
let proxy: CountingProxy;

beforeAll(async () => {
  const port = Number(/TableEndpoint=http:\/\/127\.0\.0\.1:(\d+)\//.exec(inject('azuriteConnectionString'))![1]);
  proxy = new CountingProxy(port);
  await proxy.start();
});
afterAll(() => proxy.close());

function setup(extra: Record<string, string> = {}) {
  const prefix = uniquePrefix();
  const env = { ...graph.env(), AzureWebJobsStorage: proxy.connectionString(inject('azuriteConnectionString')), TABLE_PREFIX: prefix, WATCH: 'apns', WEBHOOK_URL: hook.url('/trips'), WEBHOOK_SECRET: 't'.repeat(32), ...extra };
  return { prefix, env };
}

const graphReads = () => graph.requests.filter((r) => !r.path.includes('/oauth2/')).length;

/** One CLI process: its own runtime, so its own table clients, as `apns-monitor check` has. */
async function cliCheck(env: Record<string, string>, at: Date): Promise<number> {
  return main(['check'], { env, now: () => at, stdout: () => undefined, stderr: () => undefined, runtime: (e) => createRuntime(e, { graph: { retryDelaySeconds: 0, networkRetryDelayMs: 10 } }) });
}

describe('round trips of a check', () => {
  test('steady state, push certificate only, nothing to alert or deliver: 1 Graph request, 2 Table requests', async () => {
    graph.certificate = apnsCertificate('2027-09-01T00:00:00Z');
    const { prefix, env } = setup();
    const rt = testRuntime(env);
    await checkAt(rt, new Date('2026-12-26T10:00:00Z'));
    proxy.take(prefix);
    const graphBefore = graphReads();
    const result = await checkAt(rt, new Date('2026-12-26T16:00:00Z'));
    expect(result.status).toBe('ok');
    expect(graphReads() - graphBefore).toBe(1);
    expect(proxy.take(prefix)).toEqual(["GET /State(PartitionKey='apns',RowKey='state')", 'POST /$batch']);
  });

  test('a CLI process in steady state adds no table-existence round trip', async () => {
    graph.certificate = apnsCertificate('2027-09-01T00:00:00Z');
    const { prefix, env } = setup();
    expect(await cliCheck(env, new Date('2026-12-26T10:00:00Z'))).toBe(0);
    proxy.take(prefix);
    expect(await cliCheck(env, new Date('2026-12-26T16:00:00Z'))).toBe(0);
    expect(proxy.take(prefix)).toEqual(["GET /State(PartitionKey='apns',RowKey='state')", 'POST /$batch']);
  });

  test('a CLI process on new storage creates each table once, when it first writes to it', async () => {
    graph.certificate = apnsCertificate('2027-09-01T00:00:00Z');
    const { prefix, env } = setup();
    expect(await cliCheck(env, new Date('2026-12-26T10:00:00Z'))).toBe(0);
    const requests = proxy.take(prefix);
    expect(requests).toEqual([
      "GET /State(PartitionKey='apns',RowKey='state')",
      // The first write to each table finds it missing, creates it and writes again.
      'POST /$batch',
      'POST /Tables',
      'POST /$batch',
      'POST /$batch',
      'POST /Tables',
      'POST /$batch',
      // A new state row does not know yet whether an earlier life left alerts queued: it looks once.
      'GET /State()',
      "PATCH /State(PartitionKey='apns',RowKey='state')",
      // The first check's purge (nothing to delete yet), remembered for a day.
      'GET /History()',
      'GET /State()',
      "PATCH /State(PartitionKey='apns',RowKey='state')",
    ]);
  });

  test('a check that raises an alert: the alert is committed with the state, recorded and delivered once', async () => {
    graph.certificate = apnsCertificate('2027-09-01T00:00:00Z');
    const { prefix, env } = setup();
    const rt = testRuntime(env);
    await checkAt(rt, new Date('2026-12-26T10:00:00Z'));
    proxy.take(prefix);
    hook.received.length = 0;
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
    const result = await checkAt(rt, new Date('2026-12-26T16:00:00Z'));
    expect(result.alerts.map((a) => a.kind)).toEqual(['expiring']);
    expect(hook.received).toHaveLength(1);
    const id = result.alerts[0]!.id;
    expect(proxy.take(prefix)).toEqual([
      "GET /State(PartitionKey='apns',RowKey='state')",
      // The silences in force: read only because this check raised an alert.
      'GET /State()',
      // The state and the new alert's outbox row, under the state's ETag.
      'POST /$batch',
      // History and the last-check row.
      'POST /$batch',
      // The outbox, read because the state row names an alert to deliver; the webhook's claim and result.
      'GET /State()',
      `PATCH /State(PartitionKey='apns',RowKey='alert-${id}')`,
      `PATCH /State(PartitionKey='apns',RowKey='alert-${id}')`,
      // The channels' health (issue 15): read, and the webhook's record written (created, the first time).
      'GET /State()',
      'POST /State',
      // Nothing is pending any more: the next checks skip the outbox.
      "PATCH /State(PartitionKey='apns',RowKey='state')",
    ]);
    // Nothing is left pending, so the next check is back to two.
    await checkAt(rt, new Date('2026-12-26T22:00:00Z'));
    expect(proxy.take(prefix)).toEqual(["GET /State(PartitionKey='apns',RowKey='state')", 'POST /$batch']);
  });
});

describe('pending deliveries without a scan', () => {
  test('an alert a channel could not take stays named on the state: the next check reads the outbox and sends it, then stops reading it', async () => {
    graph.certificate = apnsCertificate('2027-09-01T00:00:00Z');
    const { prefix, env } = setup({ WEBHOOK_URL: hook.url('/later') });
    const rt = testRuntime(env);
    await checkAt(rt, new Date('2026-12-26T10:00:00Z'));
    hook.received.length = 0;
    hook.script.push({ status: 503 });
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
    const first = await checkAt(rt, new Date('2026-12-26T16:00:00Z'));
    expect(first.deliveries.map((d) => d.pending)).toEqual([true]);
    expect(hook.received).toHaveLength(0);
    proxy.take(prefix);

    const second = await checkAt(rt, new Date('2026-12-26T22:00:00Z'));
    expect(second.alerts).toEqual([]);
    expect(second.deliveries.map((d) => [d.alert.id, d.pending])).toEqual([[first.alerts[0]!.id, false]]);
    expect(hook.received.map((r) => r.path)).toEqual(['/later']);
    expect(proxy.take(prefix)).toContain('GET /State()');

    await checkAt(rt, new Date('2026-12-27T04:00:00Z'));
    expect(proxy.take(prefix)).toEqual(["GET /State(PartitionKey='apns',RowKey='state')", 'POST /$batch']);
    expect(hook.received).toHaveLength(1);
  });

  test('data written by the previous version: its last check is shown, its queued alert is delivered, then the check settles at two requests', async () => {
    const { TableClient } = await import('@azure/data-tables');
    const { makeStatusHandlers } = await import('../../src/app/statusHandlers');
    const { HttpRequest, InvocationContext } = await import('@azure/functions');
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
    const { prefix, env } = setup({ WEBHOOK_URL: hook.url('/legacy') });
    // What the version before issue 14 left: last check on the state row, no pending set, an alert still queued.
    const rt0 = testRuntime(env);
    const first = await checkAt(rt0, new Date('2026-12-26T10:00:00Z'));
    const state = TableClient.fromConnectionString(env.AzureWebJobsStorage, `${prefix}State`, { allowInsecureConnection: true });
    const history = TableClient.fromConnectionString(env.AzureWebJobsStorage, `${prefix}History`, { allowInsecureConnection: true });
    const row = await state.getEntity<Record<string, unknown>>('apns', 'state');
    const legacyCheck = JSON.stringify({ checkedAt: '2026-12-26T10:00:00.000Z', status: 'warning', daysRemaining: 10, certificate: first.certificate, error: null, lastGoodCheckAt: '2026-12-26T10:00:00.000Z', alertIds: [] });
    await state.upsertEntity({ partitionKey: 'apns', rowKey: 'state', state: row['state'] as string, lastCheck: legacyCheck, lastGoodCheck: legacyCheck, deliveryFailures: '[]' }, 'Replace');
    await history.deleteEntity('apns', 'last-check');
    await state.updateEntity({ partitionKey: 'apns', rowKey: `alert-${first.alerts[0]!.id}`, pending: true, deliveries: '{}', claims: '{}' }, 'Merge');
    hook.received.length = 0;

    const rt = testRuntime(env);
    const status = await makeStatusHandlers(() => rt, () => new Date('2026-12-26T11:00:00Z')).status(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/status' }), new InvocationContext({ functionName: 'status', logHandler: () => undefined }));
    expect(status.jsonBody).toMatchObject({ status: 'warning', checkedAt: '2026-12-26T10:00:00.000Z', lastGoodCheckAt: '2026-12-26T10:00:00.000Z' });

    const upgraded = await checkAt(rt, new Date('2026-12-26T16:00:00Z'));
    expect(upgraded.deliveries.map((d) => d.alert.id)).toEqual([first.alerts[0]!.id]);
    expect(hook.received.map((r) => r.path)).toEqual(['/legacy']);
    proxy.take(prefix);
    await checkAt(rt, new Date('2026-12-26T22:00:00Z'));
    expect(proxy.take(prefix)).toEqual(["GET /State(PartitionKey='apns',RowKey='state')", 'POST /$batch']);
  });
});

describe('the read path', () => {
  async function view(rt: ReturnType<typeof testRuntime>, name: 'status' | 'badge' | 'metrics', at: Date, query: Record<string, string> = {}) {
    const { makeStatusHandlers } = await import('../../src/app/statusHandlers');
    const { HttpRequest, InvocationContext } = await import('@azure/functions');
    return makeStatusHandlers(() => rt, () => at)[name](new HttpRequest({ method: 'GET', url: `http://127.0.0.1/api/${name}`, query }), new InvocationContext({ functionName: name, logHandler: () => undefined }));
  }

  test('status, badge and metrics read storage once for many requests; a check by this process, or ?refresh=true, reads again', async () => {
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
    const { prefix, env } = setup();
    const rt = testRuntime(env);
    const at = new Date('2026-12-26T10:00:00Z');
    await checkAt(rt, at);
    proxy.take(prefix);

    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => view(rt, (['status', 'badge', 'metrics'] as const)[i % 3]!, new Date(at.getTime() + 60_000))));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    // The state, the last check, the silences and the channels' health, each once.
    const reads = ["GET /State(PartitionKey='apns',RowKey='state')", "GET /History(PartitionKey='apns',RowKey='last-check')", 'GET /State()', 'GET /State()'];
    expect(proxy.take(prefix).sort()).toEqual(reads.sort());
    // Time left is still computed at each request's own time.
    expect((await view(rt, 'status', new Date('2026-12-31T10:00:00Z'))).jsonBody).toMatchObject({ daysRemaining: 5 });
    expect(proxy.take(prefix)).toEqual([]);

    // This process records an acknowledgement-free change (a check that finds a renewed certificate): status shows it at once.
    graph.certificate = apnsCertificate('2027-06-01T00:00:00Z');
    await checkAt(rt, new Date(at.getTime() + 90_000));
    expect((await view(rt, 'status', new Date(at.getTime() + 90_000))).jsonBody).toMatchObject({ status: 'ok', checkedAt: new Date(at.getTime() + 90_000).toISOString() });
    proxy.take(prefix);

    // ?refresh=true checks Graph and shows what that check found, whatever is cached.
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
    expect((await view(rt, 'status', new Date(at.getTime() + 120_000), { refresh: 'true' })).jsonBody).toMatchObject({ status: 'warning', checkedAt: new Date(at.getTime() + 120_000).toISOString() });
  });

  test('the dashboard reads the history window once for many requests; a check by this process, or ?refresh=true, reads again', async () => {
    const { makeStatusHandlers } = await import('../../src/app/statusHandlers');
    const { HttpRequest } = await import('@azure/functions');
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
    const { prefix, env } = setup();
    const rt = testRuntime(env);
    const at = new Date('2026-12-26T10:00:00Z');
    await checkAt(rt, at);
    let clock = at;
    const handlers = makeStatusHandlers(() => rt, () => clock);
    const page = (when: Date, query: Record<string, string> = {}) => {
      clock = when;
      return handlers.dashboard(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/dashboard', query }));
    };
    const historyQueries = (taken: string[]) => taken.filter((r) => r === 'GET /History()').length;
    proxy.take(prefix);

    const answers = await Promise.all(Array.from({ length: 20 }, () => page(new Date(at.getTime() + 60_000))));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(historyQueries(proxy.take(prefix))).toBe(1);
    expect(String(answers[0]!.body)).toContain('data-points="1"');

    // A check by this process shows on the next page, its row in the chart.
    await checkAt(rt, new Date(at.getTime() + 90_000));
    proxy.take(prefix);
    const after = await page(new Date(at.getTime() + 100_000));
    expect(String(after.body)).toContain('data-points="2"');
    expect(historyQueries(proxy.take(prefix))).toBe(1);
    await page(new Date(at.getTime() + 110_000));
    expect(historyQueries(proxy.take(prefix))).toBe(0);

    // A page is reused within its second only: the next second's says when it was rendered.
    const sameSecond = await page(new Date(at.getTime() + 110_500));
    const nextSecond = await page(new Date(at.getTime() + 111_000));
    expect(String(sameSecond.body)).toContain(new Date(at.getTime() + 110_000).toISOString());
    expect(String(nextSecond.body)).toContain(new Date(at.getTime() + 111_000).toISOString());

    // ?refresh=true reads afresh; a refresh that is neither true nor false is refused by name.
    await page(new Date(at.getTime() + 120_000), { refresh: 'true' });
    expect(historyQueries(proxy.take(prefix))).toBe(1);
    const refused = await page(new Date(at.getTime() + 120_000), { refresh: 'yes' });
    expect(refused.status).toBe(400);
    expect(refused.jsonBody).toMatchObject({ field: 'refresh' });
  });

  test('the schedule is evaluated once per hour for any number of status requests', async () => {
    const ncrontab = await import('../../src/schedule/ncrontab');
    const { vi } = await import('vitest');
    const { staleAfterMs } = await import('../../src/status/statusDocument');
    const spy = vi.spyOn(ncrontab, 'longestInterval');
    const at = new Date('2030-02-03T10:00:00Z');
    const values = Array.from({ length: 50 }, (_, i) => staleAfterMs('0 15 */3 * * *', new Date(at.getTime() + i * 1000)));
    expect(new Set(values)).toEqual(new Set([6 * 3_600_000]));
    expect(spy).toHaveBeenCalledTimes(1);
    staleAfterMs('0 15 */3 * * *', new Date(at.getTime() + 3_600_000));
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });
});
