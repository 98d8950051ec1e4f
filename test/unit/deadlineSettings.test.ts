import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig, MAX_CHECK_BUDGET_SECONDS } from '../../src/config';

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

describe('HTTP_TIMEOUT_SECONDS and CHECK_BUDGET_SECONDS', () => {
  test('default to 30 s per call and 240 s per read', () => {
    expect(loadConfig(base)).toMatchObject({ httpTimeoutMs: 30_000, checkBudgetMs: 240_000 });
  });

  test('take whole seconds within range', () => {
    expect(loadConfig({ ...base, HTTP_TIMEOUT_SECONDS: '120', CHECK_BUDGET_SECONDS: '570' })).toMatchObject({ httpTimeoutMs: 120_000, checkBudgetMs: 570_000 });
    expect(loadConfig({ ...base, HTTP_TIMEOUT_SECONDS: '1', CHECK_BUDGET_SECONDS: '10' })).toMatchObject({ httpTimeoutMs: 1_000, checkBudgetMs: 10_000 });
  });

  test.each(['0', '121', '30s', '-5', '1e2', '2.5', 'thirty'])('HTTP_TIMEOUT_SECONDS=%s is refused by name', (raw) => {
    expect(messageOf({ HTTP_TIMEOUT_SECONDS: raw })).toBe(`Invalid setting HTTP_TIMEOUT_SECONDS="${raw}": expected a whole number from 1 to 120`);
  });

  test.each(['9', '571', '600', '4m'])('CHECK_BUDGET_SECONDS=%s is refused by name', (raw) => {
    expect(messageOf({ CHECK_BUDGET_SECONDS: raw })).toBe(`Invalid setting CHECK_BUDGET_SECONDS="${raw}": expected a whole number from 10 to 570`);
  });

  test('the budget must leave room for more than one call', () => {
    expect(messageOf({ HTTP_TIMEOUT_SECONDS: '90', CHECK_BUDGET_SECONDS: '60' })).toBe('Invalid setting CHECK_BUDGET_SECONDS="60": expected a number of seconds larger than HTTP_TIMEOUT_SECONDS (90)');
  });

  test("the largest budget ends before host.json's functionTimeout", () => {
    const host = JSON.parse(readFileSync(join(__dirname, '..', '..', 'host.json'), 'utf8')) as { functionTimeout: string };
    const [h, m, s] = host.functionTimeout.split(':').map(Number) as [number, number, number];
    expect(MAX_CHECK_BUDGET_SECONDS).toBeLessThan(h * 3600 + m * 60 + s);
  });
});
