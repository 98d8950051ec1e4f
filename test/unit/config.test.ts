import { describe, expect, test } from 'vitest';
import { ConfigError, DEVELOPMENT_STORAGE_CONNECTION_STRING, loadConfig, parseThresholds, secretsOf } from '../../src/config';

const base = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  test('a minimal configuration gets the documented defaults', () => {
    const c = loadConfig(base);
    expect(c.cloud).toBe('global');
    expect(c.graphEndpoint).toBe('https://graph.microsoft.com');
    expect(c.authorityHost).toBe('https://login.microsoftonline.com');
    expect(c.customAuthorityHost).toBe(false);
    expect(c.graphApiVersion).toBe('v1.0');
    expect(c.policy).toEqual({ thresholdDays: [60, 30, 14, 7, 3, 1], warningDays: 30, criticalDays: 7, expiredRepeatHours: 24 });
    expect(c.checkSchedule).toBe('0 0 */6 * * *');
    expect(c.storage).toEqual({ kind: 'connectionString', connectionString: DEVELOPMENT_STORAGE_CONNECTION_STRING });
    expect(c.webhook).toBeNull();
    expect(c.credential).toEqual({ kind: 'default', managedIdentityClientId: null });
  });
});

describe('national clouds', () => {
  test.each([
    ['global', 'https://graph.microsoft.com', 'https://login.microsoftonline.com'],
    ['usgov', 'https://graph.microsoft.us', 'https://login.microsoftonline.us'],
    ['usgovdod', 'https://dod-graph.microsoft.us', 'https://login.microsoftonline.us'],
    ['china', 'https://microsoftgraph.chinacloudapi.cn', 'https://login.chinacloudapi.cn'],
  ])('%s', (cloud, graph, authority) => {
    const c = loadConfig({ ...base, GRAPH_CLOUD: cloud });
    expect([c.graphEndpoint, c.authorityHost, c.customAuthorityHost]).toEqual([graph, authority, false]);
  });

  test('GRAPH_ENDPOINT and AZURE_AUTHORITY_HOST override; a custom authority turns discovery off', () => {
    const c = loadConfig({ ...base, GRAPH_CLOUD: 'usgov', GRAPH_ENDPOINT: 'https://graph.example.test/', AZURE_AUTHORITY_HOST: 'https://login.example.test' });
    expect(c.graphEndpoint).toBe('https://graph.example.test');
    expect(c.authorityHost).toBe('https://login.example.test');
    expect(c.customAuthorityHost).toBe(true);
  });

  test('identity-based storage uses the cloud storage suffix', () => {
    const c = loadConfig({ GRAPH_CLOUD: 'china', AzureWebJobsStorage__accountName: 'apnsmon01' });
    expect(c.storage).toEqual({ kind: 'identity', tableServiceUri: 'https://apnsmon01.table.core.chinacloudapi.cn', managedIdentityClientId: null });
  });
});

describe('good values', () => {
  test('thresholds are sorted, trimmed and deduplicated-checked', () => {
    expect(parseThresholds(' 7, 90 ,1')).toEqual([90, 7, 1]);
  });

  test('every setting read', () => {
    const c = loadConfig({
      ...base,
      TENANT_NAME: 'Contoso',
      THRESHOLD_DAYS: '45,10',
      WARNING_DAYS: '45',
      CRITICAL_DAYS: '10',
      EXPIRED_REPEAT_HOURS: '12',
      GRAPH_API_VERSION: 'beta',
      CHECK_SCHEDULE: '0 30 8 * * *',
      WEBHOOK_URL: 'https://hooks.example.test/apns?token=abc',
      WEBHOOK_SECRET: 'a-long-enough-secret',
      AZURE_TENANT_ID: 't',
      AZURE_CLIENT_ID: 'c',
      AZURE_CLIENT_SECRET: 's3cr3t-value',
    });
    expect(c.tenantName).toBe('Contoso');
    expect(c.policy).toEqual({ thresholdDays: [45, 10], warningDays: 45, criticalDays: 10, expiredRepeatHours: 12 });
    expect(c.graphApiVersion).toBe('beta');
    expect(c.webhook).toEqual({ url: 'https://hooks.example.test/apns?token=abc', secret: 'a-long-enough-secret', signature: 'both' });
    expect(c.credential).toEqual({ kind: 'clientSecret', tenantId: 't', clientId: 'c', clientSecret: 's3cr3t-value' });
  });
});

