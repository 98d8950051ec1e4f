import { describe, expect, test } from 'vitest';
import { FAILING_FOR_MS, isFailing, newChannelHealth, recordAttempt, sameHealth, type AttemptResult, type StoredChannelHealth } from '../../src/notify/channelHealth';
import { channelFailingSummary, withoutUrls } from '../../src/render/channelText';

const T0 = Date.parse('2027-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

function run(steps: Array<[AttemptResult, number]>): { health: StoredChannelHealth; dues: string[] } {
  let health = newChannelHealth('teams');
  const dues: string[] = [];
  for (const [result, t] of steps) {
    const step = recordAttempt(health, result, result === 'delivered' ? null : `teams: ${result}`, at(t));
    health = step.next;
    if (step.due !== null) dues.push(`${step.due}@${t}`);
  }
  return { health, dues };
}

describe('channel health rules', () => {
  test('three refusals in a row make it failing once; the fourth raises nothing; a delivery recovers it once', () => {
    const { health, dues } = run([['failed-for-good', 0], ['failed-for-good', 1], ['failed-for-good', 2], ['failed-for-good', 3], ['delivered', 4], ['delivered', 5]]);
    expect(dues).toEqual(['failing@2', 'recovered@4']);
    expect(health).toMatchObject({ consecutiveFailures: 0, failingSince: null, failingAlerted: false, lastOutcome: 'delivered', lastError: 'teams: failed-for-good' });
  });

  test('a delivery in between starts the count again', () => {
    expect(run([['failed-for-good', 0], ['failed-for-good', 1], ['delivered', 2], ['failed-for-good', 3], ['failed-for-good', 4]]).dues).toEqual([]);
  });

  test('retrying does not count toward three, but does toward 24 hours', () => {
    const retries = run([['retry-later', 0], ['retry-later', 1], ['retry-later', 2], ['retry-later', 3]]);
    expect(retries.dues).toEqual([]);
    expect(retries.health).toMatchObject({ lastOutcome: 'retrying', consecutiveFailures: 0, failingSince: at(0).toISOString() });
    expect(run([['retry-later', 0], ['retry-later', FAILING_FOR_MS]]).dues).toEqual([]);
    expect(run([['retry-later', 0], ['retry-later', FAILING_FOR_MS + 1]]).dues).toEqual([`failing@${FAILING_FOR_MS + 1}`]);
  });

  test('recovery is only told after a failing alert', () => {
    expect(run([['failed-for-good', 0], ['delivered', 1]]).dues).toEqual([]);
  });

  test('isFailing and sameHealth', () => {
    const h = { ...newChannelHealth('x'), consecutiveFailures: 2, failingSince: at(0).toISOString() };
    expect(isFailing(h, at(HOURS(23)))).toBe(false);
    expect(isFailing(h, at(HOURS(25)))).toBe(true);
    expect(sameHealth(h, { ...h })).toBe(true);
    expect(sameHealth(h, { ...h, lastError: 'x' })).toBe(false);
  });

  test('the alert text names the channel and never an address', () => {
    const text = channelFailingSummary('webhook', 'Contoso', 3, at(0).toISOString(), 'webhook failed: connect ECONNREFUSED https://hooks.example.com/secret/path?sig=abc');
    expect(text).toContain('The webhook channel');
    expect(text).not.toMatch(/hooks\.example\.com|secret|sig=/);
    expect(withoutUrls('see http://a.b/c and https://x')).toBe('see [address] and [address]');
  });
});

function HOURS(n: number): number {
  return n * 3_600_000;
}
