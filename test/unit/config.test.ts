import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
      AZURE_CLIENT_ID: 'c',
      AZURE_CLIENT_SECRET: 's3cr3t-value',
    });
    expect(c.tenantName).toBe('Contoso');
    expect(c.policy).toEqual({ thresholdDays: [45, 10], warningDays: 45, criticalDays: 10, expiredRepeatHours: 12 });
    expect(c.graphApiVersion).toBe('beta');
    expect(c.webhook).toEqual({ url: 'https://hooks.example.test/apns?token=abc', secret: 'a-long-enough-secret', signature: 'both' });
    expect(c.credential).toEqual({ kind: 'clientSecret', tenantId: '11111111-2222-3333-4444-555555555555', clientId: 'c', clientSecret: 's3cr3t-value' });
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
    [{ CHECK_SCHEDULE: '0 0 0 31 2 *' }, 'CHECK_SCHEDULE', 'never runs: day 31 does not occur in month 2'],
    [{ CHECK_SCHEDULE: '0 0 0 30 2 *' }, 'CHECK_SCHEDULE', 'never runs: day 30 does not occur in month 2'],
    [{ CHECK_SCHEDULE: '0 0 0 31 4,6,9,11 *' }, 'CHECK_SCHEDULE', 'never runs: day 31 does not occur in months 4, 6, 9, 11'],
    [{ CHECK_SCHEDULE: '0 0 0 29 2 Mon' }, 'CHECK_SCHEDULE', 'runs too rarely: up to 40 years apart, as day-of-month and day-of-week must both match'],
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
    AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=acct01;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;EndpointSuffix=core.windows.net',
    WEBHOOK_URL: 'https://hooks.example.test/x/y',
    WEBHOOK_SECRET: 'a-long-enough-secret',
    AZURE_TENANT_ID: '11111111-2222-3333-4444-555555555555',
    AZURE_CLIENT_ID: 'c',
    AZURE_CLIENT_SECRET: 'client-secret-value',
  };
  expect(secretsOf(loadConfig(env), env).sort()).toEqual(['a-long-enough-secret', 'c2VjcmV0LWtleS12YWx1ZQ==', 'client-secret-value', 'https://hooks.example.test/x/y'].sort());
});