describe('bad values name the setting and what it expects', () => {
  test.each([
    [{ GRAPH_CLOUD: 'germany' }, 'GRAPH_CLOUD', 'one of global, usgov, usgovdod, china'],
    [{ GRAPH_API_VERSION: 'v2' }, 'GRAPH_API_VERSION', 'v1.0 or beta'],
    [{ THRESHOLD_DAYS: '60,thirty' }, 'THRESHOLD_DAYS', 'comma-separated list'],
    [{ THRESHOLD_DAYS: '60,0' }, 'THRESHOLD_DAYS', 'from 1 to 365'],
    [{ THRESHOLD_DAYS: '7,7' }, 'THRESHOLD_DAYS', 'each day once'],
    [{ WARNING_DAYS: '-1' }, 'WARNING_DAYS', 'whole number from 1 to 365'],
    [{ CRITICAL_DAYS: '3.5' }, 'CRITICAL_DAYS', 'whole number'],
    [{ CRITICAL_DAYS: '40' }, 'CRITICAL_DAYS', 'no larger than WARNING_DAYS (30)'],
    [{ EXPIRED_REPEAT_HOURS: '0' }, 'EXPIRED_REPEAT_HOURS', 'from 1 to 720'],
    [{ CHECK_SCHEDULE: '*/5 * * * *' }, 'CHECK_SCHEDULE', 'six fields'],
    [{ GRAPH_ENDPOINT: 'http://graph.example.test' }, 'GRAPH_ENDPOINT', 'https://'],
    [{ AZURE_AUTHORITY_HOST: 'not a url' }, 'AZURE_AUTHORITY_HOST', 'absolute https:// URL'],
    [{ TABLE_PREFIX: 'apns-monitor' }, 'TABLE_PREFIX', 'letters and digits'],
    [{ AZURE_CLIENT_SECRET: 'abcdefgh123' }, 'AZURE_TENANT_ID', 'tenant ID'],
  ])('%j', (env, setting, expected) => {
    const error = errorOf(env as Record<string, string>);
    expect(error.setting).toBe(setting);
    expect(error.message).toContain(setting);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain('\n');
  });

  test('storage must be configured one way or another', () => {
    expect(() => loadConfig({})).toThrow(/AzureWebJobsStorage/);
    expect(() => loadConfig({ AzureWebJobsStorage: 'nonsense' })).toThrow(/connection string/);
    expect(() => loadConfig({ AzureWebJobsStorage__accountName: 'Bad_Name' })).toThrow(/storage account name/);
  });

  test('a webhook without a strong secret is refused, and secret values are never echoed', () => {
    const error = errorOf({ WEBHOOK_URL: 'ftp://hooks.example.test/very-secret-path' });
    expect(error.setting).toBe('WEBHOOK_URL');
    expect(error.message).not.toContain('very-secret-path');
    const noSecret = errorOf({ WEBHOOK_URL: 'https://hooks.example.test/x', WEBHOOK_SECRET: 'short' });
    expect(noSecret.setting).toBe('WEBHOOK_SECRET');
    expect(noSecret.message).not.toContain('short"');
  });
});

test('secrets are collected for redaction', () => {
  const env = {
    AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;EndpointSuffix=core.windows.net',
    WEBHOOK_URL: 'https://hooks.example.test/x/y',
    WEBHOOK_SECRET: 'a-long-enough-secret',
    AZURE_TENANT_ID: 't',
    AZURE_CLIENT_ID: 'c',
    AZURE_CLIENT_SECRET: 'client-secret-value',
  };
  expect(secretsOf(loadConfig(env), env).sort()).toEqual(['a-long-enough-secret', 'c2VjcmV0LWtleS12YWx1ZQ==', 'client-secret-value', 'https://hooks.example.test/x/y'].sort());
});
