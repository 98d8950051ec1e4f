import { addDays, addHours, subDays } from 'date-fns';
import { TableClient } from '@azure/data-tables';
import { describe, expect, test } from 'vitest';
import { apnsCertificate } from '../doubles/graphDouble';
import { checkAt, MemoryLogger, storageEnv, testRuntime, useDoubles } from '../support/harness';
import type { Runtime } from '../../src/app/runtime';
import type { CheckRecord } from '../../src/storage/records';
import { MAX_PURGE_ROWS_PER_RUN } from '../../src/check/retention';

/** Issue 14 item 4: history and delivered alerts stop growing, end to end against Azurite. */
const { graph, hook } = useDoubles();

function check(at: Date): CheckRecord {
  return { checkedAt: at.toISOString(), status: 'ok', daysRemaining: 200, certificate: null, error: null, lastGoodCheckAt: at.toISOString(), alertIds: [] };
}

/** Every history row, the last-check row included, straight from the table. */
async function historyRows(env: Record<string, string>): Promise<string[]> {
  const client = TableClient.fromConnectionString(env.AzureWebJobsStorage!, `${env.TABLE_PREFIX}History`, { allowInsecureConnection: true });
  const keys: string[] = [];
  for await (const e of client.listEntities()) keys.push(e.rowKey!);
  return keys;
}

async function outboxRows(env: Record<string, string>): Promise<Array<{ id: string; pending: boolean }>> {
  const client = TableClient.fromConnectionString(env.AzureWebJobsStorage!, `${env.TABLE_PREFIX}State`, { allowInsecureConnection: true });
  const rows: Array<{ id: string; pending: boolean }> = [];
  for await (const e of client.listEntities<{ pending: boolean }>()) if (e.rowKey!.startsWith('alert-')) rows.push({ id: e.rowKey!.slice(6), pending: e.pending });
  return rows;
}

/** One check every 6 hours from `from`, `count` of them, written as the check writes them. */
async function seedChecks(rt: Runtime, from: Date, count: number): Promise<void> {
  for (let i = 0; i < count; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, count - i) }, (_, j) => rt.store.appendHistory(check(addHours(from, 6 * (i + j))), [], from.toISOString(), `s${i + j}`)));
  }
}