describe('settings that look plausible but cannot work are refused at start, by name', () => {
  const KEY = 'c2VjcmV0LWtleS12YWx1ZQ==';
  const storageError = (connectionString: string) => {
    try {
      loadConfig({ AzureWebJobsStorage: connectionString });
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  };

  test.each([
    [`AccountName=acct01;AccountKey=${KEY}`, 'AccountKey needs DefaultEndpointsProtocol=https'],
    ['DefaultEndpointsProtocol=https;AccountName=acct01;AccountKey=s3cr3t$key!value', 'AccountKey is not base64'],
    [`DefaultEndpointsProtocol=https;AccountName=acct01;AcountKey=${KEY}`, 'unknown part "AcountKey"'],
    [`DefaultEndpointsProtocol=https;AccountName=acct01;${KEY}`, 'part 3 is not Name=value'],
    [`DefaultEndpointsProtocol=https;AccountName=acct01;AccountName=acct02;AccountKey=${KEY}`, 'AccountName is given twice'],
    [`DefaultEndpointsProtocol=ftp;AccountName=acct01;AccountKey=${KEY}`, 'DefaultEndpointsProtocol must be https or http'],
    [`DefaultEndpointsProtocol=https;AccountName=acct01;AccountKey=${KEY};EndpointSuffix=core windows net`, 'EndpointSuffix must be a domain name'],
    ['TableEndpoint=acct01.table.core.windows.net;SharedAccessSignature=sv=2024-11-04&sig=c2lnbmF0dXJl', 'TableEndpoint must be an http(s) URL'],
    ['BlobEndpoint=https://acct01.blob.core.windows.net;SharedAccessSignature=sv=2024-11-04&sig=c2lnbmF0dXJl', 'SharedAccessSignature needs TableEndpoint'],
    ['DefaultEndpointsProtocol=https;AccountName=acct01;EndpointSuffix=core.windows.net', 'needs AccountName and AccountKey, or TableEndpoint and SharedAccessSignature'],
    ['DefaultEndpointsProtocol=https;AccountName=acct01;AccountKey=', 'AccountKey is empty'],
  ])('storage connection string %s: %s', (connectionString, reason) => {
    const error = storageError(connectionString);
    expect(error.setting).toBe('AzureWebJobsStorage');
    expect(error.message).toContain(reason);
    expect(error.message).not.toContain('\n');
    // Neither the key nor the SAS token nor a stray fragment of either is ever echoed.
    for (const secret of [KEY, 's3cr3t$key!value', 'c2lnbmF0dXJl']) expect(error.message).not.toContain(secret);
  });

  test('well-formed connection strings are accepted, their near misses are not', () => {
    for (const connectionString of [
    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1',
    `DefaultEndpointsProtocol=https;AccountName=acct01;AccountKey=${KEY};EndpointSuffix=core.windows.net`,
    `defaultendpointsprotocol=https; accountname=acct01; accountkey=${KEY}`,
    'TableEndpoint=https://acct01.table.core.windows.net/;SharedAccessSignature=sv=2024-11-04&ss=t&srt=sco&sp=rwau&sig=c2lnbmF0dXJl',
    ]) {
      expect(loadConfig({ AzureWebJobsStorage: connectionString }).storage.kind).toBe('connectionString');
      expect(() => loadConfig({ AzureWebJobsStorage: `${connectionString};Extra=1` })).toThrow(/unknown part "Extra"/);
    }
  });

  test.each([['not a tenant!'], ['contoso'], ['11111111-2222-3333-4444-55555555555'], ['https://login.microsoftonline.com/contoso.onmicrosoft.com']])('AZURE_TENANT_ID %j is neither a GUID nor a domain name', (tenant) => {
    const error = errorOf({ AZURE_TENANT_ID: tenant });
    expect(error.setting).toBe('AZURE_TENANT_ID');
    expect(error.message).toContain('a GUID or a domain');
  });

  test('AZURE_TENANT_ID is validated only when set, and both forms are accepted', () => {
    expect(loadConfig({ ...base, AZURE_TENANT_ID: 'contoso.onmicrosoft.com', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's3cr3t-value' }).credential).toMatchObject({ tenantId: 'contoso.onmicrosoft.com' });
    expect(loadConfig({ ...base, AZURE_TENANT_ID: '72F988BF-86F1-41AF-91AB-2D7CD011DB47' }).credential.kind).toBe('default');
    expect(loadConfig(base).credential.kind).toBe('default');
    expect(() => loadConfig({ ...base, AZURE_TENANT_ID: 'contoso' })).toThrow(ConfigError);
  });

  test('AZURE_CLIENT_CERTIFICATE_PATH must name a readable file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apns-cert-'));
    const cert = join(dir, 'app.pem');
    writeFileSync(cert, '-----BEGIN CERTIFICATE-----\n');
    const graphApp = { ...base, AZURE_TENANT_ID: 'contoso.onmicrosoft.com', AZURE_CLIENT_ID: 'c' };
    expect(loadConfig({ ...graphApp, AZURE_CLIENT_CERTIFICATE_PATH: cert }).credential).toMatchObject({ kind: 'clientCertificate', certificatePath: cert });
    const missing = errorOf({ ...graphApp, AZURE_CLIENT_CERTIFICATE_PATH: join(dir, 'missing.pem') });
    expect([missing.setting, missing.message]).toEqual(['AZURE_CLIENT_CERTIFICATE_PATH', expect.stringContaining('the path does not exist')]);
    expect(errorOf({ ...graphApp, AZURE_CLIENT_CERTIFICATE_PATH: dir }).message).toContain('the path is not a file');
    if (process.getuid?.() !== 0) {
      // root reads any file, so this part runs only as an ordinary user.
      chmodSync(cert, 0o000);
      expect(errorOf({ ...graphApp, AZURE_CLIENT_CERTIFICATE_PATH: cert }).message).toContain('the path is not readable');
    }
  });

  test.each([['Contoso\nAPNS OK - all fine'], ['Con\rtoso'], ['Con\u0007toso'], ['Contoso\u2028Ltd'], ['x'.repeat(201)]])('TENANT_NAME %j is refused: one line of text', (name) => {
    const error = errorOf({ TENANT_NAME: name });
    expect(error.setting).toBe('TENANT_NAME');
    expect(error.message).toContain('one line of text');
    expect(error.message).not.toMatch(/[\n\r\u2028\u0007]/);
  });

  test('a TENANT_NAME of 200 characters with punctuation is fine', () => {
    expect(loadConfig({ ...base, TENANT_NAME: `Contoso | Fabrikam — Zürich ${'x'.repeat(172)}` }).tenantName).toHaveLength(200);
    expect(() => loadConfig({ ...base, TENANT_NAME: `Contoso | Fabrikam — Zürich ${'x'.repeat(173)}` })).toThrow(/TENANT_NAME/);
  });

  test.each([['https://apns-monitor.azurewebsites.net'], ['apns monitor.azurewebsites.net'], ['apns-monitor.azurewebsites.net:99999'], ['apns-monitor.azurewebsites.net/api'], ['-bad-.example']])('WEBSITE_HOSTNAME %j is not a host name[:port]', (host) => {
    const error = errorOf({ WEBSITE_HOSTNAME: host, NOTIFY_KEY: 'notify-key-0123456789' });
    expect(error.setting).toBe('WEBSITE_HOSTNAME');
    expect(error.message).toContain('a host name with an optional port');
  });

  test('WEBSITE_HOSTNAME as Azure sets it (with or without a port) is accepted', () => {
    expect(loadConfig({ ...base, WEBSITE_HOSTNAME: 'apns-monitor.azurewebsites.net', NOTIFY_KEY: 'k' }).notify?.url).toBe('https://apns-monitor.azurewebsites.net/api/notify');
    expect(loadConfig({ ...base, WEBSITE_HOSTNAME: 'localhost:7071', NOTIFY_KEY: 'k' }).notify?.url).toBe('https://localhost:7071/api/notify');
    expect(() => loadConfig({ ...base, WEBSITE_HOSTNAME: 'localhost:7071/', NOTIFY_KEY: 'k' })).toThrow(/WEBSITE_HOSTNAME/);
  });
});

