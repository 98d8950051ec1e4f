import { ClientCertificateCredential, ClientSecretCredential, DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, test } from 'vitest';
import { loadConfig, type Env } from '../../src/config';
import { chooseGraphCredential, graphCredentialLabel, labelledCredential } from '../../src/graph/credential';
import { chooseStorageCredential, storageCredentialLabel } from '../../src/storage/tableClients';
import { loopbackCaPath } from '../doubles/graphDouble';

/**
 * Graph and storage credentials are chosen apart: storage is always the Function App's managed
 * identity (as AzureWebJobsStorage__credential=managedidentity says) or a connection string, whatever
 * app registration Graph is read with.
 */

const base: Env = { GRAPH_CLOUD: 'global', NOTIFY_URL: 'inprocess' };
const identityStorage: Env = { AzureWebJobsStorage__accountName: 'stapnsmonitor', AzureWebJobsStorage__credential: 'managedidentity' };
const userAssigned: Env = { ...identityStorage, AzureWebJobsStorage__clientId: '11111111-2222-3333-4444-555555555555' };
const secret: Env = { AZURE_TENANT_ID: 'contoso.onmicrosoft.com', AZURE_CLIENT_ID: 'aaaaaaaa-0000-0000-0000-000000000001', AZURE_CLIENT_SECRET: 'a-foreign-client-secret-value' };
const certificate: Env = { AZURE_TENANT_ID: 'contoso.onmicrosoft.com', AZURE_CLIENT_ID: 'aaaaaaaa-0000-0000-0000-000000000001', AZURE_CLIENT_CERTIFICATE_PATH: loopbackCaPath };
const connectionString: Env = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };

const cases: Array<[string, Env, string, string | null, string | null]> = [
  // name, settings, Graph credential class, storage label (null: connection string), Graph label part
  ['managed identity for both', { ...identityStorage }, 'DefaultAzureCredential', 'storage (system-assigned managed identity)', 'Graph token (managed identity)'],
  ['user-assigned identity for storage and Graph', { ...userAssigned, AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555' }, 'DefaultAzureCredential', 'storage (user-assigned managed identity 11111111-2222-3333-4444-555555555555)', 'Graph token (managed identity 11111111-2222-3333-4444-555555555555)'],
  ['client secret for Graph, managed identity for storage', { ...identityStorage, ...secret }, 'ClientSecretCredential', 'storage (system-assigned managed identity)', 'Graph token (client secret for tenant contoso.onmicrosoft.com'],
  ['client secret for Graph, user-assigned identity for storage', { ...userAssigned, ...secret }, 'ClientSecretCredential', 'storage (user-assigned managed identity 11111111-2222-3333-4444-555555555555)', 'Graph token (client secret'],
  ['certificate for Graph, managed identity for storage', { ...identityStorage, ...certificate }, 'ClientCertificateCredential', 'storage (system-assigned managed identity)', 'Graph token (client certificate for tenant contoso.onmicrosoft.com'],
  ['client secret for Graph, connection string for storage', { ...connectionString, ...secret }, 'ClientSecretCredential', null, 'Graph token (client secret'],
  ['managed identity for Graph, connection string for storage', { ...connectionString }, 'DefaultAzureCredential', null, 'Graph token (managed identity)'],
];

const classes = { DefaultAzureCredential, ClientSecretCredential, ClientCertificateCredential };

describe.each(cases)('%s', (_name, env, graphClass, storageLabel, graphLabel) => {
  const config = loadConfig({ ...base, ...env });

  test('Graph gets its own credential', () => {
    expect(chooseGraphCredential(config)).toBeInstanceOf(classes[graphClass as keyof typeof classes]);
    expect(graphCredentialLabel(config.credential)).toContain(graphLabel);
    expect(graphCredentialLabel(config.credential)).not.toContain('a-foreign-client-secret-value');
  });

  test('storage uses the managed identity (or its connection string), never the Graph secret', () => {
    if (storageLabel === null) {
      expect(config.storage.kind).toBe('connectionString');
      return;
    }
    expect(config.storage.kind).toBe('identity');
    if (config.storage.kind !== 'identity') return;
    expect(storageCredentialLabel(config.storage)).toBe(storageLabel);
  });
});

test.each(cases.filter((c) => c[3] !== null))('%s: the storage credential is a ManagedIdentityCredential', (_name, env) => {
  const config = loadConfig({ ...base, ...env });
  if (config.storage.kind !== 'identity') throw new Error('expected identity storage');
  expect(chooseStorageCredential(config.storage)).toBeInstanceOf(ManagedIdentityCredential);
  expect(chooseStorageCredential(config.storage)).not.toBeInstanceOf(DefaultAzureCredential);
});

test('AzureWebJobsStorage__credential other than managedidentity is refused, naming the setting', () => {
  expect(() => loadConfig({ ...base, ...identityStorage, AzureWebJobsStorage__credential: 'clientsecret' })).toThrow(/AzureWebJobsStorage__credential/);
});

test('a failing credential is named in the error, without losing the original', async () => {
  const failing = { getToken: () => Promise.reject(Object.assign(new Error('ManagedIdentityCredential: no managed identity endpoint'), { name: 'CredentialUnavailableError' })) };
  const error = await labelledCredential('storage (system-assigned managed identity)', failing).getToken('https://storage.azure.com/.default').then(() => new Error("resolved"), (e: unknown) => e as Error);
  expect(error.message).toBe('storage (system-assigned managed identity): ManagedIdentityCredential: no managed identity endpoint');
  expect(error.name).toBe('CredentialUnavailableError');
  const graph = await labelledCredential('Graph token (client secret for tenant contoso.onmicrosoft.com, app x)', failing).getToken('x').then(() => new Error("resolved"), (e: unknown) => e as Error);
  expect(graph.message).toMatch(/^Graph token \(client secret for tenant contoso\.onmicrosoft\.com/);
});
