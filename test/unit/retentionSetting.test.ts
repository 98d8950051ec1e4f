import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const base = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };

function messageOf(env: Record<string, string>): string {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('HISTORY_RETENTION_DAYS', () => {
  test('defaults to two years', () => {
    expect(loadConfig(base).historyRetentionDays).toBe(730);
  });

  test('takes whole days from 30', () => {
    expect(loadConfig({ ...base, HISTORY_RETENTION_DAYS: '30' }).historyRetentionDays).toBe(30);
    expect(loadConfig({ ...base, HISTORY_RETENTION_DAYS: ' 3650 ' }).historyRetentionDays).toBe(3650);
  });

  test.each(['0', '29', '36501', '2y', '-1', '1e3', '730.5', 'forever'])('HISTORY_RETENTION_DAYS=%s is refused by name', (raw) => {
    expect(messageOf({ HISTORY_RETENTION_DAYS: raw })).toBe(`Invalid setting HISTORY_RETENTION_DAYS="${raw.trim()}": expected a whole number from 30 to 36500`);
  });
});