describe('WATCH and the token subjects', () => {
  test('by default every credential is watched, with THRESHOLD_DAYS for the tokens and 72 h of sync staleness', () => {
    const c = loadConfig(base);
    expect(c.watch).toEqual(['apns', 'vpp_token', 'ade_token']);
    expect(c.tokenPolicies.vpp_token).toEqual({ thresholdDays: [60, 30, 14, 7, 3, 1], warningDays: 30, criticalDays: 7, expiredRepeatHours: 24, syncStaleHours: 72 });
  });

  test('per-subject thresholds and staleness', () => {
    const c = loadConfig({ ...base, WATCH: ' VPP_token , apns ', VPP_TOKEN_THRESHOLD_DAYS: '30,7', SYNC_STALE_HOURS: '48' });
    expect(c.watch).toEqual(['vpp_token', 'apns']);
    expect(c.tokenPolicies.vpp_token.thresholdDays).toEqual([30, 7]);
    expect(c.tokenPolicies.ade_token.thresholdDays).toEqual([60, 30, 14, 7, 3, 1]);
    expect(c.tokenPolicies.ade_token.syncStaleHours).toBe(48);
  });

  test.each([
    [{ WATCH: 'apns,vpp' }, /^Invalid setting WATCH="apns,vpp": expected a comma-separated list of apns, vpp_token, ade_token, device_certificate; "vpp" is not one of them$/],
    [{ WATCH: ',' }, /^Invalid setting WATCH=",": expected a comma-separated list/],
    [{ WATCH: 'apns,apns' }, /each once/],
    [{ SYNC_STALE_HOURS: '0' }, /^Invalid setting SYNC_STALE_HOURS="0"/],
    [{ ADE_TOKEN_THRESHOLD_DAYS: 'soon' }, /^Invalid setting ADE_TOKEN_THRESHOLD_DAYS="soon"/],
  ])('%j is refused by name', (bad, message) => {
    expect(() => loadConfig({ ...base, ...bad })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...bad })).toThrow(message);
  });
});

describe('PUBLIC_BASE_URL (linked in every device-certificate alert)', () => {
  test('a base with credentials in it is refused by name, without echoing them; a query is refused; a plain base is kept', () => {
    const e = errorOf({ ...base, PUBLIC_BASE_URL: 'https://admin:hunter2-secret@monitor.contoso.example' });
    expect(e.setting).toBe('PUBLIC_BASE_URL');
    expect(e.message).toMatch(/user name or password/);
    expect(e.message).not.toContain('hunter2-secret');
    expect(errorOf({ ...base, PUBLIC_BASE_URL: 'https://monitor.contoso.example/?code=abc' }).setting).toBe('PUBLIC_BASE_URL');
    expect(loadConfig({ ...base, PUBLIC_BASE_URL: 'https://monitor.contoso.example/' }).publicBaseUrl).toBe('https://monitor.contoso.example');
  });
});
