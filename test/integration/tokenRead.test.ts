import { ClientSecretCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import { beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createGraphClient } from '../../src/graph/graphClient';
import { createAdeTokenReader } from '../../src/subjects/ade_token/reader';
import { evaluateVppToken } from '../../src/subjects/vpp_token/rules';
import { createVppTokenReader, VPP_TOKEN_FIELDS } from '../../src/subjects/vpp_token/reader';
import { adeToken, VPP_TOKEN_SECRET_PREFIX, vppToken } from '../doubles/graphDouble';
import { useDoubles } from '../support/harness';

const { graph } = useDoubles();
let client: Client;
let betaClient: Client;
const options = () => ({ graphEndpoint: graph.origin, networkRetryDelayMs: 10 });

beforeAll(() => {
  const credential = new ClientSecretCredential(graph.tenantId, graph.clientId, graph.clientSecret, { authorityHost: graph.origin, disableInstanceDiscovery: true });
  client = createGraphClient({ graphEndpoint: graph.origin, graphApiVersion: 'v1.0', httpTimeoutMs: 30_000 }, credential, { retryDelaySeconds: 0 });
  betaClient = createGraphClient({ graphEndpoint: graph.origin, graphApiVersion: 'beta', httpTimeoutMs: 30_000 }, credential, { retryDelaySeconds: 0 });
});

beforeEach(() => {
  graph.vppTokens = [];
  graph.depOnboardingSettings = [];
  graph.vppTokensScript.length = 0;
  graph.depOnboardingSettingsScript.length = 0;
  graph.collectionPageSize = 100;
  graph.ignoreSelect = false;
  graph.requests.length = 0;
});

const vppGets = () => graph.requests.filter((r) => r.path.includes('/deviceAppManagement/vppTokens'));
const adeGets = () => graph.requests.filter((r) => r.path.includes('/deviceManagement/depOnboardingSettings'));
const vpp = (n: number) => Array.from({ length: n }, (_, i) => vppToken(`vpp-${i + 1}`, `2027-0${(i % 9) + 1}-01T00:00:00Z`));
const ade = (n: number) => Array.from({ length: n }, (_, i) => adeToken(`ade-${i + 1}`, `2027-0${(i % 9) + 1}-15T00:00:00Z`));

describe('VPP tokens through the real identity and Graph client', () => {
  test.each([0, 1, 3])('%i token(s): all read, on v1.0, without ever selecting the secret', async (n) => {
    graph.vppTokens = vpp(n);
    const read = await createVppTokenReader(client, options())();
    expect(read.kind).toBe('found');
    if (read.kind !== 'found') return;
    expect(read.tokens.map((t) => t.id)).toEqual(graph.vppTokens.map((t) => t['id']));
    const get = vppGets()[0]!;
    expect(get.path.startsWith('/v1.0/deviceAppManagement/vppTokens?')).toBe(true);
    const select = new URL(get.path, graph.origin).searchParams.get('$select')!.split(',');
    expect(select).toEqual([...VPP_TOKEN_FIELDS]);
    expect(select).not.toContain('token');
    expect(JSON.stringify(read)).not.toContain(VPP_TOKEN_SECRET_PREFIX);
    expect(get.authorization).toMatch(/^Bearer /);
  });

  test('stays on v1.0 when the push certificate is read on beta', async () => {
    graph.vppTokens = vpp(1);
    expect((await createVppTokenReader(betaClient, options())()).kind).toBe('found');
    expect(vppGets()[0]!.path.startsWith('/v1.0/')).toBe(true);
  });

  test('parses the fields strictly and names the token', async () => {
    graph.vppTokens = [vppToken('vpp-1', '2027-03-01T01:00:00+01:00', { state: 'invalid', lastSyncStatus: 'failed', organizationName: 'x'.repeat(5000) })];
    const read = await createVppTokenReader(client, options())();
    if (read.kind !== 'found') throw new Error(read.error);
    const t = read.tokens[0]!;
    expect(t).toMatchObject({ expirationDateTime: '2027-03-01T00:00:00.000Z', state: 'invalid', lastSyncStatus: 'failed', appleId: 'vpp-admin@contoso.com', expiryError: null });
    expect(t.organizationName).toHaveLength(1024);
    expect(t.organizationName!.endsWith('…[truncated]')).toBe(true);
  });

  test('follows @odata.nextLink over 3 pages, keeping $select', async () => {
    graph.collectionPageSize = 2;
    graph.vppTokens = vpp(5);
    const read = await createVppTokenReader(client, options())();
    expect(read.kind === 'found' && read.tokens.map((t) => t.id)).toEqual(['vpp-1', 'vpp-2', 'vpp-3', 'vpp-4', 'vpp-5']);
    expect(vppGets()).toHaveLength(3);
    for (const get of vppGets()) expect(new URL(get.path, graph.origin).searchParams.get('$select')).toBe(VPP_TOKEN_FIELDS.join(','));
  });

  test('caps the pages it follows, with a clear error', async () => {
    graph.collectionPageSize = 1;
    graph.vppTokens = vpp(3);
    const read = await createVppTokenReader(client, { ...options(), maxPages: 2 })();
    expect(read).toMatchObject({ kind: 'failed', error: 'GET /v1.0/deviceAppManagement/vppTokens: Graph kept paging past 2 pages; the monitor stops there rather than read without end' });
  });

  test('follows next links on the Graph origin only', async () => {
    graph.vppTokensScript.push({ status: 200, body: { value: [vppToken('vpp-1', '2027-01-01T00:00:00Z')], '@odata.nextLink': 'https://evil.example/v1.0/deviceAppManagement/vppTokens?$skiptoken=x' } });
    const read = await createVppTokenReader(client, options())();
    expect(read.kind).toBe('failed');
    if (read.kind === 'failed') expect(read.error).toMatch(/another origin \(https:\/\/evil\.example\); only https:\/\/127\.0\.0\.1:\d+ is followed/);
    expect(vppGets()).toHaveLength(1);
  });

  test('a server that sends the secret anyway: it is dropped, never in the parsed result', async () => {
    graph.ignoreSelect = true;
    graph.vppTokens = vpp(3);
    const read = await createVppTokenReader(client, options())();
    expect(read.kind).toBe('found');
    expect(JSON.stringify(read)).not.toContain(VPP_TOKEN_SECRET_PREFIX);
    expect(JSON.stringify(read)).not.toContain('"token"');
  });

  test('an undatable expiry is unknown, naming the field and its value, never expired', async () => {
    graph.vppTokens = [vppToken('vpp-1', '0001-01-01T00:00:00Z')];
    const read = await createVppTokenReader(client, options())();
    if (read.kind !== 'found') throw new Error(read.error);
    const t = read.tokens[0]!;
    expect(t.expirationDateTime).toBeNull();
    expect(t.expiryError).toBe('the VPP token vpp-1 has no usable expirationDateTime ("0001-01-01T00:00:00Z")');
    const policy = { warningDays: 30, criticalDays: 7, syncStaleHours: 72 };
    expect(evaluateVppToken(t, new Date('2026-12-26T10:00:00Z'), policy)).toEqual({ status: 'unknown', daysRemaining: null, error: t.expiryError });
  });

  test('a failure on page 2 fails the whole read: half a list would look like removed tokens', async () => {
    graph.collectionPageSize = 1;
    graph.vppTokens = vpp(2);
    graph.vppTokensScript.push({ status: 200, body: { value: [graph.vppTokens[0]], '@odata.nextLink': `${graph.origin}/v1.0/deviceAppManagement/vppTokens?$skiptoken=page-1` } });
    graph.vppTokensScript.push({ status: 500, body: { error: { code: 'InternalServerError', message: 'boom' } } });
    const read = await createVppTokenReader(client, options())();
    expect(read).toMatchObject({ kind: 'failed', httpStatus: 500, error: 'GET /v1.0/deviceAppManagement/vppTokens: Graph answered 500 InternalServerError: boom' });
  });

  test('every page has a deadline: a hung call fails the read, naming the call', async () => {
    graph.vppTokensScript.push({ status: 0, hang: true });
    const read = await createVppTokenReader(client, { ...options(), networkRetries: 0, pageTimeoutMs: 300 })();
    expect(read.kind).toBe('failed');
    if (read.kind === 'failed') expect(read.error).toMatch(/^GET \/v1\.0\/deviceAppManagement\/vppTokens: could not reach Graph at https:\/\/127\.0\.0\.1:\d+: .*(timeout|aborted)/i);
  });

  test('survives a 503 with Retry-After', async () => {
    graph.vppTokens = vpp(1);
    graph.vppTokensScript.push({ status: 503, headers: { 'Retry-After': '0' } });
    expect((await createVppTokenReader(client, options())()).kind).toBe('found');
    expect(vppGets()).toHaveLength(2);
  });
});

describe('ADE tokens through the real identity and Graph client', () => {
  test.each([0, 1, 3])('%i token(s): all read, on beta whatever the client default', async (n) => {
    graph.depOnboardingSettings = ade(n);
    const read = await createAdeTokenReader(client, options())();
    expect(read.kind === 'found' && read.tokens.map((t) => t.id)).toEqual(graph.depOnboardingSettings.map((t) => t['id']));
    expect(adeGets()[0]!.path.startsWith('/beta/deviceManagement/depOnboardingSettings?$select=id,appleIdentifier,tokenName')).toBe(true);
  });

  test('parses the fields strictly', async () => {
    graph.depOnboardingSettings = [adeToken('ade-1', '2027-05-01T00:00:00Z', { lastSyncErrorCode: 4031, lastSuccessfulSyncDateTime: '0001-01-01T00:00:00Z', syncedDeviceCount: -3 })];
    const read = await createAdeTokenReader(client, options())();
    if (read.kind !== 'found') throw new Error(read.error);
    expect(read.tokens[0]).toMatchObject({ tokenName: 'ADE token ade-1', tokenExpirationDateTime: '2027-05-01T00:00:00.000Z', lastSyncErrorCode: 4031, lastSuccessfulSyncDateTime: null, syncedDeviceCount: null });
  });

  test('paging over 3 pages', async () => {
    graph.collectionPageSize = 1;
    graph.depOnboardingSettings = ade(3);
    const read = await createAdeTokenReader(client, options())();
    expect(read.kind === 'found' && read.tokens).toHaveLength(3);
    expect(adeGets()).toHaveLength(3);
  });

  test('the v1.0 path does not exist (the double answers like Graph)', async () => {
    await expect(client.api('/deviceManagement/depOnboardingSettings').version('v1.0').get()).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('one endpoint forbidden, the other still read', () => {
  test('a 403 on depOnboardingSettings names the permission and the call; VPP tokens are read', async () => {
    graph.vppTokens = vpp(1);
    graph.depOnboardingSettings = ade(1);
    graph.depOnboardingSettingsScript.push({ status: 403, body: { error: { code: 'Forbidden', message: 'Application is not authorized to perform this operation.' } } });
    const [ades, vpps] = await Promise.all([createAdeTokenReader(client, options())(), createVppTokenReader(client, options())()]);
    expect(ades).toEqual({
      kind: 'failed',
      httpStatus: 403,
      error: 'GET /beta/deviceManagement/depOnboardingSettings: Graph answered 403 Forbidden: the app lacks the Graph application permission DeviceManagementServiceConfig.Read.All (grant it with admin consent)',
    });
    expect(vpps.kind === 'found' && vpps.tokens).toHaveLength(1);
  });

  test('a 403 on vppTokens, ADE tokens read', async () => {
    graph.depOnboardingSettings = ade(3);
    graph.vppTokensScript.push({ status: 403, body: { error: { code: 'Forbidden', message: 'nope' } } });
    const vpps = await createVppTokenReader(client, options())();
    expect(vpps).toMatchObject({ kind: 'failed', httpStatus: 403 });
    if (vpps.kind === 'failed') expect(vpps.error).toMatch(/^GET \/v1\.0\/deviceAppManagement\/vppTokens: .*DeviceManagementServiceConfig\.Read\.All/);
    expect((await createAdeTokenReader(client, options())()).kind).toBe('found');
  });
});