describe('HISTORY_RETENTION_DAYS', () => {
  test('the check deletes history older than the window once a day, in bounded runs, and keeps the rest', async () => {
    graph.certificate = apnsCertificate('2031-01-01T00:00:00Z');
    const env = { ...graph.env(), ...storageEnv(), WATCH: 'apns', HISTORY_RETENTION_DAYS: '365' };
    const rt = testRuntime(env);
    const now = new Date('2030-06-01T00:00:00Z');
    // 1,200 checks from before the window (300 days' worth) and 100 inside it, plus an acknowledgement in each.
    await seedChecks(rt, subDays(now, 800), 1200);
    await seedChecks(rt, subDays(now, 30), 100);
    await rt.store.appendAck({ at: subDays(now, 700).toISOString(), ids: ['x'], kinds: ['expiring'], by: 'old', note: null }, 'k1');
    await rt.store.appendAck({ at: subDays(now, 10).toISOString(), ids: ['y'], kinds: ['expiring'], by: 'new', note: null }, 'k2');
    expect(await historyRows(env)).toHaveLength(1302 + 1);

    const log = new MemoryLogger();
    await checkAt(rt, now, log);
    // A bounded run: at most MAX_PURGE_ROWS_PER_RUN go, and the purge is not yet remembered.
    expect(await historyRows(env)).toHaveLength(1303 + 1 - MAX_PURGE_ROWS_PER_RUN);
    expect(log.lines).toContain(`info check: deleted ${MAX_PURGE_ROWS_PER_RUN} history rows older than 365 days and 0 delivered alerts older than 90 days`);

    await checkAt(rt, addHours(now, 1));
    const kept = await historyRows(env);
    // 100 seeded, 2 checks just run, the recent acknowledgement and the last-check row.
    expect(kept).toHaveLength(104);
    const entries = await rt.store.listHistory(500);
    expect(entries).toHaveLength(103);
    expect(entries.every((e) => new Date(e.at) >= subDays(now, 365))).toBe(true);
    expect(entries.filter((e) => e.type === 'ack').map((e) => (e.type === 'ack' ? e.ack.by : null))).toEqual(['new']);

    // Done for the day: rows that age out later in the day wait until tomorrow's first check.
    await rt.store.appendHistory(check(subDays(now, 400)), [], now.toISOString(), 'late');
    await checkAt(rt, addHours(now, 2));
    expect(await historyRows(env)).toHaveLength(106);
    await checkAt(rt, addHours(now, 26));
    expect(await historyRows(env)).toHaveLength(106);
    expect((await rt.store.listHistory(500)).some((e) => e.at === subDays(now, 400).toISOString())).toBe(false);
    // The status still finds its last check and last good check.
    expect((await rt.store.loadState()).lastCheck?.checkedAt).toBe(addHours(now, 26).toISOString());
  });

  test('delivered alerts older than 90 days leave the outbox; an undelivered one stays whatever its age', async () => {
    const env = { ...graph.env(), ...storageEnv(), WATCH: 'apns', WEBHOOK_URL: hook.url('/retention'), WEBHOOK_SECRET: 'r'.repeat(32) };
    const rt = testRuntime(env);
    const start = new Date('2029-01-01T00:00:00Z');
    // A certificate that expires, is renewed and expires again: alerts over a year, all delivered.
    graph.certificate = apnsCertificate(addDays(start, 20).toISOString());
    await checkAt(rt, start);
    graph.certificate = apnsCertificate(addDays(start, 400).toISOString());
    await checkAt(rt, addDays(start, 1));
    // One the channel refused for good (410): it stays pending, and so stays in the outbox.
    hook.script.push({ status: 410 });
    graph.certificate = apnsCertificate(addDays(start, 27).toISOString());
    expect((await checkAt(rt, addDays(start, 2))).deliveries.map((d) => d.channels[0]!.outcome)).toEqual(['failed-for-good']);
    graph.certificate = apnsCertificate(addDays(start, 800).toISOString());
    await checkAt(rt, addDays(start, 3));
    const before = await outboxRows(env);
    expect(before.filter((r) => r.pending)).toHaveLength(1);
    expect(before.filter((r) => !r.pending)).toHaveLength(3);

    // Within 90 days nothing goes.
    await checkAt(rt, addDays(start, 60));
    expect(await outboxRows(env)).toEqual(before);
    // Later, everything delivered before the 90 days goes; the refused one stays.
    const log = new MemoryLogger();
    await checkAt(rt, addDays(start, 160), log);
    expect(log.lines).toContain('info check: deleted 0 history rows older than 730 days and 3 delivered alerts older than 90 days');
    expect(await outboxRows(env)).toEqual(before.filter((r) => r.pending));
  });

  test('a purge that fails is logged and never fails the check or its alerts', async () => {
    graph.certificate = apnsCertificate('2027-01-05T10:00:00Z');
    const env = { ...graph.env(), ...storageEnv(), WATCH: 'apns', WEBHOOK_URL: hook.url('/purge-fails'), WEBHOOK_SECRET: 'p'.repeat(32) };
    const rt = testRuntime(env);
    hook.received.length = 0;
    rt.store.purgeHistory = () => Promise.reject(new Error('storage is having a bad day'));
    const log = new MemoryLogger();
    const result = await checkAt(rt, new Date('2026-12-26T10:00:00Z'), log);
    expect(result.alerts.map((a) => a.kind)).toEqual(['expiring']);
    expect(hook.received.map((r) => r.path)).toEqual(['/purge-fails']);
    expect(log.lines).toContain('warn check: could not delete old history; the next check tries again: storage is having a bad day');
    expect((await rt.store.loadAlertState()).lastPurgeAt).toBeNull();
  });
});
